"""Daily D+1 PM2.5 from the hourly model: the mean of its 24 hourly forecasts against the direct daily model.

Beijing UCI multi-site, the anchors' split (``--split test``: train 2013-03…2016-02, score 2016-03…2017-02;
``--split validation``: train 2013-03…2015-02, score 2015-03…2016-02).  Issued at 23:00, target the natural-day mean
of D+1 (hour-ending 01:00…24:00), as ``bench_forecast_beijing.py --only daily1_*``.  Three point forecasts from the
product's feature code (``forecasting.models.make_forecaster`` / ``matrices``):

* **direct** — one daily-mean model, the benchmark's daily settings (learning rate 0.04, ≤ 1000 iterations, 15 leaves,
  ≥ 20 rows per leaf, training rows from issue hours 16–23), without the site pooling and calibration of the product;
* **hourly mean** — one stacked hourly model for horizons 2…25 (horizon as a feature; 12 % of the rows; learning rate
  0.1, ≤ 400 iterations, 48 leaves, ≥ 60 rows per leaf), its 24 forecasts averaged over the natural day;
* **average** — the mean of the two.

With ``--met observed`` every valid hour gets its observed meteorology (the research bound of a perfect weather
forecast); with ``--met current`` only the meteorology at the issue time::

    python benchmarks/bench_daily_from_hourly.py --met observed --split validation
    python benchmarks/bench_daily_from_hourly.py --met observed --split test

Prints CSI(daily > 150 µg/m³), the exact and ±1 HJ 633 category of the point forecast, RMSE and the case count.
Results: benchmarks/README-forecast.md, "The daily mean from the hourly model".  Point forecasts only: nothing here is
calibrated. The "direct" model here has no hourly input (``hourly_input=False``); the product's daily models with weather
for every valid hour have used the hourly model's day mean as an input since 2026-11-30 (``TrainConfig.hourly_input``,
``bench_forecast_beijing.py --only daily1_observed``).
"""
from __future__ import annotations

import argparse
import glob
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks._common import SHARED  # noqa: E402

BANDS = np.array([35, 75, 115, 150, 250])   # HJ 633 daily PM2.5 category edges
SPLITS = {"test": ("2016-02-29 23:00", "2017-02-28 23:00"), "validation": ("2015-02-28 23:00", "2016-02-29 23:00")}


def _regressor(lr: float, iters: int, leaves: int, leaf: int):
    from sklearn.ensemble import HistGradientBoostingRegressor

    return HistGradientBoostingRegressor(max_iter=iters, learning_rate=lr, max_leaf_nodes=leaves, min_samples_leaf=leaf,
                                         l2_regularization=1.0, early_stopping=True, validation_fraction=0.1,
                                         n_iter_no_change=20, random_state=0)


def scores(p: np.ndarray, o: np.ndarray) -> dict[str, float]:
    """CSI(> 150), category exact / ±1 and RMSE of point forecasts ``p`` against daily means ``o``."""
    pc, oc = np.searchsorted(BANDS, p, side="left"), np.searchsorted(BANDS, o, side="left")
    hit, miss, fa = ((p > 150) & (o > 150)).sum(), ((p <= 150) & (o > 150)).sum(), ((p > 150) & (o <= 150)).sum()
    return dict(csi150=hit / max(hit + miss + fa, 1), hits=int(hit), misses=int(miss), false_alarms=int(fa),
                exact=float((pc == oc).mean()), within_1=float((abs(pc - oc) <= 1).mean()),
                rmse=float(np.sqrt(np.mean((p - o) ** 2))), n=int(len(o)))


def run(met: str, split: str) -> dict[str, dict[str, float]]:
    """The three point forecasts of one setting, scored."""
    from threadpoolctl import threadpool_limits

    from console.forecast_io import read_prsa
    from forecasting.baselines import Climatology
    from forecasting.models import make_forecaster

    files = sorted(glob.glob(str(SHARED / "beijing" / "PRSA_Data_*_20130301-20170228.csv")))
    ds = read_prsa(files).sel(time=slice(None, "2017-02-28 23:00"))
    times = pd.DatetimeIndex(ds["time"].values)
    S, T = ds.sizes["site"], ds.sizes["time"]
    end, stop = (np.searchsorted(times, pd.Timestamp(x), side="right") for x in SPLITS[split])
    tidx = np.tile(np.arange(T), S)
    hour = times.hour.values[tidx]
    rng = np.random.default_rng(0)

    direct = make_forecaster(ds, "PM2.5", [25], met=met, stat="mean24")
    direct.climatology = Climatology.fit(ds["PM2.5"].isel(time=slice(0, end)))
    _, X, y, _ = next(direct.matrices(ds, [25]))
    ok = np.isfinite(y)
    scored = ok & (tidx >= end) & (tidx + 25 < stop) & (hour == 23)
    train = ok & (tidx + 25 < end) & np.isin(hour, range(16, 24))
    with threadpool_limits(1, "openmp"):
        p_direct = _regressor(0.04, 1000, 15, 20).fit(X[train], y[train]).predict(X[scored])
    del X

    horizons = list(range(2, 26))   # hour-ending 01:00 … 24:00 of D+1 from 23:00 of D
    hourly = make_forecaster(ds, "PM2.5", horizons, met=met, stat="hourly")
    hourly.climatology = direct.climatology
    Xs, ys, test_rows = [], [], []
    for h, Xh, yh, _ in hourly.matrices(ds, horizons):
        rows = np.flatnonzero(np.isfinite(yh) & (tidx + h < end))
        rows = rows[rng.random(len(rows)) < 0.12]
        Xs.append(Xh[rows])
        ys.append(yh[rows])
        test_rows.append(Xh[scored])
    with threadpool_limits(1, "openmp"):
        model = _regressor(0.1, 400, 48, 60).fit(np.concatenate(Xs), np.concatenate(ys))
        p_hourly = np.mean([model.predict(Xh) for Xh in test_rows], axis=0)
    o = y[scored]
    return {"direct": scores(p_direct, o), "hourly mean": scores(p_hourly, o),
            "average": scores((p_direct + p_hourly) / 2, o)}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--met", choices=["current", "observed"], default="observed")
    ap.add_argument("--split", choices=list(SPLITS), default="test")
    args = ap.parse_args(argv)
    if not (SHARED / "beijing").is_dir():
        print(f"needs the UCI Beijing files in {SHARED / 'beijing'}")
        return 2
    t0 = time.perf_counter()
    res = run(args.met, args.split)
    print(f"daily D+1 PM2.5, {args.met} meteorology, {args.split} year ({time.perf_counter() - t0:.0f} s)")
    print("| forecast | CSI(>150) | hits / misses / false alarms | category exact | ±1 | RMSE | n |")
    print("|---|---|---|---|---|---|---|")
    for name, s in res.items():
        print(f"| {name} | {s['csi150']:.3f} | {s['hits']} / {s['misses']} / {s['false_alarms']} | {s['exact']:.3f} | "
              f"{s['within_1']:.3f} | {s['rmse']:.2f} | {s['n']} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
