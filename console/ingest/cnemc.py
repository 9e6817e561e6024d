"""Readers for the national monitoring network (CNEMC) publication formats.

* ``cnemc-city``  — city hourly: ``date,hour,城市,AQI,PM2.5,PM2.5_24h,…,CO,CO_24h``
* ``cnemc-sites`` — station "sites" wide layout: ``date,hour,type,<station code>…``
* ``cnemc-realtime`` — the current real-time station feed (``timepoint,stationcode,…``)
* ``cnemc-stations`` — the national station list (``监测点编码,监测点名称,城市,经度,纬度,对照点``)

All concentrations µg/m³, CO mg/m³, Beijing time, hour-ending labels.
"""
from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from console.errors import InputError, RowProblem
from console.ingest.common import (ReadResult, SiteInfo, Table, city_site, city_table, long_to_dataset, parse_csv,
                                   parse_hours, parse_timestamps, stripped_text, to_numbers)

#: published series of the national layouts (hourly value, moving means, published AQI)
SERIES = ("AQI", "PM2.5", "PM2.5_24h", "PM10", "PM10_24h", "SO2", "SO2_24h", "NO2", "NO2_24h",
          "O3", "O3_24h", "O3_8h", "O3_8h_24h", "CO", "CO_24h")
CITY_COLUMNS = ["date", "hour", "城市"]
REALTIME_MAP = {"aqi": "AQI", "pm2_5": "PM2.5", "pm2_5_24h": "PM2.5_24h", "pm10": "PM10", "pm10_24h": "PM10_24h",
                "so2": "SO2", "so2_24h": "SO2_24h", "no2": "NO2", "no2_24h": "NO2_24h", "o3": "O3", "o3_24h": "O3_24h",
                "o3_8h": "O3_8h", "o3_8h_24h": "O3_8h_24h", "co": "CO", "co_24h": "CO_24h"}
STATION_LIST_COLUMNS = ["监测点编码", "监测点名称", "城市", "经度", "纬度"]


def _rows_rejected(table: Table) -> int:
    return len({p.line for p in table.problems if p.field is None or p.field in ("date", "hour", "timepoint", "城市", "type")})


def read_city_hourly(path: Path, text: str) -> ReadResult:
    """National city-hourly layout (one row per city and hour)."""
    table = parse_csv(path, text, required=CITY_COLUMNS, text_columns=("date", "城市"))
    series = [c for c in table.header if c in SERIES]
    if not series:
        raise InputError(path, "no pollutant columns (expected e.g. PM2.5, PM10, SO2, NO2, O3, CO)", line=1)
    t = parse_hours(path, table, "date", "hour")
    names = stripped_text(table, "城市")
    sites = {n: city_site(n) for n in pd.unique(names)}
    codes = np.array([sites[n].code for n in names], dtype=object)
    values = {c: to_numbers(path, table, c) for c in series}
    ds = long_to_dataset(codes, t, values, path, table)
    return ReadResult(str(path), "cnemc-city", ds, {s.code: s for s in sites.values()}, table.problems,
                      rows_read=len(table.frame) + len([p for p in table.problems if p.field is None]),
                      rows_rejected=_rows_rejected(table))


def read_sites_wide(path: Path, text: str) -> ReadResult:
    """Station wide layout: one row per hour × type, one column per station code."""
    table = parse_csv(path, text, required=["date", "hour", "type"], text_columns=("date", "type"))
    codes = [c for c in table.header if c not in ("date", "hour", "type")]
    if not codes:
        raise InputError(path, "no station columns after date,hour,type", line=1)
    t = parse_hours(path, table, "date", "hour")
    typ = stripped_text(table, "type")
    unknown = ~np.isin(typ, SERIES)
    for i in np.flatnonzero(unknown):
        table.problems.append(RowProblem(str(path), int(table.lines[i]), "type", typ[i], "unknown type (row skipped)",
                                         severity="warning"))
    vals = np.column_stack([to_numbers(path, table, c) for c in codes]) if len(table.frame) else np.empty((0, len(codes)))
    tidx = pd.DatetimeIndex(t)
    ok = ~pd.isna(t) & ~unknown
    times = pd.DatetimeIndex(np.unique(t[ok]))
    import xarray as xr
    data = {}
    for s in [s for s in SERIES if s in set(typ[ok])]:
        rows = np.flatnonzero(ok & (typ == s))
        pos = times.get_indexer(tidx[rows])
        arr = np.full((len(codes), len(times)), np.nan)
        arr[:, pos] = vals[rows].T  # a repeated (hour, type) row overwrites: the later row wins
        data[s] = (("site", "time"), arr)
    ds = xr.Dataset(data, coords={"site": np.array(codes, dtype=object), "time": times.values})
    from console.ingest.common import annotate
    sites = {c: SiteInfo(code=c, kind="station") for c in codes}
    return ReadResult(str(path), "cnemc-sites", annotate(ds), sites, table.problems,
                      rows_read=len(table.frame), rows_rejected=_rows_rejected(table))


def read_realtime(path: Path, text: str) -> ReadResult:
    """The current real-time station feed layout (``timepoint`` ISO time, ``stationcode``)."""
    table = parse_csv(path, text, required=["timepoint", "stationcode"], text_columns=("timepoint", "stationcode", "area", "positionname", "primarypollutant"))
    t = parse_timestamps(path, table, "timepoint")
    codes = table.frame["stationcode"].astype(str).str.strip().to_numpy(dtype=object)
    values = {REALTIME_MAP[c]: to_numbers(path, table, c) for c in table.header if c in REALTIME_MAP}
    sites: dict[str, SiteInfo] = {}
    lon = to_numbers(path, table, "longitude", allow_negative=True) if "longitude" in table.header else None
    lat = to_numbers(path, table, "latitude", allow_negative=True) if "latitude" in table.header else None
    names = table.frame["positionname"].astype(str).str.strip().tolist() if "positionname" in table.header else [""] * len(codes)
    areas = table.frame["area"].astype(str).str.strip().tolist() if "area" in table.header else [""] * len(codes)
    for i, c in enumerate(codes):
        name, area = names[i], areas[i]
        city = city_table().get(area, {})
        sites[c] = SiteInfo(code=c, kind="station", name_zh=name.replace("(对照点)", ""), city_code=city.get("code"),
                            city_zh=area, lon=None if lon is None else float(lon[i]),
                            lat=None if lat is None else float(lat[i]), background="对照点" in name)
    ds = long_to_dataset(codes, t, values, path, table)
    return ReadResult(str(path), "cnemc-realtime", ds, sites, table.problems,
                      rows_read=len(table.frame), rows_rejected=_rows_rejected(table))


def read_station_list(path: Path, text: str) -> ReadResult:
    """National station list: station metadata only (no observations)."""
    import xarray as xr

    table = parse_csv(path, text, required=STATION_LIST_COLUMNS, text_columns=("监测点编码", "监测点名称", "城市", "对照点"))
    lon = to_numbers(path, table, "经度", allow_negative=True)
    lat = to_numbers(path, table, "纬度", allow_negative=True)
    sites = {}
    for i in range(len(table.frame)):
        row = table.frame.iloc[i]
        code = str(row["监测点编码"]).strip()
        if not code:
            table.problems.append(RowProblem(str(path), int(table.lines[i]), "监测点编码", "", "empty station code"))
            continue
        bad_coord = not (70 <= lon[i] <= 140 and 0 <= lat[i] <= 60)
        if bad_coord:
            table.problems.append(RowProblem(str(path), int(table.lines[i]), "经度/纬度", f"{lon[i]},{lat[i]}",
                                             "coordinates outside China (station kept without position)", "warning"))
        city = city_table().get(str(row["城市"]).strip(), {})
        bg = str(row.get("对照点", "N")).strip().upper() == "Y"
        sites[code] = SiteInfo(code=code, kind="station", name_zh=str(row["监测点名称"]).strip(),
                               city_code=city.get("code"), city_zh=city.get("name_zh", str(row["城市"]).strip()),
                               lon=None if bad_coord else float(lon[i]), lat=None if bad_coord else float(lat[i]),
                               background=bg)
    return ReadResult(str(path), "cnemc-stations", xr.Dataset(coords={"site": [], "time": []}), sites, table.problems,
                      rows_read=len(table.frame), rows_rejected=_rows_rejected(table), stations_only=True)
