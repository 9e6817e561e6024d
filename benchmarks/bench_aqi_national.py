"""AQI for a national-scale year: ~1,700 stations × 8,760 h × 6 pollutants (goal: under 10 s).

    python benchmarks/bench_aqi_national.py [--stations 1700] [--hours 8760]

Concentrations are synthetic (seeded gamma distributions with realistic means); only speed is measured.
Both conventions are timed; moving means are derived inside (as for files that lack them).
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import xarray as xr

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from benchmarks._common import save, timer  # noqa: E402
from models import aqi  # noqa: E402

MEANS = {"SO2": 10, "NO2": 30, "PM10": 70, "PM2.5": 40, "CO": 0.9, "O3": 70}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--stations", type=int, default=1700)
    ap.add_argument("--hours", type=int, default=8760)
    a = ap.parse_args()
    rng = np.random.default_rng(42)
    times = pd.date_range("2025-06-01T01:00", periods=a.hours, freq="h")  # crosses 2026-03-01: both rule sets
    ds = xr.Dataset({p: (("site", "time"), rng.gamma(2.0, m / 2.0, (a.stations, a.hours)).astype(float))
                     for p, m in MEANS.items()},
                    coords={"site": np.arange(a.stations).astype(str), "time": times})
    r: dict = {}
    with timer(r, "hourly_standard"):
        res = aqi.hourly_aqi(ds, "auto", "standard")
    with timer(r, "hourly_published"):
        aqi.hourly_aqi(ds, "auto", "published")
    values = a.stations * a.hours * len(MEANS)
    print(f"national-scale AQI: {a.stations} stations × {a.hours} h × 6 pollutants = {values / 1e6:.1f} M values")
    for k, v in r.items():
        print(f"  {k:<18} {v['wall_s']:6.2f} s wall  (goal 10 s → {v['wall_s'] / 10:.2f} of goal)"
              f"  {values / v['wall_s'] / 1e6:5.1f} M values/s")
    print(f"  rule versions used: {sorted(set(res['rule_version'].values))}")
    print(f"  results: {save('aqi_national', {'stations': a.stations, 'hours': a.hours, 'timings': r})}")


if __name__ == "__main__":
    main()
