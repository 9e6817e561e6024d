"""Guangxi demo forecast benchmark: per-city skill at 24/48/72 h and CSI for daily AQI > 100.

Data: the shipped CNEMC demo (14 Guangxi cities, 2018-12-01 … 2019-06-30, no meteorology) and the 21
neighbouring cities as upwind information.  Rolling origin with monthly refits: first origin
2019-01-31 23:00, then the end of every month; forecasts issued every hour of the following month.
Climatology (site × month × hour) only knows the months before each origin; for a month never seen it
falls back to site × hour — with 7 months of record that is the honest baseline.

    python benchmarks/bench_forecast_guangxi.py [--max-rows N] [--no-neighbour-run]
"""
from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd
import xarray as xr

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
OUT = ROOT / "benchmarks" / "results"
FIRST_ORIGIN = "2019-01-31 23:00"
END = "2019-06-30 23:00"


def hourly_runs(gx, nb, rows, threads, with_nb_variant=True, correction=None, prior=None, **cfg_kw):
    from forecasting.backtest import run_backtest
    from forecasting.models import TrainConfig

    cfg = TrainConfig(max_rows=rows, max_iter=200, n_threads=threads, spread_max_iter=100, spread_max_rows=rows // 2,
                      **cfg_kw)
    out = {}
    variants = {"with_neighbours": nb, "no_neighbours": None} if with_nb_variant else {"with_neighbours": nb}
    for name, n in variants.items():
        t0 = time.perf_counter()
        res = run_backtest(gx, "PM2.5", [24, 48, 72], FIRST_ORIGIN, END, met="none", neighbours=n, cfg=cfg,
                           refit="monthly", correction=correction, prior=prior)
        out[name] = res
        print(f"[hourly PM2.5 {name}] {time.perf_counter() - t0:.0f} s", flush=True)
    return out


def daily_aqi_run(gx, nb, threads, prior=None, **cfg_kw):
    """D+1 daily AQI from daily forecasts of PM2.5, PM10, NO2 (means) and O3 (MDA8) issued 23:00."""
    from forecasting.backtest import run_backtest
    from forecasting.daily import daily_statistics
    from forecasting.models import TrainConfig
    from models import aqi as AQI

    cfg = TrainConfig(issue_hours=(23,), min_samples_leaf=15, max_leaf_nodes=15, learning_rate=0.05, max_iter=400,
                      n_threads=threads, spread_max_iter=100, **cfg_kw)
    preds, timing = {}, 0.0
    for p in ("PM2.5", "PM10", "NO2", "O3"):
        t0 = time.perf_counter()
        r = run_backtest(gx, p, [25], FIRST_ORIGIN, END, met="none", stat="mda8" if p == "O3" else "mean24",
                         neighbours=nb, cfg=cfg, refit="monthly", prior=prior)
        timing += time.perf_counter() - t0
        d = r.predictions
        d["day"] = (pd.to_datetime(d["valid_time"]) - pd.Timedelta(hours=1)).dt.floor("D")
        preds[p] = d.set_index(["site", "day"])
    idx = preds["PM2.5"].index
    for p in preds:
        idx = idx.intersection(preds[p].index)
    sites = sorted(set(idx.get_level_values(0)))
    days = sorted(set(idx.get_level_values(1)))

    def aqi_of(col):
        dv = {}
        for p in preds:
            name = "O3_8h" if p == "O3" else f"{p}_24h"
            s = preds[p][col].reindex(pd.MultiIndex.from_product([sites, days]))
            dv[name] = (("site", "time"), s.to_numpy(float).reshape(len(sites), len(days)))
        return AQI.daily_aqi(xr.Dataset(dv, coords={"site": sites, "time": days}))["aqi"].values

    fc = aqi_of("p50")
    pers = aqi_of("persistence")
    st = daily_statistics(gx)
    obs_full = AQI.daily_aqi(st[["PM2.5_24h", "PM10_24h", "NO2_24h", "O3_8h"]])
    obs = obs_full["aqi"].reindex(site=sites, time=days).values
    return dict(sites=sites, fc=fc, pers=pers, obs=obs, seconds=timing)


def main(argv=None) -> int:
    global OUT
    ap = argparse.ArgumentParser()
    ap.add_argument("--max-rows", type=int, default=60_000)
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--no-neighbour-run", action="store_true", help="skip the run without neighbouring cities")
    ap.add_argument("--folds", type=int, default=None, help="cross-fit calibration blocks (TrainConfig.folds)")
    ap.add_argument("--calibration", default=None, choices=["crossfit", "forward"], help="TrainConfig.calibration")
    ap.add_argument("--calib-edges", default="", help="Mondrian bins of the predicted level, e.g. 35,75")
    ap.add_argument("--pool", action="store_true", help="pooled exceedance classifiers (TrainConfig.exceedance_pool)")
    ap.add_argument("--hourly-only", action="store_true", help="skip the daily AQI run")
    ap.add_argument("--recent-correction", type=int, default=0, metavar="DAYS",
                    help="hourly runs: running correction of the exceedance odds from the forecasts verified in the "
                         "last DAYS days (forecasting.recent_correction; 0 = off)")
    ap.add_argument("--seasonal-prior", default="default", metavar="default|off|PATH",
                    help="shift the exceedance odds of months a model has not seen by a seasonal prior "
                         "(forecasting.seasonal_prior; 'default', the product default: the shipped Guangxi 2017 "
                         "table; 'off': without it)")
    ap.add_argument("--out", default=str(OUT), help="results directory")
    args = ap.parse_args(argv)
    OUT = Path(args.out)
    kw = {} if args.folds is None else {"folds": args.folds}
    if args.calibration:
        kw["calibration"] = args.calibration
    if args.pool:
        kw["exceedance_pool"] = True
    if args.calib_edges:
        kw["calib_level_edges"] = tuple(float(x) for x in args.calib_edges.split(","))
    from console.forecast_io import demo_guangxi
    from forecasting import metrics as M

    gx, nb = demo_guangxi()
    OUT.mkdir(parents=True, exist_ok=True)
    from forecasting.recent_correction import RecentCorrection

    from forecasting.seasonal_prior import SeasonalPrior, default_prior

    prior = (default_prior() if args.seasonal_prior == "default" else
             SeasonalPrior.load(args.seasonal_prior) if args.seasonal_prior != "off" else None)
    runs = hourly_runs(gx, nb, args.max_rows, args.threads, not args.no_neighbour_run,
                       RecentCorrection(window_days=args.recent_correction) if args.recent_correction else None,
                       prior, **kw)
    summary = {"hourly": {}, "daily_aqi_gt100": {}}
    lines = ["## Guangxi hourly PM2.5 — MSE skill vs persistence / climatology (rolling monthly origins, Feb–Jun 2019)",
             "| city | h | n | RMSE | skill vs persistence | skill vs climatology | cov80 |", "|---|---|---|---|---|---|---|"]
    for name, res in runs.items():
        d = res.predictions
        d.to_csv(OUT / f"guangxi_hourly_{name}_predictions.csv.gz", index=False, float_format="%.2f")
        (OUT / f"guangxi_hourly_{name}_metrics.json").write_text(json.dumps(res.metrics, indent=1, default=str))
        summary["hourly"][name] = {h: dict(rmse=b["point"]["rmse"], skill_vs_persistence=b["skill_vs_persistence"],
                                           skill_vs_climatology=b["skill_vs_climatology"], coverage_80=b["coverage_80"],
                                           crps=b["crps"])
                                   for h, b in res.metrics["by_horizon"].items()}
        summary["hourly"][name]["timing"] = res.metrics["timing"]
        summary["hourly"][name]["calibration_choice"] = [m.meta.get("calibration_choice") for m in res.models]
    res = runs["with_neighbours"]
    for site, bh in res.metrics["by_site_horizon"].items():
        for h, b in bh.items():
            lines.append(f"| {site} | {h} | {b['n']} | {b['point']['rmse']:.1f} | {b['skill_vs_persistence']:.2f} | "
                         f"{b['skill_vs_climatology']:.2f} | {b['coverage_80']:.2f} |")
    for name, s in summary["hourly"].items():
        for h in ("24", "48", "72"):
            b = s[h]
            lines.append(f"| ALL ({name}) | {h} | – | {b['rmse']:.1f} | {b['skill_vs_persistence']:.2f} | "
                         f"{b['skill_vs_climatology']:.2f} | {b['coverage_80']:.2f} |")
    lines += ["", "| run | h | AQI | concentration | base rate | Brier skill | probability bins outside their interval |",
              "|---|---|---|---|---|---|---|"]
    for name, res in runs.items():
        for h, b in res.metrics["by_horizon"].items():
            for a, e in b["exceedance"].items():
                out_ = [f"{r['bin_lo']:.1f}–{r['bin_hi']:.1f} ({r['mean_forecast']:.2f} → {r['observed_freq']:.2f})"
                        for r in e.get("reliability", []) if r["n"] and not r.get("consistent", True)]
                lines.append(f"| {name} | {h} | {a} | {e['concentration']:g} | {e['base_rate']:.3f} | "
                             f"{e['brier_skill']:.3f} | {', '.join(out_) or 'none'} |")
    t0 = time.perf_counter()
    if args.hourly_only:
        print("\n".join(lines))
        return 0
    dres = daily_aqi_run(gx, nb, args.threads, prior, **kw)
    lines += ["", "## Guangxi daily AQI > 100, D+1 (issued 23:00; daily models of PM2.5, PM10, NO2, O3-MDA8)",
              "| city | observed days >100 | CSI | POD | FAR | persistence CSI |", "|---|---|---|---|---|---|"]
    allc, allp = [], []
    for i, s in enumerate(dres["sites"]):
        o, f, p = dres["obs"][i], dres["fc"][i], dres["pers"][i]
        ok = np.isfinite(o) & np.isfinite(f) & np.isfinite(p)
        c = M.contingency(o[ok] > 100, f[ok] > 100)
        cp = M.contingency(o[ok] > 100, p[ok] > 100)
        allc.append((o[ok] > 100, f[ok] > 100))
        allp.append((o[ok] > 100, p[ok] > 100))
        summary["daily_aqi_gt100"][s] = dict(events=int((o[ok] > 100).sum()), csi=c["csi"], pod=c["pod"], far=c["far"],
                                             persistence_csi=cp["csi"])
        f_ = lambda x: "—" if x is None or not np.isfinite(x) else f"{x:.2f}"  # noqa: E731
        lines.append(f"| {s} | {int((o[ok] > 100).sum())} | {f_(c['csi'])} | {f_(c['pod'])} | {f_(c['far'])} | "
                     f"{f_(cp['csi'])} |")
    oc = np.concatenate([a for a, _ in allc]); fc = np.concatenate([b for _, b in allc])
    pc = np.concatenate([b for _, b in allp])
    ca, cpa = M.contingency(oc, fc), M.contingency(oc, pc)
    summary["daily_aqi_gt100"]["ALL"] = dict(events=int(oc.sum()), csi=ca["csi"], pod=ca["pod"], far=ca["far"],
                                             persistence_csi=cpa["csi"])
    lines.append(f"| ALL | {int(oc.sum())} | {ca['csi']:.2f} | {ca['pod']:.2f} | {ca['far']:.2f} | {cpa['csi']:.2f} |")
    summary["daily_seconds"] = round(time.perf_counter() - t0, 1)
    (OUT / "guangxi_summary.json").write_text(json.dumps(summary, indent=1, default=str))
    text = "\n".join(lines)
    (OUT / "guangxi_table.md").write_text(text, encoding="utf-8")
    print(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
