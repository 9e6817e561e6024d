"""Guangxi PM2.5 at 1–72 h with the product's stacked hourly model, with and without the persistence anchor.

Rolling origin with monthly refits (as bench_forecast_guangxi.py: origins 2019-01-31 23:00, then each month
end; forecasts issued every hour of the next month, Feb–Jun 2019), neighbouring cities as inputs, one model
for all 72 horizons (6 random horizons per issue time, as the shipped model).  Prints RMSE of P50 and of the
point forecast, persistence RMSE on the same cases, and coverage of the 80 % interval per horizon; ~10 min.

    python benchmarks/bench_forecast_short_horizons.py [--max-rows N] [--only anchored|plain]
"""
from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
HORIZONS = (1, 2, 3, 6, 12, 24, 48, 72)


def run(anchored: bool, rows: int) -> pd.DataFrame:
    """One backtest; per-horizon scores."""
    from console.forecast_io import demo_guangxi
    from forecasting.backtest import run_backtest
    from forecasting.models import TrainConfig

    gx, nb = demo_guangxi()
    cfg = TrainConfig(max_rows=rows, max_iter=150, n_threads=1, spread_max_iter=80, spread_max_rows=rows // 2,
                      horizons_per_row=6, persistence_anchor=anchored)
    t0 = time.perf_counter()
    res = run_backtest(gx, "PM2.5", list(range(1, 73)), "2019-01-31 23:00", "2019-06-30 23:00", met="none",
                       neighbours=nb, cfg=cfg, refit="monthly")
    seconds = time.perf_counter() - t0
    d = res.predictions
    series = gx["PM2.5"].to_series()
    key = pd.MultiIndex.from_arrays([d["site"].astype(str).to_numpy(), pd.to_datetime(d["issue_time"]).to_numpy()])
    d = d.assign(latest=series.reindex(key).to_numpy())
    out = []
    for h in HORIZONS:
        x = d[d["horizon"] == h]
        o = x["observed"].to_numpy(float)
        ok = np.isfinite(o) & np.isfinite(x["latest"].to_numpy(float))
        rmse = {c: float(np.sqrt(np.mean((x[c].to_numpy(float)[ok] - o[ok]) ** 2))) for c in ("p50", "point", "latest")}
        cov = float(np.mean((o[ok] >= x["p10"].to_numpy(float)[ok]) & (o[ok] <= x["p90"].to_numpy(float)[ok])))
        out.append(dict(model="anchored" if anchored else "plain", h=h, n=int(ok.sum()), p50=rmse["p50"],
                        point=rmse["point"], persistence=rmse["latest"], coverage_80=cov, seconds=round(seconds)))
    return pd.DataFrame(out)


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--max-rows", type=int, default=60_000)
    ap.add_argument("--only", choices=["anchored", "plain"], default=None)
    args = ap.parse_args(argv)
    variants = [v for v in (True, False) if args.only is None or (v == (args.only == "anchored"))]
    table = pd.concat([run(v, args.max_rows) for v in variants])
    print("| model | h | n | RMSE P50 | RMSE point | RMSE persistence | cov. 80 % |")
    print("|---|---|---|---|---|---|---|")
    for r in table.itertuples():
        print(f"| {r.model} | {r.h} | {r.n} | {r.p50:.2f} | {r.point:.2f} | {r.persistence:.2f} | {r.coverage_80:.3f} |")
    print("wall per backtest (s): " + ", ".join(f"{m} {s}" for m, s in table.groupby("model")["seconds"].first().items()))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
