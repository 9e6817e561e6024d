"""The anchor's log-space interval against the product's calibrated quantiles (hourly PM2.5, 24 h, current met).

The anchor (docs/anchors.md) reports "conformal intervals in log space held 84 % overall and 93 % above
150 µg/m³". That is one symmetric interval around the mean model, ``expm1(log1p(point) ± q)``, with q the
80 % quantile of |log residual| on out-of-sample training cases.  This script fits the product's hourly
24 h model (Beijing, same split as bench_forecast_beijing.py), takes its out-of-sample cross-fit
predictions of the three training years, and scores that interval — and the probabilities P(>150) it
implies — on each training year held out in turn and on the test year.  Prints a table; ~5 min.

    python benchmarks/anchor_interval.py [--max-rows N]
"""
from __future__ import annotations

import argparse
import glob
import sys
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
SHARED = next((p / "shared" / "data" for p in ROOT.parents if (p / "shared" / "data").is_dir()),
              ROOT.parent / "shared" / "data")


def _log(x):
    return np.log1p(np.maximum(x, 0.0))


def score(abs_resid: np.ndarray, point: np.ndarray, obs: np.ndarray) -> dict:
    """Coverage (all, above 150), misses below/above, Brier skill and reliability of the implied P(>150)."""
    from forecasting import metrics as M

    q = float(np.quantile(abs_resid, 0.8))
    ok = np.isfinite(obs) & np.isfinite(point)
    o, c = obs[ok], point[ok]
    lo, hi = np.expm1(_log(c) - q), np.expm1(_log(c) + q)
    inside = (o >= lo) & (o <= hi)
    polluted = o > 150
    # the symmetric residual distribution: P(r > d) = ½ P(|r| > |d|) for d > 0
    s = np.sort(abs_resid)
    d = _log(150.0) - _log(c)
    tail = 1 - np.searchsorted(s, np.abs(d)) / len(s)
    p = np.where(d > 0, 0.5 * tail, 1 - 0.5 * tail)
    ev = polluted.astype(float)
    rel = [r for r in M.reliability(ev, p) if r["n"]]
    return dict(q=q, coverage=inside.mean(), above150=inside[polluted].mean(), below=(o < lo).mean(),
                above=(o > hi).mean(), bss=M.brier_skill(ev, p),
                reliability=", ".join(f"{r['mean_forecast']:.2f}→{r['observed_freq']:.2f}" for r in rel))


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--max-rows", type=int, default=160_000)
    args = ap.parse_args(argv)
    files = sorted(glob.glob(str(SHARED / "beijing" / "PRSA_Data_*_20130301-20170228.csv")))
    if not files:
        print(f"needs the UCI Beijing files in {SHARED / 'beijing'}", file=sys.stderr)
        return 2
    import forecasting.models as FM
    from console.forecast_io import read_prsa
    from forecasting.backtest import run_backtest

    seen = {}
    choose = FM.DirectForecaster._choose_condition

    def capture(self, cfg, pm, po, ph, ps, pk, pb, key_name):   # the out-of-sample cross-fit cases
        seen.update(pm=pm, po=po, pb=pb)
        return choose(self, cfg, pm, po, ph, ps, pk, pb, key_name)

    FM.DirectForecaster._choose_condition = capture
    cfg = FM.TrainConfig(max_rows=args.max_rows, n_threads=1, dist_center="point",
                         persistence_anchor=False)   # the mean model alone, as the anchor reports it
    res = run_backtest(read_prsa(files), "PM2.5", [24], "2016-02-29 23:00", "2017-02-28 23:00", met="current",
                       stat="hourly", cfg=cfg)
    pm, po, pb = seen["pm"], seen["po"], seen["pb"]
    d = res.predictions
    print("| scored on | q | coverage | above 150 | below / above | P(>150) Brier skill | reliability |")
    print("|---|---|---|---|---|---|---|")
    rows = [(f"training block {b + 1} held out", pb != b, pb == b) for b in np.unique(pb)]
    for name, fit, test in rows:
        r = score(np.abs(_log(po[fit]) - _log(pm[fit])), pm[test], po[test])
        print(f"| {name} | {r['q']:.2f} | {r['coverage']:.3f} | {r['above150']:.3f} | {r['below']:.3f} / "
              f"{r['above']:.3f} | {r['bss']:.3f} | {r['reliability']} |")
    r = score(np.abs(_log(po) - _log(pm)), d["point"].to_numpy(float), d["observed"].to_numpy(float))
    print(f"| test year | {r['q']:.2f} | {r['coverage']:.3f} | {r['above150']:.3f} | {r['below']:.3f} / "
          f"{r['above']:.3f} | {r['bss']:.3f} | {r['reliability']} |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
