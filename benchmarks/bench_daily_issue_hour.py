"""Daily outlook at the briefing hour: 23:00 daily models against natural-day models (Guangxi demo).

The briefings issue at 20:00 on day D. A daily model trained only at 23:00 can then forecast D+1…D+3 only from the
23:00 issue of D−1 (horizons 49/73/97 h), ignoring the 21 hours observed since.  A model trained with
``TrainConfig.natural_day`` at issue hour 20 (the product's evening models) forecasts them from D 20:00 (horizons
28/52/76 h).  The third variant is the natural-day model issued at its latest hour of D−1 (what it would give in the
morning).  All use the product's compact daily settings (``demo_train_configs``) and are scored on the same target
days with rolling monthly origins (refit each month on all data before it), Feb–Jun 2019::

    python benchmarks/bench_daily_issue_hour.py [--targets PM2.5,PM10] [--natural-hours 20 | 18-23 | 20,23]

Prints RMSE and MAE of the point forecast, RMSE of P50 and the 80 % interval coverage per lead day.  Results:
benchmarks/README-forecast.md, "Daily outlook from the briefing hour".
"""
from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

FIRST_ORIGIN, END = "2019-01-31 23:00", "2019-06-30 23:00"
def variants(hours) -> dict[str, tuple[int, list[int], bool]]:
    """name → (issue hour of the prediction, horizons of D+1…D+3, natural-day training).  The third variant issues
    the natural-day model at its latest hour of D−1, what the console's outlook uses before the first natural hour."""
    last = max(hours)
    return {
        "23:00 model, issued D-1 23:00": (23, [49, 73, 97], False),
        "natural-day model, issued D 20:00": (20, [28, 52, 76], True),
        f"natural-day model, issued D-1 {last}:00": (last, [24 * k + 24 - last for k in (2, 3, 4)], True),
    }


def run(target: str, threads: int, max_iter: int | None = None, hours=tuple(range(18, 24))
        ) -> dict[str, pd.DataFrame]:
    """Rolling-origin predictions of the daily mean of ``target`` per variant, with the lead day (1…3)."""
    from console.forecast_io import demo_guangxi
    from console.forecast_service import demo_train_configs
    from forecasting.backtest import run_backtest

    gx, nb = demo_guangxi()
    out = {}
    for name, (hour, horizons, natural) in variants(hours).items():
        cfg = demo_train_configs()[1]
        cfg.n_threads = threads
        if max_iter:
            cfg.max_iter = max_iter
        cfg.issue_hours = (hour,)
        cfg.natural_day = natural
        cfg.train_issue_hours = tuple(hours) if natural else None
        t0 = time.perf_counter()
        res = run_backtest(gx, target, horizons, FIRST_ORIGIN, END, met="none", stat="mean24", neighbours=nb,
                           cfg=cfg, refit="monthly")
        d = res.predictions.copy()
        d["day"] = (pd.to_datetime(d["valid_time"]) - pd.Timedelta(hours=1)).dt.floor("D")
        d["lead"] = d["horizon"].map({h: k + 1 for k, h in enumerate(horizons)})
        out[name] = d.set_index(["site", "day"])
        print(f"[{target}] {name}: {time.perf_counter() - t0:.0f} s", file=sys.stderr, flush=True)
    return out


def _hours(text: str) -> tuple[int, ...]:
    if "-" in text:
        a, b = (int(x) for x in text.split("-"))
        return tuple(range(a, b + 1))
    return tuple(int(x) for x in text.split(","))


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--targets", default="PM2.5,PM10")
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--max-iter", type=int, default=None, help="boosting iterations (default: the compact setting)")
    ap.add_argument("--natural-hours", default="20",
                    help="issue hours the natural-day model trains at: a-b or a,b (the product: 20)")
    args = ap.parse_args(argv)
    names = list(variants(_hours(args.natural_hours)))
    print("| target | lead | n | " + " | ".join(f"RMSE {n}" for n in names) + " | ratio 2nd / 1st | MAE (same order) | "
          "P50 RMSE | cover 80 % |")
    print("|---|---|---|" + "---|" * len(names) + "---|---|---|---|")
    for target in args.targets.split(","):
        preds = run(target, args.threads, args.max_iter, _hours(args.natural_hours))
        for lead in (1, 2, 3):
            parts = [preds[n][preds[n]["lead"] == lead] for n in names]
            idx = parts[0].index
            for d in parts[1:]:
                idx = idx.intersection(d.index)
            parts = [d.loc[idx] for d in parts]
            obs = parts[0]["observed"]
            ok = np.isfinite(obs)
            for d in parts:
                ok &= np.isfinite(d["point"])

            def rmse(f):
                return float(np.sqrt(np.mean((f[ok] - obs[ok]) ** 2)))

            def cover(d):
                return float(np.mean((obs[ok] >= d["p10"][ok]) & (obs[ok] <= d["p90"][ok])))

            r = [rmse(d["point"]) for d in parts]
            mae = " / ".join(f"{np.mean(np.abs(d['point'][ok] - obs[ok])):.2f}" for d in parts)
            print(f"| {target} | D+{lead} | {int(ok.sum())} | " + " | ".join(f"{x:.2f}" for x in r)
                  + f" | {r[1] / r[0]:.2f} | {mae} | " + " / ".join(f"{rmse(d['p50']):.2f}" for d in parts)
                  + " | " + " / ".join(f"{cover(d):.3f}" for d in parts) + " |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
