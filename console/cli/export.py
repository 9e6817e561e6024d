"""``lantian export``: any subset of the store to NetCDF (CF) or CSV."""
from __future__ import annotations

from pathlib import Path

import numpy as np

from console.atomic import atomic_path, atomic_write
from console.cli import EXIT_OK
from console.cli._common import open_store
from console.errors import LantianError
from console.store.repository import Repository


def register(sub) -> None:
    p = sub.add_parser("export", help="export observations to NetCDF or CSV",
                       description="Export a subset of the store (sites × variables × period) as CF NetCDF (.nc) or "
                                   "long CSV (.csv). Times are hour-ending Beijing time.")
    p.add_argument("--out", required=True, metavar="FILE.nc|FILE.csv")
    p.add_argument("--sites", help="comma-separated site codes or names (default: all)")
    p.add_argument("--variables", help="comma-separated variables (default: all)")
    p.add_argument("--start", help="first hour, e.g. 2019-01-01 or 2019-01-01T08:00")
    p.add_argument("--end", help="last hour (inclusive)")
    p.add_argument("--kind", choices=["station", "city", "user"], help="only sites of this kind")
    p.add_argument("--flags", action="store_true", help="include quality-flag variables")
    p.set_defaults(func=run)


def run(args) -> int:
    repo = Repository(open_store(args))
    split = lambda s: [x.strip() for x in s.split(",") if x.strip()] if s else None  # noqa: E731
    ds = repo.load(sites=split(args.sites), variables=split(args.variables), start=args.start, end=args.end,
                   kind=args.kind, flags=args.flags)
    if not ds.sizes.get("time"):
        raise LantianError("nothing to export: no observations match")
    out = Path(args.out)
    if out.suffix.lower() in (".nc", ".nc4", ".netcdf"):
        export_netcdf(ds, out)
    elif out.suffix.lower() == ".csv":
        frame = ds.drop_vars([c for c in ds.coords if c not in ("site", "time", "name_zh")]).to_dataframe().reset_index()
        frame["time"] = frame["time"].dt.strftime("%Y-%m-%dT%H:%M:%S+08:00")
        frame = frame.dropna(subset=[v for v in ds.data_vars if not v.endswith("_flag")], how="all")
        with atomic_write(out, "w", encoding="utf-8", newline="") as fh:
            frame.to_csv(fh, index=False)
    else:
        raise LantianError(f"{out}: unknown output type (use .nc or .csv)")
    print(f"{out}: {ds.sizes['site']} sites × {ds.sizes['time']} hours × {len(ds.data_vars)} variables")
    return EXIT_OK


def export_netcdf(ds, out: Path) -> None:
    """Write CF NetCDF atomically; times in UTC (``hours since 1970-01-01 00:00:00 UTC``), hour-ending."""
    ds = ds.copy()
    ds = ds.assign_coords(time=ds["time"].values - np.timedelta64(8, "h"))
    ds["time"].attrs.update(standard_name="time", long_name="end of the averaging hour (hour-ending label)",
                            time_zone="UTC", comment="Beijing time = UTC + 8 h")
    for c in ("site", "name_zh", "name_en", "kind", "city"):
        if c in ds.coords:
            ds[c] = ds[c].astype(str)
    enc = {"time": {"units": "hours since 1970-01-01 00:00:00", "calendar": "standard", "dtype": "int64"}}
    for v in ds.data_vars:
        if ds[v].dtype.kind == "f":
            enc[v] = {"zlib": True, "complevel": 4, "_FillValue": -9999.0}
    ds.attrs["site_kind"] = ",".join(sorted(set(map(str, ds["kind"].values)))) if "kind" in ds.coords else ""
    with atomic_path(out) as tmp:
        ds.to_netcdf(tmp, encoding=enc, engine="netcdf4")
