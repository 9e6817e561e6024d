"""GB 3095 ambient air-quality standard: limits by date and grade, data validity, daily statistics.

Daily statistics follow GB 3095 表4: a daily mean needs ≥ 20 valid hours, an 8-h O3 mean ≥ 6 of 8;
the daily maximum 8-h O3 (MDA8) is taken over windows ending 08:00…24:00.  Periods that fail are NaN
and flagged — never averaged from too few values.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import numpy as np
import pandas as pd
import xarray as xr

from models.rules import load_rule_file

RULE_FILE = "gb3095.json"
DAILY_POLLUTANTS = ("SO2", "NO2", "CO", "PM10", "PM2.5")
DayConvention = Literal["hour-ending", "label-date"]


@dataclass(frozen=True)
class LimitSet:
    """One version of the GB 3095 concentration limits."""

    version: str
    title: str
    effective_from: np.datetime64
    limits: dict[str, dict[str, dict[str, float]]]

    def limit(self, pollutant: str, averaging: str, grade: int = 2) -> float | None:
        """Limit value for e.g. ('PM2.5', '24h'), or None where the standard sets none."""
        return self.limits[f"grade{grade}"].get(pollutant, {}).get(averaging)


def limit_sets() -> dict[str, LimitSet]:
    """All GB 3095 versions from the rule file."""
    doc = load_rule_file(RULE_FILE)
    return {k: LimitSet(k, v["title"], np.datetime64(v["effective_from"]), v["limits"]) for k, v in doc["versions"].items()}


def limits_for(when, version: str | None = None) -> LimitSet:
    """The limit set in force on a date (2012 → 2026 transition → 2026 final) unless ``version`` is given."""
    sets = limit_sets()
    if version:
        return sets[version]
    t = np.datetime64(pd.Timestamp(when).tz_localize(None) if pd.Timestamp(when).tzinfo else pd.Timestamp(when), "D")
    chosen = None
    for ls in sorted(sets.values(), key=lambda x: x.effective_from):
        if t >= ls.effective_from:
            chosen = ls
    return chosen or sets["gb3095-2012"]


def validity_rules() -> dict:
    """The data-validity table (configurable defaults; see the rule file for UNCONFIRMED items)."""
    return dict(load_rule_file(RULE_FILE)["validity"])


def _by_day(ds: xr.Dataset, convention: DayConvention) -> tuple[xr.Dataset, pd.DatetimeIndex]:
    """Pad a regular hourly Dataset to whole days and return it with the day labels.

    With hour-ending labels a natural day holds the labels 01:00 … 24:00 (= next day 00:00).
    """
    from models.aqi import regular_hourly

    ds = regular_hourly(ds).transpose(..., "time")
    t = pd.DatetimeIndex(ds["time"].values)
    shift = pd.Timedelta(hours=1) if convention == "hour-ending" else pd.Timedelta(0)
    first = (t[0] - shift).normalize() + shift
    last = (t[-1] - shift).normalize() + shift + pd.Timedelta(hours=23)
    full = pd.date_range(first, last, freq="h")
    if len(full) != len(t) or t[0] != first:
        ds = ds.reindex(time=full)
    days = pd.date_range((first - shift).normalize(), (last - shift).normalize(), freq="D")
    return ds, days


def _reshape(values: np.ndarray, ndays: int) -> np.ndarray:
    """(..., ndays*24) → (..., ndays, 24)."""
    return values.reshape(values.shape[:-1] + (ndays, 24))


def daily_statistics(hourly: xr.Dataset, convention: DayConvention = "hour-ending",
                     rules: dict | None = None) -> xr.Dataset:
    """Daily means, daily max 1-h O3 and MDA8 O3 per site, with validity counts and flags.

    Output variables (dims site × time, one label per natural day): ``<P>_24h`` daily means, ``O3``
    (daily max 1-h), ``O3_8h`` (MDA8), ``n_<P>`` valid hours, ``n_O3_8h`` valid 8-h windows and
    ``valid_<P>`` booleans.  ``convention='hour-ending'`` groups labels 01:00…24:00 into a day (the
    GB 3095 natural day for hour-ending data); ``'label-date'`` groups labels 00:00…23:00.
    """
    r = {**validity_rules(), **(rules or {})}
    ds, days = _by_day(hourly, convention)
    nd = len(days)
    dims = ds[next(iter(ds.data_vars))].dims[:-1] + ("time",)
    coords = {k: v for k, v in ds.coords.items() if "time" not in v.dims}
    coords["time"] = days.values
    out: dict[str, tuple] = {}
    with np.errstate(invalid="ignore"), __import__("warnings").catch_warnings():
        __import__("warnings").simplefilter("ignore", RuntimeWarning)
        for p in DAILY_POLLUTANTS:
            if p not in ds:
                continue
            x = _reshape(np.asarray(ds[p].values, float), nd)
            n = (~np.isnan(x)).sum(axis=-1)
            ok = n >= r["daily_min_hours"][p]
            out[f"{p}_24h"] = (dims, np.where(ok, np.nanmean(x, axis=-1), np.nan))
            out[f"n_{p}"] = (dims, n)
            out[f"valid_{p}"] = (dims, ok)
        if "O3" in ds:
            o3 = ds["O3"]
            o3_8h = o3.rolling(time=8, min_periods=r["o3_8h_min_hours"]).mean()
            w = _reshape(np.asarray(o3_8h.values, float), nd)
            # position k of a day holds the window ending at hour k+1 (hour-ending) or k (label-date)
            end_hour = np.arange(24) + (1 if convention == "hour-ending" else 0)
            lo, hi = r["mda8_window_end_hours"]
            w = np.where((end_hour >= lo) & (end_hour <= hi), w, np.nan)
            nwin = (~np.isnan(w)).sum(axis=-1)
            mda8 = np.nanmax(np.where(np.isnan(w), -np.inf, w), axis=-1)
            mda8 = np.where(nwin > 0, mda8, np.nan)
            lim = np.array([limits_for(d).limit("O3", "8h") for d in days], dtype=float)
            ok = (nwin >= r["mda8_min_windows"]) | (mda8 > lim)
            out["O3_8h"] = (dims, np.where(ok, mda8, np.nan))
            out["n_O3_8h"] = (dims, nwin)
            out["valid_O3_8h"] = (dims, ok)
            x = _reshape(np.asarray(o3.values, float), nd)
            n1 = (~np.isnan(x)).sum(axis=-1)
            out["O3"] = (dims, np.where(n1 >= r["daily_min_hours"]["SO2"], np.nanmax(np.where(np.isnan(x), -np.inf, x), axis=-1), np.nan))
            out["n_O3"] = (dims, n1)
    res = xr.Dataset(out, coords=coords)
    for p in DAILY_POLLUTANTS:
        if f"{p}_24h" in res:
            res[f"{p}_24h"].attrs.update(long_name=f"daily mean {p}", cell_methods="time: mean (>= 20 valid hours)",
                                         units=ds[p].attrs.get("units", ""))
    if "O3_8h" in res:
        res["O3_8h"].attrs.update(long_name="daily maximum 8-h mean O3 (MDA8)", units="ug/m3")
        res["O3"].attrs.update(long_name="daily maximum 1-h O3", units="ug/m3")
    res["time"].attrs.update(long_name="natural day (Beijing time)")
    res.attrs.update(day_convention=convention, rules=load_rule_file(RULE_FILE)["schema"])
    return res


def exceedances(daily: xr.Dataset, grade: int = 2, version: str | None = None) -> xr.Dataset:
    """Boolean exceedance of the 24-h (and MDA8 O3) limits per site and day, by the limits in force."""
    out = {}
    times = pd.DatetimeIndex(daily["time"].values)
    for p in DAILY_POLLUTANTS:
        if f"{p}_24h" in daily:
            lim = np.array([limits_for(t, version).limit(p, "24h", grade) for t in times], dtype=float)
            out[p] = daily[f"{p}_24h"] > xr.DataArray(lim, dims="time", coords={"time": daily["time"]})
    if "O3_8h" in daily:
        lim = np.array([limits_for(t, version).limit("O3", "8h", grade) for t in times], dtype=float)
        out["O3_8h"] = daily["O3_8h"] > xr.DataArray(lim, dims="time", coords={"time": daily["time"]})
    return xr.Dataset(out)
