"""Readers for the forecast CLI (UCI PRSA and CNEMC city files) and the demo files of the forecast service.

Reads the UCI Beijing PRSA multi-site CSVs and the CNEMC city-hourly CSV (plain or .gz) into the
product's layout: an ``xarray.Dataset`` with dims ``("site", "time")``, naive Beijing hour-ending
time on a regular hourly axis, pollutants in µg/m³ (CO mg/m³), meteorology TEMP/DEWP/PRES/RAIN/WS/WD.
"""
from __future__ import annotations

import functools
import importlib.resources
import io
from pathlib import Path
from typing import Iterable

import numpy as np
import pandas as pd
import xarray as xr

from console.errors import InputError
from console.grib_backend import GRIB_SUFFIXES, GribBackend, is_grib

AQI_EXCEEDANCE = (100, 150, 200, 300)

POLLUTANTS = ["PM2.5", "PM10", "SO2", "NO2", "CO", "O3"]
COMPASS = {d: i * 22.5 for i, d in enumerate(
    "N NNE NE ENE E ESE SE SSE S SSW SW WSW W WNW NW NNW".split())}
PRSA_COLS = {"No", "year", "month", "day", "hour", "PM2.5", "PM10", "SO2", "NO2", "CO", "O3",
             "TEMP", "PRES", "DEWP", "RAIN", "wd", "WSPM", "station"}
CNEMC_COLS = {"date", "hour", "城市", "PM2.5", "PM10", "SO2", "NO2", "O3", "CO"}


def _frame_to_dataset(df: pd.DataFrame, variables: list[str]) -> xr.Dataset:
    df = df.dropna(subset=["time"]).drop_duplicates(["site", "time"], keep="last")
    ds = df.set_index(["site", "time"])[variables].to_xarray()
    t = pd.DatetimeIndex(ds["time"].values)
    full = pd.date_range(t.min(), t.max(), freq="h")
    ds = ds.reindex(time=full)
    ds["site"] = ds["site"].astype(str)
    for v in variables:
        ds[v] = ds[v].astype("float64")
        ds[v].attrs["units"] = "mg m-3" if v == "CO" else {
            "TEMP": "degC", "DEWP": "degC", "PRES": "hPa", "RAIN": "mm", "WS": "m s-1", "WD": "degree"
        }.get(v, "ug m-3")
    return ds


def _read_csv(path, **kw) -> pd.DataFrame:
    try:
        return pd.read_csv(path, **kw)
    except (OSError, UnicodeDecodeError, pd.errors.ParserError, pd.errors.EmptyDataError, EOFError) as exc:
        raise InputError(str(path), f"cannot read CSV: {exc}") from None


def read_prsa(paths: Iterable[str | Path]) -> xr.Dataset:
    """UCI Beijing multi-site PRSA CSVs → Dataset (CO µg/m³ → mg/m³, wd compass → degrees)."""
    frames = []
    for p in paths:
        df = _read_csv(p, na_values=["NA"], keep_default_na=True)
        missing = PRSA_COLS - set(df.columns)
        if missing:
            raise InputError(str(p), f"not a UCI PRSA multi-site file (missing columns {sorted(missing)})")
        out = pd.DataFrame({
            "site": df["station"].astype(str),
            "time": pd.to_datetime(dict(year=df["year"], month=df["month"], day=df["day"], hour=df["hour"]),
                                   errors="coerce"),
        })
        for v in ["PM2.5", "PM10", "SO2", "NO2", "O3"]:
            out[v] = pd.to_numeric(df[v], errors="coerce")
        out["CO"] = pd.to_numeric(df["CO"], errors="coerce") / 1000.0
        out["TEMP"] = pd.to_numeric(df["TEMP"], errors="coerce")
        out["DEWP"] = pd.to_numeric(df["DEWP"], errors="coerce")
        out["PRES"] = pd.to_numeric(df["PRES"], errors="coerce")
        out["RAIN"] = pd.to_numeric(df["RAIN"], errors="coerce")
        out["WS"] = pd.to_numeric(df["WSPM"], errors="coerce")
        out["WD"] = df["wd"].map(COMPASS).astype(float)
        frames.append(out)
    if not frames:
        raise InputError("<none>", "no PRSA files given")
    ds = _frame_to_dataset(pd.concat(frames, ignore_index=True),
                           POLLUTANTS + ["TEMP", "DEWP", "PRES", "RAIN", "WS", "WD"])
    ds.attrs.update(source="UCI Beijing Multi-Site Air-Quality (PRSA), Zhang et al. 2017", time_zone="Asia/Shanghai")
    return ds


def read_cnemc_city(source, name: str = "") -> xr.Dataset:
    """CNEMC city-hourly CSV (``date,hour,城市,AQI,PM2.5,…``; path, file object or bytes) → Dataset."""
    df = _read_csv(source, encoding="utf-8", dtype={"date": str})
    missing = CNEMC_COLS - set(df.columns)
    if missing:
        raise InputError(name or str(source), f"not a CNEMC city-hourly file (missing columns {sorted(missing)})")
    out = pd.DataFrame({
        "site": df["城市"].astype(str),
        "time": pd.to_datetime(df["date"].astype(str).str.strip(), format="%Y%m%d", errors="coerce")
        + pd.to_timedelta(pd.to_numeric(df["hour"], errors="coerce"), unit="h"),
    })
    for v in POLLUTANTS:
        out[v] = pd.to_numeric(df[v], errors="coerce")
    ds = _frame_to_dataset(out, POLLUTANTS)
    ds.attrs.update(source="CNEMC city-hourly real-time publication", time_zone="Asia/Shanghai")
    return ds


def _sniff(path: Path) -> str:
    import gzip

    opener = gzip.open if path.suffix == ".gz" else open
    try:
        with opener(path, "rt", encoding="utf-8", errors="replace") as fh:
            head = fh.readline()
    except OSError as exc:
        raise InputError(str(path), f"cannot open: {exc}") from None
    if "station" in head and "WSPM" in head:
        return "prsa"
    if "城市" in head and "date" in head:
        return "cnemc-city"
    if path.suffix in (".nc", ".nc4") or path.suffix.lower() in GRIB_SUFFIXES:
        return "netcdf"
    raise InputError(str(path), "unrecognised format (expected UCI PRSA CSV or CNEMC city-hourly CSV)")


def read_any(paths: Iterable[str | Path]) -> xr.Dataset:
    """Read one or more files; PRSA files are combined, CNEMC files merged over sites.

    Uses ``console.ingest.read_file`` when it is available, else the readers here.
    """
    paths = [Path(p) for p in paths]
    if not paths:
        raise InputError("<none>", "no input files given")
    for p in paths:
        if not p.exists():
            raise InputError(str(p), "file not found")
    try:  # the product reader, when present
        from console.ingest import read_file  # type: ignore
    except Exception:  # noqa: BLE001 — not landed yet
        read_file = None
    kinds = {p: _sniff(p) for p in paths}
    prsa = [p for p in paths if kinds[p] == "prsa"]
    parts = []
    if prsa:
        parts.append(read_prsa(prsa))
    for p in paths:
        if kinds[p] == "cnemc-city":
            if read_file is not None:
                try:
                    parts.append(read_file(str(p)).dataset)
                    continue
                except Exception:  # noqa: BLE001 — fall back to the private reader
                    pass
            parts.append(read_cnemc_city(p, name=str(p)))
    if not parts:
        raise InputError(str(paths[0]), "no concentration files among the inputs")
    ds = parts[0] if len(parts) == 1 else xr.concat(parts, dim="site", join="outer")
    return ds


def demo_guangxi(with_neighbours: bool = True) -> tuple[xr.Dataset, xr.Dataset | None]:
    """The shipped Guangxi demo (14 cities) and, optionally, the 21 neighbouring cities."""
    pkg = importlib.resources.files("resources.demo")
    gx = _read_demo(pkg, "guangxi_city_hourly.csv.gz")
    nb = _read_demo(pkg, "neighbour_city_hourly.csv.gz") if with_neighbours else None
    if nb is not None:
        nb = nb.reindex(time=gx["time"])
    return gx, nb


@functools.lru_cache(maxsize=1)
def demo_neighbours() -> xr.Dataset:
    """The demo's 21 neighbouring cities (upwind input of the Guangxi model); cached, treat as read-only."""
    return _read_demo(importlib.resources.files("resources.demo"), "neighbour_city_hourly.csv.gz")


def _read_demo(pkg, name: str) -> xr.Dataset:
    import gzip

    raw = gzip.decompress(pkg.joinpath(name).read_bytes())
    ds = read_cnemc_city(io.BytesIO(raw), name=name)
    coords = _demo_coords(pkg)
    lon = [coords.get(s, (np.nan, np.nan))[0] for s in ds["site"].values]
    lat = [coords.get(s, (np.nan, np.nan))[1] for s in ds["site"].values]
    return ds.assign_coords(lon=("site", lon), lat=("site", lat))


def _demo_coords(pkg) -> dict[str, tuple[float, float]]:
    out = {}
    for name in ("guangxi_stations.csv", "neighbour_stations.csv"):
        df = pd.read_csv(io.BytesIO(pkg.joinpath(name).read_bytes()))
        g = df.groupby("城市")[["经度", "纬度"]].mean()
        out.update({c: (float(r["经度"]), float(r["纬度"])) for c, r in g.iterrows()})
    return out



def read_site_coords(path: str | Path) -> dict[str, tuple[float, float]]:
    """Site coordinates from a CSV with columns ``site,lon,lat`` (or 监测点名称/城市, 经度, 纬度).

    Raises :class:`InputError` naming the file, row and field of a bad value."""
    p = Path(path)
    if not p.exists():
        raise InputError(str(path), "file not found")
    try:
        df = pd.read_csv(p, dtype=str, encoding="utf-8-sig")
    except (ValueError, OSError, UnicodeDecodeError) as exc:
        raise InputError(str(path), f"cannot read as CSV: {exc}") from None
    names = {c.strip().lower(): c for c in df.columns}
    site = next((names[c] for c in ("site", "station", "监测点名称", "城市", "city") if c in names), None)
    lon = next((names[c] for c in ("lon", "longitude", "经度") if c in names), None)
    lat = next((names[c] for c in ("lat", "latitude", "纬度") if c in names), None)
    if not (site and lon and lat):
        raise InputError(str(path), f"needs columns site, lon, lat (found: {', '.join(df.columns)})")
    out = {}
    for i, r in df.iterrows():
        for col, lo, hi in ((lon, -180, 360), (lat, -90, 90)):
            try:
                v = float(r[col])
            except (TypeError, ValueError):
                v = np.nan
            if not lo <= v <= hi:
                raise InputError(str(path), f"row {i + 2}, field {col}: {r[col]!r} is not a "
                                            f"{'longitude' if col == lon else 'latitude'}")
        out[str(r[site]).strip()] = (float(r[lon]), float(r[lat]))
    return out


def site_lonlat(ds: xr.Dataset) -> tuple[np.ndarray, np.ndarray]:
    """Longitude and latitude per site (copies; NaN where the dataset has none)."""
    n = ds.sizes["site"]
    lon = np.array(ds["lon"].values, float) if "lon" in ds.coords else np.full(n, np.nan)
    lat = np.array(ds["lat"].values, float) if "lat" in ds.coords else np.full(n, np.nan)
    return lon, lat


def with_site_coords(ds: xr.Dataset, coords: dict[str, tuple[float, float]]) -> xr.Dataset:
    """``ds`` with lon/lat coordinates per site from ``coords`` (sites not listed keep theirs)."""
    lon, lat = site_lonlat(ds)
    for k, s in enumerate(str(x) for x in ds["site"].values):
        if s in coords:
            lon[k], lat[k] = coords[s]
    return ds.assign_coords(lon=("site", lon), lat=("site", lat))


def open_weather_fields(path: str | Path, bbox: tuple[float, float, float, float] | None = None,
                        names=None) -> xr.Dataset:
    """Weather-forecast fields from NetCDF or GRIB (1 or 2), opened with ``xarray.open_dataset``.

    GRIB files (by suffix or first bytes) go through the product's xarray backend
    (:class:`console.grib_backend.GribBackend`: near-surface levels, valid times in UTC; ``bbox``/``names``
    crop and select on reading).  Raises :class:`InputError` naming the file."""
    p = Path(path)
    if not p.exists():
        raise InputError(str(path), "file not found")
    if is_grib(p):
        return xr.open_dataset(p, engine=GribBackend, bbox=bbox, names=names)
    try:
        return xr.open_dataset(p)
    except (ValueError, OSError) as exc:
        raise InputError(str(path), f"cannot open as NetCDF: {exc}") from None


def site_weather(path: str | Path, ds: xr.Dataset, utc: bool = False,
                 locate_hint: str = "add coordinates for them") -> tuple[xr.Dataset, list[str]]:
    """Weather-forecast fields of ``path`` (NetCDF or GRIB) at the sites of ``ds``: hourly site meteorology
    on Beijing-time valid hours, and warnings about parts of the file not read.

    GRIB times are UTC by definition; NetCDF times are Beijing time unless ``utc``.  Sites need ``lon``/``lat``
    coordinates unless the file is already per site.  Raises :class:`InputError` naming the file (sites
    without coordinates are named, followed by ``locate_hint``)."""
    from forecasting.meteorology import MeteorologyError, field_names, site_meteorology, to_beijing_time

    lon, lat = site_lonlat(ds)
    located = np.isfinite(lon) & np.isfinite(lat)
    bbox = None
    if located.all() and located.size:
        pad = 2.0   # degrees around the sites: the nearest grid point of a coarse (2.5°) grid stays inside
        bbox = (float(lon.min()) - pad, float(lat.min()) - pad, float(lon.max()) + pad, float(lat.max()) + pad)
    fields = open_weather_fields(path, bbox=bbox, names=field_names())
    warnings = [f"{Path(path).name}: not read: {fields.attrs['not_read']}"] if fields.attrs.get("not_read") else []
    if "site" not in fields.dims and not located.all():
        missing = ", ".join(str(s) for s in ds["site"].values[~located])
        raise InputError(str(path), f"sites without coordinates ({missing}): the grid points of the weather "
                                    f"fields cannot be picked; {locate_hint}")
    try:
        utc = utc or fields.attrs.get("time_zone") == "UTC"      # GRIB times are UTC by definition
        fields.attrs.setdefault("source", f"file {Path(path).name}")
        return site_meteorology(to_beijing_time(fields, utc), ds["site"].values, lon, lat), warnings
    except MeteorologyError as exc:
        raise InputError(str(path), str(exc)) from None


def require_weather_overlap(met: xr.Dataset, issue: pd.Timestamp, path: str | Path) -> None:
    """Stop when the weather fields cover none of the forecast hours: a model that needs weather would run blind
    while the operator believes a weather forecast drove it (a stale or wrong-date file)."""
    from forecasting.system import forecast_valid_times, weather_hours

    valid = forecast_valid_times(issue)
    t = pd.DatetimeIndex(met["time"].values)
    if weather_hours(met, valid) == 0:
        span = f"valid {t.min():%Y-%m-%d %H:%M} … {t.max():%Y-%m-%d %H:%M}" if len(t) else "no valid times"
        raise InputError(str(path), f"the weather fields cover none of the forecast hours ({span} Beijing time; "
                                    f"the forecast is for {valid[0]:%Y-%m-%d %H:%M} … {valid[-1]:%Y-%m-%d %H:%M}): "
                                    "load the run for this issue time")


def hourly_table(fc) -> pd.DataFrame:
    """An issued forecast's hourly quantiles as rows: site, variable, issue and valid time, horizon, P10, P25, P50,
    P75, P90 and, for AQI, P(AQI > 100/150/200/300)."""
    from forecasting.probabilistic import quantile_at

    h = fc.hourly
    levels = np.asarray(h["level"].values, float)
    qs = (0.1, 0.25, 0.5, 0.75, 0.9)
    sites, valid = [str(s) for s in h["site"].values], pd.DatetimeIndex(h["valid_time"].values)
    parts = []
    for var in [v for v in h.data_vars if not v.startswith("p_aqi")]:
        a = h[var].transpose("site", "valid_time", "level").values
        q = np.stack([quantile_at(a, levels, p) for p in qs], axis=-1)
        df = pd.DataFrame({"site": np.repeat(sites, len(valid)), "variable": var, "issue_time": fc.issue_time,
                           "valid_time": np.tile(valid, len(sites)),
                           "horizon": np.tile(np.arange(1, len(valid) + 1), len(sites))})
        for k, p in enumerate(qs):
            df[f"p{round(p * 100)}"] = q[..., k].reshape(-1)
        if var == "AQI":
            for c in AQI_EXCEEDANCE:
                if f"p_aqi_gt_{c}" in h:
                    df[f"p_aqi_gt_{c}"] = h[f"p_aqi_gt_{c}"].transpose("site", "valid_time").values.reshape(-1)
        parts.append(df)
    return pd.concat(parts, ignore_index=True) if parts else pd.DataFrame()


def write_forecast(fc, folder: str | Path, prefix: str = "") -> list[Path]:
    """Write an issued forecast: ``hourly.csv`` (:func:`hourly_table`), ``daily.csv`` (the D+1…D+3 outlook) and
    ``forecast_info.json`` (model version, training period, inputs); each file atomically. Returns the paths."""
    import json

    from console.atomic import atomic_write

    out = Path(folder)
    out.mkdir(parents=True, exist_ok=True)
    paths = [out / f"{prefix}hourly.csv", out / f"{prefix}daily.csv", out / f"{prefix}forecast_info.json"]
    for path, df in zip(paths[:2], (hourly_table(fc), fc.daily)):
        with atomic_write(path, "w", encoding="utf-8", newline="") as fh:
            df.to_csv(fh, index=False, float_format="%.3f")
    with atomic_write(paths[2], "w", encoding="utf-8") as fh:
        fh.write(json.dumps(fc.info, ensure_ascii=False, indent=1, default=str))
    return paths
