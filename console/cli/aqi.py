"""``lantian aqi``: AQI per site and hour (or day) from any supported input file."""
from __future__ import annotations

import json
import sys
from pathlib import Path

import pandas as pd
import xarray as xr

from console.atomic import atomic_write
from console.cli import EXIT_PARTIAL, EXIT_USAGE
from console.cli._common import ExitStatus, print_problems, read_each
from console.errors import LantianError
from console.ingest import FORMATS
from models import aqi as aqi_model
from models.air_standard import daily_statistics

CONCENTRATIONS = ("SO2", "NO2", "PM10", "PM2.5", "CO", "O3", "SO2_24h", "NO2_24h", "PM10_24h", "PM2.5_24h", "CO_24h", "O3_8h")


def register(sub) -> None:
    p = sub.add_parser("aqi", help="compute AQI (HJ 633-2012/2026) from input files",
                       description="Compute IAQI, AQI, level and primary pollutant(s) per site and hour from any "
                                   "supported input. Output columns: site,time,aqi,level,primary_pollutant,"
                                   "iaqi_SO2,iaqi_NO2,iaqi_PM10,iaqi_PM2.5,iaqi_CO,iaqi_O3 (time: hour-ending, "
                                   "ISO 8601 with +08:00). The rule versions used are written to FILE.meta.json.")
    p.add_argument("inputs", nargs="+", metavar="INPUT")
    p.add_argument("--out", required=True, metavar="FILE.csv")
    p.add_argument("--standard", default="auto", choices=["auto", "hj633-2012", "hj633-2026"],
                   help="rule set (default auto: by timestamp, HJ 633-2026 from 2026-03-01)")
    p.add_argument("--convention", default="standard", choices=["standard", "published"],
                   help="'standard' follows the text of the standard; 'published' reproduces the national "
                        "real-time platform (PM IAQI from 1-h values, O3 from 1-h only, rounded half up)")
    p.add_argument("--daily", action="store_true", help="daily report (natural days, GB 3095 validity) instead of hourly")
    p.add_argument("--format", default="auto", choices=["auto", *FORMATS])
    p.add_argument("--map", dest="mapping", help="column mapping for --format csv")
    p.set_defaults(func=run)


def compute(ds: xr.Dataset, standard: str, convention: str, daily: bool) -> pd.DataFrame:
    """AQI table for one input dataset (rows: site × hour or day)."""
    conc = ds[[v for v in CONCENTRATIONS if v in ds]]
    if not conc.data_vars:
        raise LantianError("the input holds no pollutant concentrations (SO2, NO2, PM10, PM2.5, CO, O3)")
    d = None
    if daily:
        d = daily_statistics(conc[[v for v in ("SO2", "NO2", "PM10", "PM2.5", "CO", "O3") if v in conc]])
        res = aqi_model.daily_aqi(d[[v for v in d.data_vars if v.endswith("_24h") or v in ("O3", "O3_8h")]], standard)
    else:
        res = aqi_model.hourly_aqi(conc, standard=standard, convention=convention)
    versions = pd.Series(res["rule_version"].values, index=pd.DatetimeIndex(res["time"].values))
    res = res[[v for v in res.data_vars if v != "rule_version"]]
    frame = aqi_model.to_frame(res)
    # one row per site and hour (or day) the input has data for; padded gaps are not rows
    source = d if daily else conc
    present = source[[v for v in source.data_vars if not v.startswith(("n_", "valid_"))]].to_array().notnull().any("variable")
    present = present.transpose("site", "time").reindex_like(res["aqi"].transpose("site", "time"), fill_value=False)
    frame = frame[present.values.reshape(-1)]
    t = pd.DatetimeIndex(frame["time"])
    frame = frame.assign(rule_version=versions.reindex(t).to_numpy())  # as the engine chose it per hour
    fmt = "%Y-%m-%d" if daily else "%Y-%m-%dT%H:%M:%S+08:00"
    frame["time"] = t.strftime(fmt)
    return frame


def run(args) -> int:
    frames, meta_inputs, status = [], [], ExitStatus()
    for path, res in read_each(args.inputs, args.format, args.mapping, status):
        if res.problems:
            print_problems(res.problems)
            status.worst(EXIT_PARTIAL)
        if res.stations_only:
            print(f"lantian: error: {path}: a station list holds no concentrations", file=sys.stderr)
            status.worst(EXIT_USAGE)
            continue
        try:
            frames.append(compute(res.dataset, args.standard, args.convention, args.daily))
        except LantianError as exc:
            print(f"lantian: error: {path}: {exc}", file=sys.stderr)
            status.worst(EXIT_USAGE)
            continue
        meta_inputs.append({"path": str(Path(path).resolve()), "format": res.format, "sha256": res.sha256,
                            "rows_read": res.rows_read, "problems": len(res.problems)})
    if not frames:
        return EXIT_USAGE
    out = pd.concat(frames, ignore_index=True)
    cols = ["site", "time", "aqi", "level", "primary_pollutant"] + [f"iaqi_{p}" for p in aqi_model.POLLUTANTS]
    versions = sorted(set(out["rule_version"]))
    table = out[cols].copy()
    for c in ["aqi"] + [f"iaqi_{p}" for p in aqi_model.POLLUTANTS]:
        table[c] = table[c].astype("Int64")
    with atomic_write(args.out, "w", encoding="utf-8", newline="") as fh:
        table.to_csv(fh, index=False)
    meta = {"standard": args.standard, "convention": args.convention, "report": "daily" if args.daily else "hourly",
            "rule_versions": versions, "rules": aqi_model.rules_version_tag(), "rows": len(table), "inputs": meta_inputs}
    with atomic_write(str(args.out) + ".meta.json", "w", encoding="utf-8") as fh:
        json.dump(meta, fh, ensure_ascii=False, indent=1)
    print(f"{args.out}: {len(table)} rows ({', '.join(versions)}, convention {args.convention})")
    return status.code
