"""Generic CSV reader driven by a column mapping — analysts' own data.

A mapping (JSON file or dict) says where time, site and each variable live and in which unit::

    {"name": "my-logger",
     "time": {"columns": ["year", "month", "day", "hour"]}      # or {"column": "datetime", "format": "%Y-%m-%d %H:%M"}
     "time_label": "hour-ending",                               # or "hour-beginning" (shifted +1 h)
     "timezone": "Asia/Shanghai",                               # or "UTC", "+08:00" …
     "site": {"column": "station"},                             # or {"value": "Dongsi"}
     "variables": {"PM2.5": {"column": "PM2.5", "unit": "ug/m3"},
                   "CO": {"column": "CO", "unit": "ug/m3"},     # converted to mg/m3
                   "NO2": {"column": "no2_ppb", "unit": "ppb"}, # converted at 298.15 K, 1013.25 hPa
                   "WD": {"column": "wd", "kind": "compass16"}},
     "na_values": ["NA"]}

Presets (``beijing-prsa``) live in ``resources/reference/csv_presets.json``.
"""
from __future__ import annotations

import json
from importlib import resources
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from console.errors import InputError, RowProblem
from console.ingest.common import (TIMEZONE, UNITS, ReadResult, SiteInfo, city_site, long_to_dataset, parse_csv,
                                   parse_timestamps, to_numbers)

#: molar masses (g/mol) for ppb → µg/m³ at the GB 3095 gaseous reference state (298.15 K, 1013.25 hPa)
MOLAR_MASS = {"SO2": 64.066, "NO2": 46.0055, "O3": 47.997, "CO": 28.010}
MOLAR_VOLUME_L = 24.465
COMPASS16 = {d: i * 22.5 for i, d in enumerate(
    ["N", "NNE", "NE", "ENE", "E", "ESE", "SE", "SSE", "S", "SSW", "SW", "WSW", "W", "WNW", "NW", "NNW"])}
SIGNED = {"TEMP", "DEWP"}


def presets() -> dict[str, dict]:
    """Named column mappings shipped with the product."""
    doc = json.loads(resources.files("resources.reference").joinpath("csv_presets.json").read_text(encoding="utf-8"))
    return doc["presets"]


def load_mapping(spec: str | Path | dict) -> dict[str, Any]:
    """A mapping from a preset name, a JSON file path or a dict."""
    if isinstance(spec, dict):
        return spec
    if str(spec) in presets():
        return presets()[str(spec)]
    p = Path(spec)
    if not p.exists():
        raise InputError(p, f"no such mapping file or preset (presets: {', '.join(presets())})")
    try:
        return json.loads(p.read_text(encoding="utf-8"))
    except json.JSONDecodeError as exc:
        raise InputError(p, f"mapping is not valid JSON ({exc.msg})", line=exc.lineno) from None


def unit_factor(var: str, unit: str | None, path: Path) -> float:
    """Multiplier from ``unit`` to the canonical unit of ``var``."""
    target = UNITS.get(var)
    unit = (unit or target or "").replace("µ", "u").replace("μ", "u").replace("³", "3").lower()
    if target is None or unit == target.lower():
        return 1.0
    if target == "mg/m3" and unit == "ug/m3":
        return 1e-3
    if target == "ug/m3" and unit == "mg/m3":
        return 1e3
    if unit in ("ppb", "ppm") and var in MOLAR_MASS:
        f = MOLAR_MASS[var] / MOLAR_VOLUME_L * (1000.0 if unit == "ppm" else 1.0)  # → µg/m³
        return f * (1e-3 if target == "mg/m3" else 1.0)
    raise InputError(path, f"cannot convert {var} from '{unit}' to {target}", field=var)


def _offset_hours(tz: str) -> float:
    if tz in ("Asia/Shanghai", "Beijing", "CST", "+08:00", "+0800", "UTC+8"):
        return 8.0
    if tz in ("UTC", "GMT", "Z", "+00:00"):
        return 0.0
    try:
        return pd.Timestamp("2000-01-01", tz=tz).utcoffset().total_seconds() / 3600
    except Exception:
        sign = -1 if tz.startswith("-") else 1
        hh, _, mm = tz.lstrip("+-").partition(":")
        return sign * (int(hh) + int(mm or 0) / 60)


def read_mapped_csv(path: Path, text: str, mapping: dict[str, Any]) -> ReadResult:
    """Read a CSV with a user mapping; units normalised, times converted to Beijing hour-ending labels."""
    tspec = mapping.get("time") or {}
    variables: dict[str, dict] = mapping.get("variables") or {}
    if not variables:
        raise InputError(path, "the column mapping names no variables")
    required = list(tspec.get("columns", [])) + ([tspec["column"]] if "column" in tspec else [])
    required += [v["column"] for v in variables.values()]
    if "column" in (mapping.get("site") or {}):
        required.append(mapping["site"]["column"])
    text_cols = tuple(c for c in [tspec.get("column"), (mapping.get("site") or {}).get("column")] if c)
    text_cols += tuple(v["column"] for v in variables.values() if v.get("kind") == "compass16")
    table = parse_csv(path, text, required=required, text_columns=text_cols)
    na = tuple(mapping.get("na_values", [])) + ("", "NA", "NaN", "nan", "null", "-")
    if "columns" in tspec:
        parts = [pd.to_numeric(table.frame[c].astype(str).str.strip(), errors="coerce") for c in tspec["columns"]]
        names = ["year", "month", "day", "hour", "minute"][: len(parts)]
        t = pd.to_datetime(pd.DataFrame(dict(zip(names, parts))), errors="coerce").to_numpy().astype("datetime64[ns]")
        for i in np.flatnonzero(pd.isna(t)):
            vals = "-".join(str(table.frame[c].iloc[i]) for c in tspec["columns"])
            table.problems.append(RowProblem(str(path), int(table.lines[i]), "/".join(tspec["columns"]), vals, "impossible date"))
    elif "column" in tspec:
        t = parse_timestamps(path, table, tspec["column"], tspec.get("format"))
    else:
        raise InputError(path, "the column mapping has no 'time' entry")
    shift = 8.0 - _offset_hours(mapping.get("timezone", TIMEZONE))
    if mapping.get("time_label", "hour-ending") == "hour-beginning":
        shift += 1.0
    if shift:
        t = t + np.timedelta64(int(round(shift * 3600)), "s")
    site_spec = mapping.get("site") or {"value": path.stem}
    if "column" in site_spec:
        raw_sites = table.frame[site_spec["column"]].astype(str).str.strip().to_numpy(dtype=object)
    else:
        raw_sites = np.full(len(table.frame), str(site_spec["value"]), dtype=object)
    kind = site_spec.get("kind", "user")
    sites: dict[str, SiteInfo] = {}
    for s in pd.unique(raw_sites):
        sites[s] = city_site(s) if kind == "city" else SiteInfo(code=s, kind=kind, name_zh=s, name_en=s)
    codes = np.array([sites[s].code for s in raw_sites], dtype=object)
    values = {}
    for var, spec in variables.items():
        col = spec["column"]
        if spec.get("kind") == "compass16":
            s = table.frame[col].astype(str).str.strip().str.upper()
            deg = s.map(COMPASS16).to_numpy(dtype=float)
            for i in np.flatnonzero(np.isnan(deg) & ~s.isin([x.upper() for x in na]).to_numpy()):
                table.problems.append(RowProblem(str(path), int(table.lines[i]), col, s.iloc[i], "unknown compass direction"))
            values[var] = deg
            continue
        values[var] = to_numbers(path, table, col, allow_negative=var in SIGNED, na_tokens=na) * unit_factor(var, spec.get("unit"), path)
    ds = long_to_dataset(codes, t, values, path, table)
    ds.attrs["mapping"] = mapping.get("name", "custom")
    rejected = len({p.line for p in table.problems if p.field is None or p.reason == "impossible date"})
    return ReadResult(str(path), "csv-mapped", ds, {s.code: s for s in sites.values()}, table.problems,
                      rows_read=len(table.frame), rows_rejected=rejected)
