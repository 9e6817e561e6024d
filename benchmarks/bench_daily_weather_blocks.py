"""Daily D+1 forecasts with observed weather, with and without the target day's 3-hour weather blocks.

``forecasting.features.day_met_features`` gives daily models with weather input the target day's wind, wind
components and humidity spread as eight 3-hour block means.  This script backtests one daily statistic on the UCI
Beijing data (issued 23:00, the benchmark's daily settings with site pooling, ``met="observed"``) with the features
as they are ("after") and with the block features left out ("before")::

    python benchmarks/bench_daily_weather_blocks.py --target O3 --stat mda8 --split validation --variant before
    python benchmarks/bench_daily_weather_blocks.py --target PM10 --stat mean24 --split test --variant after

It prints one JSON line: cases, point RMSE, CRPS and 80 % coverage.  For PM2.5 use
``bench_forecast_beijing.py --only daily1_observed``.  Results: benchmarks/README-forecast.md, "The target day's
weather in 3-hour blocks".
"""
from __future__ import annotations

import argparse
import glob
import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks._common import SHARED  # noqa: E402

SPLITS = {"test": ("2016-02-29 23:00", "2017-02-28 23:00"), "validation": ("2015-02-28 23:00", "2016-02-29 23:00")}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--target", default="O3")
    ap.add_argument("--stat", default="mda8", choices=["mean24", "mda8", "max1h24"])
    ap.add_argument("--split", default="test", choices=list(SPLITS))
    ap.add_argument("--variant", default="after", choices=["before", "after"])
    ap.add_argument("--hourly-input", choices=["auto", "on", "off"], default="auto",
                    help="the target day's statistic of a stacked hourly model as an input (TrainConfig.hourly_input; "
                         "auto = on here); the 3-hour blocks were measured before it existed: --hourly-input off")
    args = ap.parse_args(argv)
    files = sorted(glob.glob(str(SHARED / "beijing" / "PRSA_Data_*_20130301-20170228.csv")))
    if len(files) != 12:
        print(f"needs the 12 UCI files in {SHARED / 'beijing'}")
        return 2
    from console.forecast_io import read_prsa
    from forecasting import features as F
    from forecasting.backtest import run_backtest
    from console.cli.forecast import HOURLY_INPUT
    from forecasting.models import TrainConfig

    if args.variant == "before":
        with_blocks = F.day_met_features
        F.day_met_features = lambda fmet, h: {k: v for k, v in with_blocks(fmet, h).items() if "_b" not in k}
    cfg = TrainConfig(issue_hours=(23,), min_samples_leaf=20, max_leaf_nodes=15, learning_rate=0.04, max_iter=1000,
                      site_pooling=True, train_issue_hours=tuple(range(16, 24)),
                      hourly_input=HOURLY_INPUT[args.hourly_input])
    res = run_backtest(read_prsa(files), args.target, [25], *SPLITS[args.split], met="observed", stat=args.stat,
                       cfg=cfg)
    b = res.metrics["by_horizon"]["25"]
    print(json.dumps(dict(target=args.target, stat=args.stat, split=args.split, variant=args.variant,
                          hourly_input=args.hourly_input, n=b["n"],
                          rmse=round(b["point"]["rmse"], 3), crps=round(b["crps"], 3),
                          coverage_80=round(b["coverage_80"], 3))))
    return 0


if __name__ == "__main__":
    sys.exit(main())
