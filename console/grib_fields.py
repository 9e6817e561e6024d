"""GRIB weather-forecast fields (GFS, ECMWF, CMA …) → one xarray Dataset on valid times.

Messages are decoded with pygrib (ecCodes inside its wheel) and assembled here into the layout the rest
of the product reads with xarray (``xr.open_dataset(path, engine="lantian_grib")`` through
:mod:`console.grib_backend`): variables ``(time, latitude, longitude)`` — or ``(time, y, x)`` with
2-D ``latitude``/``longitude`` coordinates for projected and rotated grids — where ``time`` is the
valid time in UTC.  Only near-surface levels are kept (``surface``, ``heightAboveGround``,
``meanSea``): those are what site meteorology uses.

Why not cfgrib: its ecCodes wheel (eccodeslib/eckitlib, via findlibs) loads ~25 bundled libraries
with ``RTLD_GLOBAL`` as soon as xarray lists its backends.  Measured here: Python's ``sqlite3`` then
ran on the bundled SQLite 3.26 instead of the system's 3.40, and a later ``import psycopg2`` made the
process crash at exit (two libldap copies).  pygrib links its ecCodes privately and loads nothing into
the process when xarray lists its engines (our ``lantian_grib`` engine imports pygrib only when it opens a
file), so nothing else in the process changes.
"""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable

import numpy as np
import pandas as pd
import xarray as xr

from console.errors import InputError

NEAR_SURFACE = ("surface", "heightAboveGround", "meanSea")


@dataclass(frozen=True)
class _Grid:
    """Cropped grid of one message shape: 1-D lat/lon or 2-D curvilinear, and the crop slices."""

    lat: np.ndarray
    lon: np.ndarray
    rows: slice
    cols: slice

    @property
    def regular(self) -> bool:
        return self.lat.ndim == 1


def _key(msg, name: str, default=None):
    return msg[name] if msg.valid_key(name) else default


def _variable_name(msg) -> str | None:
    """cfgrib-style names: t2m, d2m, u10, v10, sp, msl, tp …; other heights get their level (t80m)."""
    short = str(_key(msg, "shortName", ""))
    name = str(_key(msg, "cfVarName", "") or short)
    if name in ("", "unknown", "~"):
        return None
    if _key(msg, "typeOfLevel") == "heightAboveGround" and not short[:1].isdigit():
        name = f"{name}{int(_key(msg, 'level', 0))}m"
    return name


def _stamp(date, time) -> pd.Timestamp:
    return pd.Timestamp(f"{int(date):08d}") + pd.Timedelta(hours=int(time) // 100, minutes=int(time) % 100)


def _grid(msg, bbox: tuple[float, float, float, float] | None) -> _Grid:
    lats, lons = msg.latlons()   # reduced Gaussian grids come expanded to a regular grid
    lats, lons = np.asarray(lats, float), np.asarray(lons, float)
    rows, cols = slice(None), slice(None)
    if bbox is not None:
        w, s, e, n = bbox
        lon_w = np.where(lons > 180, lons - 360, lons)
        inside = (lats >= s) & (lats <= n) & (lon_w >= w) & (lon_w <= e)
        if inside.any():
            r, c = np.nonzero(inside)
            rows, cols = slice(r.min(), r.max() + 1), slice(c.min(), c.max() + 1)
    lats, lons = lats[rows, cols], lons[rows, cols]
    if np.allclose(lats, lats[:, :1]) and np.allclose(lons, lons[:1, :]):
        return _Grid(lats[:, 0], lons[0, :], rows, cols)
    return _Grid(lats, lons, rows, cols)


def _interval_amounts(accums: dict[tuple[float, float], np.ndarray]) -> dict[float, np.ndarray]:
    """Accumulations over [start, end] h (GFS buckets 0-3, 0-6 …; ECMWF from 0) → amount per interval
    ending at each end step, so that consecutive intervals do not overlap."""
    out: dict[float, np.ndarray] = {}
    ends = sorted({e for _, e in accums})
    prev = None
    for e in ends:
        starts = sorted(s for s, e2 in accums if e2 == e)
        if prev is None or prev in starts:
            out[e] = accums[(prev if prev in starts else starts[0], e)]
        else:
            s = next((s for s in starts if (s, prev) in accums), None)
            if s is None:      # no way to split this bucket: keep it whole, ending at e
                out[e] = accums[(starts[0], e)]
            else:
                out[e] = np.maximum(accums[(s, e)] - accums[(s, prev)], 0.0)
        prev = e
    return out


def read_grib_fields(path: str | Path, bbox: tuple[float, float, float, float] | None = None,
                     names: Iterable[str] | None = None) -> xr.Dataset:
    """Near-surface fields of a GRIB 1/2 file as an xarray Dataset on valid times (UTC).

    ``bbox`` = (west, south, east, north) in degrees crops every field on reading (a global 0.25° file
    is 1 M points per message); ``names`` keeps only those variables (cfgrib-style names or GRIB short
    names), decoding nothing else.  Several runs in one file: for each valid time the latest run wins.
    Ensemble files (ECMWF ENS, GEFS): the members are averaged, and the source says so.
    Raises :class:`InputError` naming the file for unreadable files or files with no usable message."""
    import pygrib

    p = Path(path)
    _check_complete(p)
    try:
        grbs = pygrib.open(str(p))
    except Exception as exc:  # noqa: BLE001 — ecCodes reports its own error types
        raise InputError(str(path), f"cannot read as GRIB: {exc}") from None
    # values per (variable, valid time) of the latest run; several arrays = ensemble members (averaged)
    instant: dict[str, dict[pd.Timestamp, tuple[pd.Timestamp, list[np.ndarray]]]] = defaultdict(dict)
    accum: dict[str, dict[pd.Timestamp, dict[tuple[int, int], list[np.ndarray]]]] = \
        defaultdict(lambda: defaultdict(lambda: defaultdict(list)))
    members: set = set()
    grids: dict[str, _Grid] = {}
    grid_cache: dict[tuple, _Grid] = {}
    wanted = None if names is None else set(names)
    meta: dict[str, dict] = {}
    runs: set[pd.Timestamp] = set()
    n_messages = 0
    try:
        for msg in grbs:
            n_messages += 1
            if _key(msg, "typeOfLevel") not in NEAR_SURFACE or (name := _variable_name(msg)) is None:
                continue
            if wanted is not None and not {name, str(_key(msg, "shortName", ""))} & wanted:
                continue
            geometry = tuple(_key(msg, k) for k in ("gridType", "Ni", "Nj", "numberOfDataPoints",
                                                      "latitudeOfFirstGridPointInDegrees",
                                                      "longitudeOfFirstGridPointInDegrees",
                                                      "latitudeOfLastGridPointInDegrees",
                                                      "longitudeOfLastGridPointInDegrees"))
            if geometry not in grid_cache:
                grid_cache[geometry] = _grid(msg, bbox)
            if name in grids and grids[name] is not grid_cache[geometry]:
                raise InputError(str(path), f"variable {name} comes on two different grids (message {n_messages}); "
                                            "split the file by grid")
            if name not in grids:
                grids[name] = grid_cache[geometry]
                meta[name] = dict(units=str(_key(msg, "units", "")), long_name=str(_key(msg, "name", name)),
                                  GRIB_shortName=str(_key(msg, "shortName", "")),
                                  GRIB_typeOfLevel=str(_key(msg, "typeOfLevel", "")), GRIB_level=int(_key(msg, "level", 0)))
            g = grids[name]
            values = np.ma.filled(np.ma.asarray(msg.values, dtype=float), np.nan)[g.rows, g.cols]
            run = _stamp(_key(msg, "dataDate"), _key(msg, "dataTime", 0))
            runs.add(run)
            members.add(_key(msg, "perturbationNumber", _key(msg, "number", 0)))
            if _key(msg, "stepType") == "accum":
                unit_h = _step_hours(msg)
                accum[name][run][(float(_key(msg, "startStep", 0)) * unit_h,
                                  float(_key(msg, "endStep", 0)) * unit_h)].append(values)
                continue
            valid = _stamp(_key(msg, "validityDate"), _key(msg, "validityTime", 0))
            held = instant[name].get(valid)
            if held is None or held[0] < run:
                instant[name][valid] = (run, [values])
            elif held[0] == run:
                held[1].append(values)
    except InputError:
        raise
    except Exception as exc:  # noqa: BLE001 — a corrupt message midway
        raise InputError(str(path), f"cannot read as GRIB (message {n_messages + 1}): {exc}") from None
    finally:
        grbs.close()
    for name, by_run in accum.items():
        for run, buckets in sorted(by_run.items()):
            means = {k: np.mean(v, axis=0) for k, v in buckets.items()}
            for end_h, values in _interval_amounts(means).items():
                instant[name][run + pd.Timedelta(hours=end_h)] = (run, [values])
        meta[name]["accumulation"] = "amount over the interval ending at the valid time"
    if n_messages == 0:
        raise InputError(str(path), "no GRIB messages found")
    if not instant:
        raise InputError(str(path), f"none of its {n_messages} GRIB messages is a near-surface field "
                                    f"({', '.join(NEAR_SURFACE)})")
    ds = _assemble(instant, grids, meta, runs, p.name)
    if len(members) > 1:
        ds.attrs["source"] += f" (ensemble mean of {len(members)} members)"
        ds.attrs["ensemble_members"] = len(members)
    return ds


def _check_complete(p: Path) -> None:
    """Walk the message headers: ecCodes stops quietly at a cut-off message, so a partly copied file
    would lose fields without a word.  GRIB 1 carries a 3-byte length, GRIB 2 an 8-byte one; every
    message ends with '7777'."""
    import mmap

    if not p.is_file():
        raise InputError(str(p), "file not found")
    size = p.stat().st_size
    if size == 0:
        raise InputError(str(p), "empty file")
    with open(p, "rb") as f, mmap.mmap(f.fileno(), 0, access=mmap.ACCESS_READ) as buf:
        pos, n = buf.find(b"GRIB"), 0
        while pos >= 0:
            edition = buf[pos + 7] if pos + 8 <= size else 0
            length = (int.from_bytes(buf[pos + 8:pos + 16], "big") if edition == 2 else
                      int.from_bytes(buf[pos + 4:pos + 7], "big") if edition == 1 else 0)
            if length < 16 or pos + length > size or buf[pos + length - 4:pos + length] != b"7777":
                why = ("it is cut short" if length >= 16 and pos + length > size else "its header or end is damaged")
                raise InputError(str(p), f"GRIB message {n + 1} at byte {pos} is incomplete ({why}) after {n} "
                                         "complete messages; was the download or copy cut short?")
            n += 1
            pos = buf.find(b"GRIB", pos + length)


def _step_hours(msg) -> float:
    """Hours per unit of startStep/endStep (ecCodes code table 4.4: minutes, hours, days, 3/6/12 h, seconds)."""
    return {0: 1 / 60, 1: 1.0, 2: 24.0, 10: 3.0, 11: 6.0, 12: 12.0, 13: 1 / 3600}.get(int(_key(msg, "stepUnits", 1)), 1.0)


def _assemble(instant, grids, meta, runs, source: str) -> xr.Dataset:
    data_vars = {}
    for name, by_valid in instant.items():
        g = grids[name]
        times = sorted(by_valid)
        stack = np.stack([np.mean(by_valid[t][1], axis=0) for t in times])
        dims = ("time", "latitude", "longitude") if g.regular else ("time", "y", "x")
        da = xr.DataArray(stack, dims=dims, coords={"time": pd.DatetimeIndex(times)}, attrs=meta[name])
        if g.regular:
            da = da.assign_coords(latitude=g.lat, longitude=g.lon)
        else:
            da = da.assign_coords(latitude=(("y", "x"), g.lat), longitude=(("y", "x"), g.lon))
        data_vars[name] = da
    grid_of = {k: (da.dims[1:], da.shape[1:]) for k, da in data_vars.items()}
    other_grids: list[str] = []
    if len(set(grid_of.values())) > 1:   # variables on different grids cannot share coordinates
        keep = max(set(grid_of.values()), key=list(grid_of.values()).count)
        other_grids = sorted(k for k in data_vars if grid_of[k] != keep)
        data_vars = {k: da for k, da in data_vars.items() if grid_of[k] == keep}
    ds = xr.merge([da.rename(k) for k, da in data_vars.items()], join="outer", compat="override")
    ds.attrs = {}                     # merge copies the first variable's attributes to the dataset
    ds["latitude"].attrs.update(units="degrees_north", standard_name="latitude")
    ds["longitude"].attrs.update(units="degrees_east", standard_name="longitude")
    ds["time"].attrs.update(standard_name="time", long_name="valid time (UTC)")
    ds.attrs.update(source=f"GRIB file {source}", decoder="pygrib (ecCodes)", time_zone="UTC",
                    runs=", ".join(f"{r:%Y-%m-%d %H:%M}" for r in sorted(runs)))
    if other_grids:
        ds.attrs["not_read"] = f"{', '.join(other_grids)}: on another grid than the other variables"
    return ds
