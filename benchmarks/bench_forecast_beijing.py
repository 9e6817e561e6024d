"""Forecast benchmark on UCI Beijing Multi-Site (12 stations pooled), same split as the anchors.

Train 2013-03-01 … 2016-02-29, test 2016-03-01 … 2017-02-28 (single origin, no refit).
Runs: hourly PM2.5 at 24 h with current meteorology, the same with observed future meteorology
(perfect-forecast research bound), daily PM2.5 D+1 issued 23:00 with and without future meteorology.
Prints a table side by side with the anchor numbers (docs/anchors.md) and writes JSON/CSV to
benchmarks/results/.  Usage:

    python benchmarks/bench_forecast_beijing.py [--max-rows N] [--threads N] [--quick]
"""
from __future__ import annotations

import argparse
import dataclasses
import glob
import json
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
# ../shared/data next to the repository (a worktree may sit one level deeper)
SHARED = next((p / "shared" / "data" for p in ROOT.parents if (p / "shared" / "data").is_dir()),
              ROOT.parent / "shared" / "data")
DATA = SHARED / "beijing"
OUT = ROOT / "benchmarks" / "results"

ANCHOR = {
    "hourly24_current": dict(rmse=71.8, r2=0.25, persistence_rmse=88.1, climatology_rmse=79.7),
    "hourly24_observed": dict(rmse=46.8, r2=0.68),
    "daily1_current": dict(exact=0.52, within_1=0.89, csi150=0.46, persistence_exact=0.37, persistence_within_1=0.77,
                           persistence_csi150=0.37),
    "daily1_observed": dict(exact=0.65, within_1=0.97, csi150=0.71),
}
SPLITS = {"test": ("2016-02-29 23:00", "2017-02-28 23:00"), "validation": ("2015-02-28 23:00", "2016-02-29 23:00")}
GOALS = {
    "hourly24_current.rmse": ("<", 71.8),
    "hourly24_observed.r2": (">=", 0.70),
    "daily1_current.exact": (">=", 0.55),              # category of the point (mean) forecast, as the anchors
    "daily1_current.exact_median": (">=", 0.55),       # category of the median: the console's headline category
    "daily1_observed.exact": (">=", 0.67),
    "daily1_observed.exact_median": (">=", 0.67),
    "daily1_observed.csi150": (">=", 0.75),
    "hourly24_current.coverage_80": ("in", (0.78, 0.85)),
    "hourly24_current.coverage_80_above150": (">=", 0.75),
    "hourly24_observed.coverage_80": ("in", (0.78, 0.85)),
    "hourly24_observed.coverage_80_above150": (">=", 0.75),
}


def main(argv=None) -> int:
    global OUT
    ap = argparse.ArgumentParser()
    ap.add_argument("--max-rows", type=int, default=160_000, help="training rows per model (subsample)")
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--quick", action="store_true", help="small subsample, for a smoke test")
    ap.add_argument("--only", default="", help="comma list of runs")
    ap.add_argument("--daily-aug", type=int, default=8,
                    help="daily models: also train on issue hours 24-N…23 (augmentation; evaluated at 23:00 only)")
    ap.add_argument("--daily-lr", type=float, default=0.04)
    ap.add_argument("--daily-bags", type=int, default=1)
    ap.add_argument("--daily-center", default="quantile-mid", choices=["quantile-mid", "point"])
    ap.add_argument("--daily-iter", type=int, default=1000)
    ap.add_argument("--daily-leaf", type=int, default=20)
    ap.add_argument("--daily-nodes", type=int, default=15)
    ap.add_argument("--calib", default="normalised", choices=["normalised", "log", "blend"],
                    help="calibration of the hourly runs (TrainConfig.calib_method)")
    ap.add_argument("--calibration", default="crossfit", choices=["crossfit", "forward"],
                    help="hourly runs: residuals from cross-fit blocks, or from the last 30 %% of the training period "
                         "forecast by a model fitted before it (TrainConfig.calibration)")
    ap.add_argument("--calib-edges", default="",
                    help="hourly runs: fixed Mondrian level bins of the predicted level, e.g. 35,75,150")
    ap.add_argument("--center", default="quantile-mid", choices=["quantile-mid", "point"],
                    help="hourly24_current: centre of the predictive distribution (TrainConfig.dist_center); "
                         "'quantile-mid' is the product default (chosen on held-out training years), "
                         "'point' (mean model) was this run's default on the morning of 2026-11-29")
    ap.add_argument("--condition", default="auto", choices=["auto", "issue-level", "none"],
                    help="calibration conditioned on the latest observation (TrainConfig.calib_condition; auto: "
                         "chosen by CRPS on held-out training blocks); 'none' reproduces the runs before 2026-11-29 afternoon")
    ap.add_argument("--center-observed", default="quantile-mid", choices=["quantile-mid", "point"],
                    help="hourly24_observed: centre of the predictive distribution")
    ap.add_argument("--daily-calib", default="normalised", choices=["normalised", "log", "blend"])
    ap.add_argument("--recalibrate", action="store_true", help="isotonic maps of P(>c) (held-out training cases)")
    ap.add_argument("--pool", action="store_true",
                    help="pool event classifiers into the distribution (TrainConfig.exceedance_pool=True)")
    ap.add_argument("--daily-anchor", action="store_true",
                    help="daily models anchored on the last 24-h mean (TrainConfig.daily_anchor)")
    ap.add_argument("--pool-sites", default="daily", choices=["none", "daily", "all"],
                    help="partial pooling of each station's forecast toward the mean over the 12 stations (one city) "
                         "at the same issue time, weight per horizon fitted out of sample (TrainConfig.site_pooling): "
                         "daily runs (default since 2026-11-29 night), all runs, or none (the runs before)")
    ap.add_argument("--forward-recal", action="store_true",
                    help="hourly runs: Platt map of P(>c) fitted on the last cross-fit block (TrainConfig.forward_recalibration)")
    ap.add_argument("--trend-recal", action="store_true",
                    help="hourly runs: Platt map (+ season with --season-recal) with a linear trend over the training years, kept as at its end")
    ap.add_argument("--season-recal", action="store_true",
                    help="hourly runs: seasonal logistic recalibration of P(>c) (TrainConfig.season_recalibration)")
    ap.add_argument("--no-anchor", action="store_true",
                    help="hourly models without the persistence anchor (TrainConfig.persistence_anchor=False)")
    ap.add_argument("--split", default="test", choices=["test", "validation"],
                    help="test: train 2013-03…2016-02, test 2016-03…2017-02 (the anchors' split); validation: "
                         "train 2013-03…2015-02, evaluate 2015-03…2016-02 (for choosing settings without the test year)")
    ap.add_argument("--hourly-input", choices=["auto", "on", "off"], default="auto",
                    help="daily runs: the target day's mean of a stacked hourly model as an input (TrainConfig."
                         "hourly_input; auto: with observed meteorology only)")
    ap.add_argument("--hourly-input-rows", type=int, default=600_000,
                    help="training rows of the hourly model behind the daily models' hourly input")
    ap.add_argument("--daily-folds", type=int, default=3, help="cross-fit blocks of the daily runs (TrainConfig.folds)")
    ap.add_argument("--seed", type=int, default=0, help="TrainConfig.seed of the daily runs (row samples, boosting)")
    ap.add_argument("--recent-correction", type=int, default=0, metavar="DAYS",
                    help="running correction of the exceedance odds from the forecasts verified in the last DAYS days "
                         "(forecasting.recent_correction; 0 = off)")
    ap.add_argument("--out", default=str(OUT), help="results directory")
    ap.add_argument("--table", action="store_true", help="only print the table of saved results")
    args = ap.parse_args(argv)
    OUT = Path(args.out)
    if args.table:
        print(table(merged()))
        return 0
    files = sorted(glob.glob(str(DATA / "PRSA_Data_*_20130301-20170228.csv")))
    if len(files) != 12:
        print(f"needs the 12 UCI files in {DATA}")
        return 2
    from console.forecast_io import read_prsa
    from forecasting.backtest import run_backtest
    from console.cli.forecast import HOURLY_INPUT
    from forecasting.models import TrainConfig
    from forecasting.recent_correction import RecentCorrection

    t0 = time.perf_counter()
    ds = read_prsa(files)
    read_s = time.perf_counter() - t0
    rows = 20_000 if args.quick else args.max_rows
    edges = tuple(float(x) for x in args.calib_edges.split(",") if x.strip()) or None
    hcfg = TrainConfig(max_rows=rows, n_threads=args.threads, calib_method=args.calib, calib_level_edges=edges,
                       calibration=args.calibration,
                       recalibrate_exceedance=args.recalibrate, dist_center=args.center,
                       exceedance_pool=args.pool, calib_condition=args.condition,
                       persistence_anchor=not args.no_anchor, site_pooling=args.pool_sites == "all",
                       season_recalibration=args.season_recal, forward_recalibration=args.forward_recal,
                       trend_recalibration=args.trend_recal)
    dcfg = TrainConfig(daily_anchor=args.daily_anchor, issue_hours=(23,), calib_method=args.daily_calib, recalibrate_exceedance=args.recalibrate,
                       min_samples_leaf=args.daily_leaf, max_leaf_nodes=args.daily_nodes, n_threads=args.threads,
                       learning_rate=args.daily_lr, max_iter=args.daily_iter, n_bags=args.daily_bags,
                       dist_center=args.daily_center, exceedance_pool=args.pool, calib_condition=args.condition,
                       site_pooling=args.pool_sites != "none",
                       hourly_input=HOURLY_INPUT[args.hourly_input],
                       hourly_input_rows=args.hourly_input_rows, seed=args.seed, folds=args.daily_folds,
                       train_issue_hours=None if args.daily_aug <= 1 else tuple(range(24 - args.daily_aug, 24)))
    runs = {
        "hourly24_current": dict(horizons=[24], met="current", stat="hourly", cfg=hcfg),
        "hourly24_observed": dict(horizons=[24], met="observed", stat="hourly",
                                  cfg=dataclasses.replace(hcfg, dist_center=args.center_observed)),
        "daily1_current": dict(horizons=[25], met="current", stat="mean24", cfg=dcfg),
        "daily1_observed": dict(horizons=[25], met="observed", stat="mean24", cfg=dcfg),
    }
    if args.only:
        runs = {k: v for k, v in runs.items() if k in args.only.split(",")}
    OUT.mkdir(parents=True, exist_ok=True)
    results = {"read_seconds": round(read_s, 1), "max_rows": rows, "threads": args.threads}
    for name, r in runs.items():
        t1 = time.perf_counter()
        res = run_backtest(ds, "PM2.5", r["horizons"], *SPLITS[args.split], met=r["met"],
                           stat=r["stat"], cfg=r["cfg"],
                           correction=RecentCorrection(window_days=args.recent_correction)
                           if args.recent_correction else None)
        wall = time.perf_counter() - t1
        h = str(r["horizons"][0])
        b = res.metrics["by_horizon"][h]
        e150 = b["exceedance"]["200"]          # PM2.5 > 150 µg/m³ (IAQI 200)
        out = dict(n=b["n"], rmse=b["point"]["rmse"], r2=b["point"]["r2"], mae=b["point"]["mae"],
                   p50_rmse=b["p50"]["rmse"], persistence_rmse=b["persistence"]["rmse"],
                   persistence_r2=b["persistence"]["r2"], climatology_rmse=b["climatology"]["rmse"],
                   climatology_r2=b["climatology"]["r2"], skill_vs_persistence=b["skill_vs_persistence"],
                   skill_vs_climatology=b["skill_vs_climatology"], coverage_80=b["coverage_80"],
                   coverage_80_above150=e150["coverage_80_when_observed_above"],
                   coverage_80_latest_above150=e150["coverage_80_when_latest_above"],
                   coverage_80_p50_above150=e150["coverage_80_when_forecast_above"], crps=b["crps"],
                   pinball=b["pinball"], brier_skill150=e150["brier_skill"], reliability150=e150["reliability"],
                   fit_seconds=res.metrics["timing"]["fit_seconds"],
                   predict_seconds=res.metrics["timing"]["predict_seconds"],
                   forecasts=res.metrics["timing"]["n_forecasts"], wall_seconds=round(wall, 1),
                   met_note=res.metrics["setup"]["met_note"], n_iter=res.models[0].meta["n_iter"],
                   exceedance_pool=res.models[0].meta.get("exceedance_pool"),
                   calibration_choice=res.models[0].meta.get("calibration_choice"),
                   site_pooling_weights=res.models[0].meta.get("site_pooling_weights"))
        if r["stat"] != "hourly":
            cat = b["category"]
            out.update(exact=cat["point"]["exact"], within_1=cat["point"]["within_1"],
                       exact_median=cat["p50"]["exact"], within_1_median=cat["p50"]["within_1"],
                       exact_most_probable=cat["most_probable"]["exact"],
                       within_1_most_probable=cat["most_probable"]["within_1"],
                       persistence_exact=cat["persistence"]["exact"],
                       persistence_within_1=cat["persistence"]["within_1"],
                       csi150=e150["csi"], pod150=e150["pod"], far150=e150["far"])
            # persistence CSI(>150)
            d = res.predictions
            from forecasting.metrics import contingency
            ok = np.isfinite(d["observed"]) & np.isfinite(d["persistence"])
            out["persistence_csi150"] = contingency(d["observed"][ok] > 150, d["persistence"][ok] > 150)["csi"]
        results[name] = out
        res.predictions.to_csv(OUT / f"beijing_{name}_predictions.csv.gz", index=False, float_format="%.2f")
        (OUT / f"beijing_{name}_metrics.json").write_text(json.dumps(res.metrics, indent=1, default=str))
        print(f"[{name}] done in {wall:.0f} s", flush=True)
        (OUT / f"beijing_{name}_summary.json").write_text(json.dumps(out, indent=1, default=str))
    print(table(merged()))
    return 0


def merged() -> dict:
    """All per-run summaries in benchmarks/results (runs may be made separately)."""
    res = {}
    for name in ANCHOR:
        p = OUT / f"beijing_{name}_summary.json"
        if p.exists():
            res[name] = json.loads(p.read_text())
    return res


def _f(x, fmt="{:.3f}"):
    return "—" if x is None else fmt.format(x)


def table(res: dict) -> str:
    L = ["| run | metric | ours | anchor | ratio ours/anchor |", "|---|---|---|---|---|"]
    for name, anc in ANCHOR.items():
        if name not in res:
            continue
        for k, a in anc.items():
            v = res[name].get(k)
            ratio = (v / a) if (v is not None and a) else None
            L.append(f"| {name} | {k} | {_f(v)} | {a} | {_f(ratio, '{:.2f}')} |")
        for k in ("exact_median", "within_1_median", "exact_most_probable", "coverage_80", "coverage_80_above150",
                  "coverage_80_latest_above150", "coverage_80_p50_above150", "crps", "brier_skill150",
                  "skill_vs_persistence", "skill_vs_climatology", "fit_seconds", "predict_seconds", "forecasts"):
            if k in res[name]:
                L.append(f"| {name} | {k} | {_f(res[name][k], '{:.3f}' if k not in ('forecasts',) else '{:.0f}')} | – | – |")
    L.append("")
    L.append("| goal | value | target | met |")
    L.append("|---|---|---|---|")
    for key, (op, tgt) in GOALS.items():
        run, k = key.split(".")
        v = res.get(run, {}).get(k)
        if v is None:
            continue
        ok = v < tgt if op == "<" else v >= tgt if op == ">=" else tgt[0] <= v <= tgt[1]
        L.append(f"| {key} | {v:.3f} | {op} {tgt} | {'yes' if ok else 'NO'} |")
    for run in ("hourly24_current", "hourly24_observed"):
        if run in res:
            L.append(f"\nreliability P(PM2.5>150) at 24 h, {run}: forecast → observed (n)")
            for row in res[run]["reliability150"]:
                if row["n"]:
                    ci = (f" [{row['observed_lo']:.3f}, {row['observed_hi']:.3f}] over {row['groups']} days"
                          f"{'' if row['consistent'] else '  NOT RELIABLE'}") if "observed_lo" in row else ""
                    L.append(f"  [{row['bin_lo']:.1f},{row['bin_hi']:.1f}) {row['mean_forecast']:.3f} → "
                             f"{row['observed_freq']:.3f} ({row['n']}){ci}")
    return "\n".join(L)


if __name__ == "__main__":
    sys.exit(main())
