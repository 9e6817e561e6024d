"""Ingest speed: rows/s of Lantian (read + validate + store) next to plain pandas.read_csv, in one run.

    python benchmarks/bench_ingest.py                      # Guangxi file + a national-scale year
    python benchmarks/bench_ingest.py --stations 300 --days 60   # a smaller generated file

1. The real Guangxi city-hourly file (../shared/data/cnemc, or the copy shipped in resources/demo).
2. A generated national-scale year in the station "sites" wide layout (``date,hour,type,<code>…``,
   15 types per hour, ~1,700 station columns) — synthetic values, seeded; only speed is measured.
Goal (issue): Lantian within 2× of the raw pandas parse.  Reported: parse-only ratio and
parse+store ratio, into a fresh SQLite database.
"""
from __future__ import annotations

import argparse
import gzip
import shutil
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from benchmarks._common import ROOT, SHARED, save  # noqa: E402
from console.ingest import read_file  # noqa: E402
from console.ingest.cnemc import SERIES  # noqa: E402
from console.store import Store  # noqa: E402
from console.store.repository import Repository  # noqa: E402


def generate_sites_year(path: Path, stations: int, days: int, seed: int = 1) -> int:
    """Write a synthetic sites-layout file; returns its number of data rows.

    Values come from a pool of 64 pre-formatted random rows per type (gamma-distributed, ~2 % missing)
    so that writing a gigabyte takes seconds; only parsing and storing speed is measured.
    """
    rng = np.random.default_rng(seed)
    codes = [f"{1001 + i}A" for i in range(stations)]
    pool = {}
    for typ in SERIES:
        block = rng.gamma(2.0, 20.0, (64, stations)).round(0)
        block[rng.random(block.shape) < 0.02] = np.nan
        pool[typ] = [",".join("" if np.isnan(v) else f"{v:.0f}" for v in row) for row in block]
    pick = rng.integers(0, 64, size=(days * 24, len(SERIES)))
    start = pd.Timestamp("2019-01-01")
    rows = 0
    with open(path, "w", encoding="utf-8") as fh:
        fh.write("date,hour,type," + ",".join(codes) + "\n")
        for d in range(days):
            date = (start + pd.Timedelta(days=d)).strftime("%Y%m%d")
            for h in range(24):
                k = d * 24 + h
                fh.write("".join(f"{date},{h},{typ},{pool[typ][pick[k, j]]}\n" for j, typ in enumerate(SERIES)))
                rows += len(SERIES)
    return rows


def measure(path: Path, label: str, rows: int | None = None, repeat: int = 3) -> dict:
    """Best of ``repeat`` runs of each step (the first run also warms the file cache for both tools)."""
    t_pandas = t_parse = t_store = float("inf")
    for _ in range(repeat):
        t = time.perf_counter()
        raw = pd.read_csv(path)
        t_pandas = min(t_pandas, time.perf_counter() - t)
        rows = rows or len(raw)
        del raw
        t = time.perf_counter()
        res = read_file(path)
        t_parse = min(t_parse, time.perf_counter() - t)
        with tempfile.TemporaryDirectory() as tmp:
            repo = Repository(Store(f"sqlite:///{tmp}/bench.db"))
            t = time.perf_counter()
            rep = repo.ingest(res)
            t_store = min(t_store, time.perf_counter() - t)
        del res
    out = {"file": str(path), "rows": rows, "values": rep.values_new, "pandas_read_csv_s": t_pandas,
           "lantian_parse_s": t_parse, "lantian_store_s": t_store,
           "ratio_parse": t_parse / t_pandas, "ratio_total": (t_parse + t_store) / t_pandas}
    print(f"{label}: {rows:,} rows, {rep.values_new:,} values")
    print(f"  pandas.read_csv        {t_pandas:8.2f} s  {rows / t_pandas:12,.0f} rows/s")
    print(f"  Lantian read+validate  {t_parse:8.2f} s  {rows / t_parse:12,.0f} rows/s   ratio {out['ratio_parse']:.2f}× (goal ≤ 2×)")
    print(f"  Lantian + store        {t_parse + t_store:8.2f} s  {rows / (t_parse + t_store):12,.0f} rows/s   "
          f"ratio {out['ratio_total']:.2f}× (goal ≤ 2×)")
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--stations", type=int, default=1700)
    ap.add_argument("--days", type=int, default=365)
    ap.add_argument("--skip-national", action="store_true")
    a = ap.parse_args()
    results = {}
    with tempfile.TemporaryDirectory() as tmp:
        gx = SHARED / "cnemc" / "guangxi_14cities_hourly_20181201_20190630.csv"
        if not gx.exists():
            gx = Path(tmp) / "guangxi.csv"
            with gzip.open(ROOT / "resources" / "demo" / "guangxi_city_hourly.csv.gz", "rb") as s, open(gx, "wb") as d:
                shutil.copyfileobj(s, d)
        results["guangxi"] = measure(gx, "Guangxi 14 cities, 2018-12…2019-06")
        if not a.skip_national:
            f = Path(tmp) / "national_sites.csv"
            t = time.perf_counter()
            n = generate_sites_year(f, a.stations, a.days)
            print(f"(generated {f.stat().st_size / 1e6:,.0f} MB in {time.perf_counter() - t:.0f} s)")
            results["national"] = measure(f, f"National-scale sites layout: {a.stations} stations × {a.days} days", n,
                                          repeat=1)
    print(f"results: {save('ingest', results)}")


if __name__ == "__main__":
    main()
