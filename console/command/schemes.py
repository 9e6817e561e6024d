"""Warning schemes as the console uses them: the packaged file plus the user's override file.

The override file (``warning_schemes.user.json`` in the data directory) holds only what the user
changed, e.g. the Guangxi profile's UNCONFIRMED thresholds once the real plan is at hand; results
made with an edited scheme carry the version suffix ``+user``.
"""
from __future__ import annotations

import copy
import json
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
import xarray as xr

from console.atomic import atomic_write
from console.errors import InputError, LantianError
from console.store.db import data_dir
from models import warnings as wmodel

OVERRIDE_NAME = "warning_schemes.user.json"


def override_path() -> Path:
    """Where the user's scheme edits live."""
    return data_dir() / OVERRIDE_NAME


def user_overrides() -> dict:
    """The override document ({} when there is none); a broken file is a clear error."""
    p = override_path()
    if not p.exists():
        return {}
    try:
        return json.loads(p.read_text(encoding="utf-8"))
    except json.JSONDecodeError as exc:
        raise InputError(str(p), f"not valid JSON: {exc.msg}", line=exc.lineno) from None


def schemes() -> dict:
    """Packaged schemes with the user's edits merged in."""
    return wmodel.load_schemes(user_overrides())


def set_threshold(scheme: str, level: str, index: int, field: str, value: float) -> Path:
    """Edit one threshold (``field`` aqi_gt / aqi_gte / min_hours) of a scheme level's condition ``index``.

    The edited condition is marked ``status: "USER"``; the change goes to the override file atomically.
    """
    doc = schemes()
    if scheme not in doc["schemes"]:
        raise LantianError(f"unknown scheme '{scheme}' (known: {', '.join(doc['schemes'])})")
    if field not in ("aqi_gt", "aqi_gte", "min_hours"):
        raise LantianError("field must be aqi_gt, aqi_gte or min_hours")
    levels = copy.deepcopy(doc["schemes"][scheme]["levels"])
    lv = next((x for x in levels if x["level"] == level), None)
    if lv is None or not 0 <= index < len(lv["any_of"]):
        raise LantianError(f"scheme {scheme} has no condition {level}[{index}]")
    lv["any_of"][index][field] = value
    lv["any_of"][index]["status"] = "USER"
    over = user_overrides()
    over.setdefault("schemes", {}).setdefault(scheme, {})["levels"] = levels
    with atomic_write(override_path(), "w", encoding="utf-8") as fh:
        json.dump(over, fh, ensure_ascii=False, indent=2)
    return override_path()


def read_forecast(path: str | Path) -> xr.Dataset:
    """A forecast file: NetCDF with ``aqi`` (site × time), or CSV ``city,date,aqi[,p_gt_<thr>…]``.

    Cities may be adcodes or names (南宁市, 南宁, Nanning); rows that cannot be used are named.
    """
    from console.ingest.common import city_table

    path = Path(path)
    if not path.exists():
        raise InputError(str(path), "file not found")
    if path.suffix in (".nc", ".nc4", ".netcdf"):
        ds = xr.open_dataset(path).load()
        if "aqi" not in ds:
            raise InputError(str(path), "NetCDF forecast needs an 'aqi' variable (site × time)")
        ds.attrs.setdefault("source", f"forecast:{path.name}")
        return ds
    try:
        df = pd.read_csv(path, dtype={"city": str})
    except Exception as exc:
        raise InputError(str(path), f"cannot read CSV: {exc}") from None
    for col in ("city", "date", "aqi"):
        if col not in df.columns:
            raise InputError(str(path), f"missing column '{col}' (expected city,date,aqi[,p_gt_<threshold>…])", line=1)
    table = city_table()
    codes = []
    for i, c in enumerate(df["city"].astype(str).str.strip()):
        if c not in table:
            raise InputError(str(path), f"unknown city '{c}'", line=i + 2, field="city")
        codes.append(table[c]["code"])
    df["site"] = codes
    try:
        df["time"] = pd.to_datetime(df["date"]).dt.normalize()
    except (ValueError, TypeError) as exc:
        raise InputError(str(path), f"bad date: {exc}", field="date") from None
    vals = [c for c in df.columns if c == "aqi" or c.startswith("p_gt_")]
    for c in vals:
        df[c] = pd.to_numeric(df[c], errors="coerce")
        bad = df[c].isna()
        if bad.any():
            i = int(np.flatnonzero(bad.to_numpy())[0])
            raise InputError(str(path), "not a number", line=i + 2, field=c)
    ds = xr.Dataset.from_dataframe(df.set_index(["site", "time"])[vals])
    ds.attrs.update(source=f"forecast:{path.name}")
    return ds


MODEL = "model"   # ``forecast=MODEL``: the product's forecast model on the store's data
PERSISTENCE = "persistence"
#: What warning recommendations rest on unless the user chooses (warnings dock, briefings).  Persistence, on held-out
#: evidence: the forecast model never recommended a level in a Guangxi episode that persistence caught 5 of 12
#: warning city-days of (benchmarks/README-warnings.md, bench_warning_skill.py).  The other basis is shown beside it.
DEFAULT_BASIS = PERSISTENCE


def recommend(repo, scheme: str | None, forecast: str | None, date: str | None, days: int = 3):
    """(recommendations, basis text) — from a forecast file, or with ``forecast="model"`` from the forecast model
    (its D+1…D+3 daily outlook issued on ``date``, the outlook the briefings show), else persistence of observed daily
    AQI.  The basis text says plainly which one was used (and why the model could not be, if so).
    """
    doc = schemes()
    no_model = ""
    if forecast == MODEL:
        fc, about = _model_forecast(repo, date)
        if fc is not None:
            start = pd.Timestamp(date) + pd.Timedelta(days=1) if date else None
            return wmodel.evaluate(fc, scheme, doc, start=start), f"forecast model: {about}"
        forecast, no_model = None, f" (forecast model unavailable: {about})"
    if forecast:
        fc = read_forecast(forecast)
        recs = wmodel.evaluate(fc, scheme, doc, start=pd.Timestamp(date) + pd.Timedelta(days=1) if date else None)
        return recs, f"forecast file {forecast}"
    fc = _persistence(repo, date, days)
    return wmodel.evaluate(fc, scheme, doc), (f"NO FORECAST GIVEN — persistence: observed daily AQI of "
                                         f"{fc.attrs['observed_day']} repeated for {days} days{no_model}")


@dataclass
class BothBases:
    """Warning recommendations for one issue day from the forecast model and from persistence, side by side
    (the operator compares them; either may be missing, with the reason)."""

    day: str                                          # issue day (YYYY-MM-DD)
    model: list[wmodel.Recommendation] | None
    model_id: str = ""
    model_trained: tuple[str, str] = ("", "")         # first and last training day
    model_issued: str = ""                            # YYYY-MM-DD HH:MM
    model_why_not: str = ""
    persistence: list[wmodel.Recommendation] | None = None
    observed_day: str = ""                            # the observed day persistence repeats
    persistence_why_not: str = ""
    days: int = 3


def recommend_both(repo, date: str, scheme: str | None = None, days: int = 3) -> BothBases:
    """Recommendations for the day after ``date`` on from both bases: the forecast model's outlook issued on
    ``date`` and persistence of the observed daily AQI of ``date`` (or the last day before it with data)."""
    doc = schemes()
    out = BothBases(day=str(date), model=None, days=days)
    fc, about = _model_forecast(repo, date)
    if fc is None:
        out.model_why_not = about
    else:
        out.model = wmodel.evaluate(fc, scheme, doc, start=pd.Timestamp(date) + pd.Timedelta(days=1))
        out.model_id, out.model_issued = fc.attrs.get("model_id", ""), fc.attrs.get("issued", "")
        out.model_trained = (fc.attrs.get("trained_from", ""), fc.attrs.get("trained_to", ""))
    try:
        pf = _persistence(repo, date, days)
    except LantianError as exc:
        out.persistence_why_not = str(exc)
    else:
        out.persistence, out.observed_day = wmodel.evaluate(pf, scheme, doc), pf.attrs["observed_day"]
    return out


def _persistence(repo, date: str | None, days: int) -> xr.Dataset:
    """Persistence forecast: the observed daily AQI of ``date`` (default: the store's last day) repeated."""
    from console.command.observed import observed_city_aqi

    end = pd.Timestamp(date) + pd.Timedelta(hours=24) if date else None
    try:
        obs = observed_city_aqi(repo, start=(end - pd.Timedelta(days=10)) if end is not None else None, end=end)
    except ValueError as exc:   # an empty store or a day before its data: said, not a traceback
        raise LantianError(f"no recommendation: {exc}; load data with `lantian ingest` or give --forecast") from None
    daily = obs.daily.dropna("time", how="all")
    issued = pd.Timestamp(date) if date else pd.Timestamp(daily["time"].values[-1])
    return wmodel.persistence_forecast(daily, issued, days)


def _model_forecast(repo, date: str | None):
    """(daily AQI forecast, what it is) from the forecast provider on ``repo``'s data, issued on ``date`` (default:
    the last observed day); (None, why) when the model cannot forecast there."""
    from console.command.report_provider import forecast_daily
    from console.reports.providers import ProviderRequest

    if date:
        day = pd.Timestamp(date).date()
    else:
        span = repo.time_range("city")
        if span is None:
            return None, "the store holds no city data"
        day = (span[1] - pd.Timedelta(hours=1)).date()
    return forecast_daily(ProviderRequest("daily", day, day, day, (), "en", repo))   # (): every city it forecasts
