"""File readers: validate, normalise units and time zone, and report every rejected row with its reason.

``read_file(path)`` recognises the format from the content (or takes ``format=``) and returns a
:class:`ReadResult` whose ``dataset`` is an ``xarray.Dataset`` (site × time) in canonical units.
"""
from __future__ import annotations

from pathlib import Path
from typing import Callable

import numpy as np
import xarray as xr

from console.errors import InputError
from console.ingest import cnemc, generic
from console.ingest.common import ReadResult, SiteInfo, annotate, file_sha256, first_line, read_text

FORMATS: dict[str, str] = {
    "cnemc-city": "national city-hourly CSV (date,hour,城市,AQI,PM2.5,…)",
    "cnemc-sites": "national station wide CSV (date,hour,type,<station codes>…)",
    "cnemc-realtime": "current real-time station feed CSV (timepoint,stationcode,…)",
    "cnemc-stations": "national station list (监测点编码,监测点名称,城市,经度,纬度,对照点)",
    "csv": "any CSV with a column mapping (--map FILE.json or a preset name)",
    "netcdf": "NetCDF written by `lantian export` (site × time)",
}
__all__ = ["FORMATS", "ReadResult", "SiteInfo", "detect_format", "read_file"]


def detect_format(header: str) -> str | None:
    """Guess the format from the header line; None when unknown."""
    cols = [c.strip().strip("\"'").lower() for c in header.replace("\t", ",").split(",")]
    if cols[:3] == ["date", "hour", "type"]:
        return "cnemc-sites"
    if cols[:2] == ["date", "hour"]:
        return "cnemc-city"  # national layout; the reader names any missing column
    if "timepoint" in cols and "stationcode" in cols:
        return "cnemc-realtime"
    if "监测点编码" in cols:
        return "cnemc-stations"
    if {"year", "month", "day", "hour", "station", "pm2.5", "wspm"} <= set(cols):
        return "csv:beijing-prsa"
    if {"year", "month", "day", "hour", "pm2.5", "cbwd"} <= set(cols):
        return "csv:beijing-embassy"
    return None


def _read_netcdf(path: Path) -> ReadResult:
    try:
        ds = xr.load_dataset(path)
    except Exception as exc:  # netCDF4/h5 errors vary by backend
        raise InputError(path, f"not a readable NetCDF file ({exc.__class__.__name__}: {exc})") from None
    if not {"site", "time"} <= set(ds.dims):
        raise InputError(path, f"NetCDF without site × time dimensions (dims: {', '.join(map(str, ds.dims))}); "
                               "gridded satellite products are map layers, not station observations")
    if str(ds["time"].attrs.get("time_zone", "")).upper() == "UTC":
        ds = ds.assign_coords(time=ds["time"].values + np.timedelta64(8, "h"))  # store and views use Beijing time
    kind = str(ds.attrs.get("site_kind", "user"))
    kind = kind if kind in ("station", "city", "user") else "user"
    names = ds["name_zh"].values if "name_zh" in ds.coords else ds["site"].values
    sites = {str(s): SiteInfo(code=str(s), kind=kind, name_zh=str(n)) for s, n in zip(ds["site"].values, names)}
    keep = [v for v in ds.data_vars if ds[v].dims == ("site", "time")]
    return ReadResult(str(path), "netcdf", annotate(ds[keep]), sites)


def read_file(path: str | Path, format: str | None = None, mapping: str | Path | dict | None = None,
              progress: Callable[[str], None] | None = None) -> ReadResult:
    """Read one input file of any supported format.

    Raises :class:`InputError` (naming the file, line and column) when the file as a whole cannot be
    read; row-level problems are returned in ``ReadResult.problems`` and the good rows are kept.
    """
    p = Path(path)
    if not p.exists():
        raise InputError(p, "no such file")
    if p.is_dir():
        raise InputError(p, "is a directory, not a file")
    sha = file_sha256(p)
    fmt = format
    if fmt in (None, "auto") and p.suffix.lower() in (".nc", ".nc4", ".netcdf"):
        fmt = "netcdf"
    if fmt == "netcdf":
        res = _read_netcdf(p)
        res.sha256 = sha
        return res
    try:
        text, encoding = read_text(p)
    except InputError as exc:
        if "binary" in exc.reason and p.read_bytes()[:4] in (b"CDF\x01", b"CDF\x02", b"\x89HDF"):
            res = _read_netcdf(p)
            res.sha256 = sha
            return res
        raise
    header = first_line(text)
    if fmt in (None, "auto"):
        fmt = detect_format(header)
        if fmt is None:
            raise InputError(p, "not a recognised format; the header starts "
                                f"'{header[:80]}'. Known formats: {', '.join(FORMATS)}; for your own CSV use "
                                "--format csv --map MAPPING.json", line=1)
    if fmt.startswith("csv:"):
        fmt, mapping = "csv", fmt[4:]
    readers: dict[str, Callable[[Path, str], ReadResult]] = {
        "cnemc-city": cnemc.read_city_hourly,
        "cnemc-sites": cnemc.read_sites_wide,
        "cnemc-realtime": cnemc.read_realtime,
        "cnemc-stations": cnemc.read_station_list,
    }
    if fmt == "csv":
        if mapping is None:
            raise InputError(p, "format 'csv' needs a column mapping (--map FILE.json or a preset)")
        res = generic.read_mapped_csv(p, text, generic.load_mapping(mapping))
    elif fmt in readers:
        res = readers[fmt](p, text)
    else:
        raise InputError(p, f"unknown format '{fmt}' (known: {', '.join(FORMATS)})")
    res.encoding, res.sha256 = encoding, sha
    res.problems.sort(key=lambda q: (q.line or 0))
    if encoding != "utf-8":
        from console.errors import RowProblem

        res.problems.insert(0, RowProblem(str(p), None, None, None, f"file decoded as {encoding.upper()} (not UTF-8)",
                                          severity="warning"))
    return res
