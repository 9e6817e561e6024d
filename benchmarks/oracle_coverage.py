"""How many hours above 150 µg/m³ can a *calibrated* 80 % interval hold, given a model's information?

Issue 5 asks for P(> 150) reliable across the whole range *and* for the nominal 80 % interval to cover
≥ 75 % of the hours above 150 µg/m³. This script bounds what any recalibration of a saved forecast can reach,
using hindsight (the scored year itself), so the numbers are ceilings, not forecasts:

* **calibrated oracle** — within each cell (bins of the forecast's P(> 150), optionally × P50 quintile × valid
  month), the PIT values of the scored year are made uniform: the cell's 80 % interval runs between its own
  10th and 90th PIT percentiles. Every cell then holds 80 %, its P(> c) is reliable at every threshold, and the
  ranking inside a cell is the model's. The share of hours above 150 inside is what a calibrated forecast with
  that information reaches.
* **tail-free ceiling** — only P(> 150) must be reliable: an hour above 150 can be inside the interval only if
  its reliable P(> 150) (the cell's observed frequency) is at least 0.1, since P90 ≥ y > 150 needs P(> 150) ≥ 0.1.
  The upper tail above 150 is left free, so P(> 200), P(> 250) … would be overstated to get there.

Input: a predictions CSV with ``observed``, ``p10``, ``p90``, ``p50`` and the quantile columns ``q0.05`` …
``q0.95`` (what ``bench_forecast_beijing.py`` writes). ~10 s per file::

    python benchmarks/oracle_coverage.py benchmarks/results/beijing_hourly24_current_predictions.csv.gz [...]
"""
from __future__ import annotations

import argparse
import re
import sys

import numpy as np
import pandas as pd

THRESHOLD = 150.0


def pit_and_exceedance(p: pd.DataFrame, threshold: float = THRESHOLD) -> tuple[np.ndarray, np.ndarray]:
    """PIT of each observation and P(> threshold), interpolated in log1p space between the saved quantiles.

    Beyond the outer saved levels the CDF is held at half the outer level's distance to 0 or 1."""
    cols = sorted((c for c in p.columns if re.fullmatch(r"q0\.\d+", c)), key=lambda c: float(c[1:]))
    if len(cols) < 5:
        raise SystemExit("the predictions file has no quantile columns q0.05 … q0.95")
    levels = np.array([float(c[1:]) for c in cols])
    lq = np.log1p(np.maximum(np.sort(p[cols].to_numpy(float), axis=1), 0.0))
    lo_tail, hi_tail = levels[0] / 2, (1 + levels[-1]) / 2

    def cdf(v: np.ndarray) -> np.ndarray:
        k = (lq <= v[:, None]).sum(axis=1)                        # levels at or below v
        inner = (k > 0) & (k < len(levels))
        out = np.where(k == 0, lo_tail, hi_tail).astype(float)
        i = np.where(inner)[0]
        a, b = lq[i, k[i] - 1], lq[i, k[i]]
        w = np.where(b > a, (v[i] - a) / np.where(b > a, b - a, 1.0), 1.0)
        out[i] = levels[k[i] - 1] + w * (levels[k[i]] - levels[k[i] - 1])
        return out

    ly = np.log1p(np.maximum(p["observed"].to_numpy(float), 0.0))
    return cdf(ly), 1.0 - cdf(np.full(len(p), np.log1p(threshold)))


def cells(p: pd.DataFrame, p_exceed: np.ndarray, how: str) -> np.ndarray:
    """Cell of each row: bins of P(> 150) (0.1 wide up to 0.6), optionally × P50 quintile × valid month."""
    cell = np.digitize(p_exceed, [0.1, 0.2, 0.3, 0.4, 0.5, 0.6]).astype(np.int64)
    if how in ("p50", "month"):
        cell = cell * 10 + np.digitize(p["p50"], np.quantile(p["p50"], [0.2, 0.4, 0.6, 0.8]))
    if how == "month":
        cell = cell * 100 + pd.to_datetime(p["valid_time"]).dt.month.to_numpy()
    return cell


def oracle(p: pd.DataFrame, how: str = "bins", threshold: float = THRESHOLD) -> dict:
    """Coverage (all hours, hours above ``threshold``) of the hindsight-calibrated 80 % interval in ``how``'s
    cells, the tail-free ceiling, and the saved forecast's own coverage."""
    p = p[np.isfinite(p["observed"])].reset_index(drop=True)
    pit, p_exceed = pit_and_exceedance(p, threshold)
    y = p["observed"].to_numpy(float)
    above = y > threshold
    cell = cells(p, p_exceed, how)
    inside = np.zeros(len(p), bool)
    reliable_p = np.zeros(len(p))
    for k in np.unique(cell):
        m = cell == k
        lo, hi = np.quantile(pit[m], [0.1, 0.9])
        inside[m] = (pit[m] >= lo) & (pit[m] <= hi)
        reliable_p[m] = above[m].mean()
    own = (y >= p["p10"].to_numpy(float)) & (y <= p["p90"].to_numpy(float))
    return dict(cells=int(len(np.unique(cell))), rows=int(len(p)), hours_above=int(above.sum()),
                own_all=float(own.mean()), own_above=float(own[above].mean()),
                oracle_all=float(inside.mean()), oracle_above=float(inside[above].mean()),
                tail_free_ceiling=float((reliable_p[above] >= 0.1).mean()))


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("predictions", nargs="+", help="predictions CSV(.gz) with quantile columns")
    ap.add_argument("--threshold", type=float, default=THRESHOLD, help="µg/m³ (default 150)")
    args = ap.parse_args(argv)
    print("| file | cells | hours above | own cover all / above | calibrated oracle all / above | tail-free ceiling |")
    print("|---|---|---|---|---|---|")
    for path in args.predictions:
        p = pd.read_csv(path)
        for how in ("bins", "p50", "month"):
            r = oracle(p, how, args.threshold)
            label = {"bins": "P(>c) bins", "p50": "× P50 quintiles", "month": "× P50 × valid month"}[how]
            print(f"| {path} | {label} ({r['cells']}) | {r['hours_above']} | {r['own_all']:.3f} / "
                  f"{r['own_above']:.3f} | {r['oracle_all']:.3f} / {r['oracle_above']:.3f} | "
                  f"{r['tail_free_ceiling']:.3f} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
