"""``lantian forecast train|run|backtest`` — short-term probabilistic forecasts."""
from __future__ import annotations

import json
import sys
from pathlib import Path

import pandas as pd

from console.errors import InputError, LantianError


POOL_SITES_HELP = ("the sites are stations of one city (one air shed): pool each forecast partially toward the mean "
                   "over the sites at the same issue time, with a weight per horizon fitted out of sample "
                   "(TrainConfig.site_pooling; not for cities far apart)")
HOURLY_INPUT_HELP = ("daily models: the target day's mean (MDA8 for O3) of a stacked hourly model as an input "
                     "(TrainConfig.hourly_input). auto: on when the model sees the weather of every valid hour "
                     "(--future-met observed, --met perfect-prog), where it measured better; off otherwise")
HOURLY_INPUT = {"auto": None, "on": True, "off": False}


RECENT_HELP = ("correct the hourly exceedance probabilities (and quantiles) from the forecasts verified in the "
               "last DAYS days, refreshed at 00:00 (0 = off, the default; 21 in the benchmarks). Makes P(>c) "
               "reliable after a drift, but narrows the upper tail: rare episodes after clean weeks are covered less")


PRIOR_HELP = ("seasonal prior of the exceedance odds for valid months a model did not see in training "
              "(forecasting.seasonal_prior): 'auto' (default) the shipped table fitted on the 14 Guangxi cities' "
              "daily means of 2017, used only for its cities; 'off'; or a table written by 'forecast prior'")


#: ``forecast run`` warns when the latest observation is older than this before the issue time
STALE_HOURS = 3


def _recent(days: int):
    from forecasting.recent_correction import RecentCorrection

    if days < 0:
        raise LantianError(f"--recent-correction {days}: give a number of days ≥ 0")
    return RecentCorrection(window_days=days) if days else None


def _prior(choice: str):
    """The seasonal prior of ``--seasonal-prior`` (None for 'off')."""
    from forecasting.seasonal_prior import SeasonalPrior, default_prior

    if choice == "off":
        return None
    if choice == "auto":
        return default_prior()
    try:
        return SeasonalPrior.load(choice)
    except FileNotFoundError:
        raise InputError(choice, "seasonal prior file not found") from None
    except (ValueError, KeyError) as exc:      # not JSON, or not a prior table
        raise InputError(choice, f"not a seasonal prior table ({exc})") from None


def register(sub) -> None:
    p = sub.add_parser("forecast", help="short-term probabilistic forecasts (train, run, backtest)",
                       description="Calibrated probabilistic forecasts per site: hourly 1–72 h and daily D+1…D+3.")
    fsub = p.add_subparsers(dest="forecast_command", metavar="ACTION")
    fsub.required = True

    data_help = ("observation files (UCI PRSA CSV, CNEMC city-hourly CSV), or 'demo' for the built-in "
                 "Guangxi demo (14 cities, with the 21 neighbouring cities as upwind information)")

    b = fsub.add_parser("backtest", help="rolling-origin evaluation without leakage")
    b.add_argument("--data", nargs="+", required=True, help=data_help)
    b.add_argument("--neighbours", nargs="*", default=None, help="files of neighbouring/upwind sites")
    b.add_argument("--target", default="PM2.5", help="pollutant (PM2.5, PM10, SO2, NO2, CO, O3)")
    b.add_argument("--horizons", default="24,48,72", help="hours ahead, comma separated (1…96)")
    b.add_argument("--daily", action="store_true",
                   help="forecast the daily statistic (daily mean; MDA8 for O3) of D+1… issued at 23:00; "
                        "--horizons then count days (1,2,3)")
    b.add_argument("--train-end", required=True, help="last training day YYYY-MM-DD (inclusive)")
    b.add_argument("--test-end", default=None, help="last test day YYYY-MM-DD (default: end of data)")
    b.add_argument("--future-met", choices=["none", "observed"], default="none",
                   help="'observed': observed meteorology at the valid time as a stand-in for a perfect "
                        "weather forecast (research bound, labelled so)")
    b.add_argument("--met", choices=["auto", "none"], default="auto",
                   help="'none': ignore observed meteorology entirely (default: use it up to the issue time)")
    b.add_argument("--refit", choices=["none", "monthly"], default="none", help="rolling origins: refit monthly")
    b.add_argument("--max-rows", type=int, default=None, help="subsample training rows (development)")
    b.add_argument("--max-iter", type=int, default=300, help="boosting iterations (early stopping applies)")
    b.add_argument("--threads", type=int, default=1, help="OpenMP threads for boosting (default 1: shared machine)")
    b.add_argument("--pool-sites", action="store_true", help=POOL_SITES_HELP)
    b.add_argument("--hourly-input", choices=list(HOURLY_INPUT), default="auto", help=HOURLY_INPUT_HELP)
    b.add_argument("--recent-correction", type=int, default=0, metavar="DAYS", help=RECENT_HELP)
    b.add_argument("--seasonal-prior", default="auto", metavar="auto|off|FILE", help=PRIOR_HELP)
    b.add_argument("--out", required=True, help="output directory")
    b.set_defaults(func=_backtest)

    t = fsub.add_parser("train", help="train a forecast system and save it (safe format)")
    t.add_argument("--data", nargs="+", required=True, help=data_help)
    t.add_argument("--neighbours", nargs="*", default=None)
    t.add_argument("--targets", default="PM2.5,PM10,SO2,NO2,CO,O3")
    t.add_argument("--train-start", default=None,
                   help="first training day YYYY-MM-DD (default: all data); earlier hours are not read at all, "
                        "not even as lagged inputs (e.g. to train on one season and test on another)")
    t.add_argument("--train-end", default=None, help="last training day YYYY-MM-DD (default: all data)")
    t.add_argument("--met", choices=["auto", "none", "perfect-prog"], default="auto",
                   help="'perfect-prog': learn from observed meteorology at the valid time, to be driven by "
                        "weather-forecast fields at run time (--met-file)")
    t.add_argument("--compact", action="store_true",
                   help="compact settings of the shipped demo model (fewer rows/iterations, a few MB)")
    t.add_argument("--threads", type=int, default=1, help="OpenMP threads for boosting")
    t.add_argument("--pool-sites", action="store_true", help=POOL_SITES_HELP)
    t.add_argument("--hourly-input", choices=list(HOURLY_INPUT), default="auto", help=HOURLY_INPUT_HELP)
    t.add_argument("--out", required=True, help="model bundle to write (.zip)")
    t.set_defaults(func=_train)

    r = fsub.add_parser("run", help="issue a forecast from a saved model")
    r.add_argument("--model", required=True, help="model bundle (.zip) written by 'forecast train'")
    r.add_argument("--data", nargs="+", required=True, help=data_help)
    r.add_argument("--neighbours", nargs="*", default=None)
    r.add_argument("--issue-time", default=None, help="YYYY-MM-DD HH:MM Beijing time (default: last observation)")
    r.add_argument("--met-file", default=None, help="weather-forecast fields (NetCDF/GRIB) with lead times")
    r.add_argument("--met-utc", action="store_true", help="the NetCDF fields' time axis is UTC (shifted to Beijing time); GRIB times are always UTC")
    r.add_argument("--site-coords", default=None,
                   help="CSV site,lon,lat: where the sites are, to pick grid points of --met-file")
    r.add_argument("--recent-correction", type=int, default=0, metavar="DAYS", help=RECENT_HELP)
    r.add_argument("--seasonal-prior", default="auto", metavar="auto|off|FILE", help=PRIOR_HELP)
    r.add_argument("--out", required=True, help="output directory")
    r.set_defaults(func=_run)

    s = fsub.add_parser("prior", help="fit a seasonal prior of exceedance odds from a year of daily means",
                        description="Fit month effects on the odds that the daily mean 1–3 days ahead exceeds each "
                                    "AQI threshold, given today's daily mean (forecasting.seasonal_prior).")
    s.add_argument("--daily", nargs="+", required=True,
                   help="CSV of daily means: a site/city column, a date/time column and pollutant columns "
                        "(PM2.5 or pm25, PM10 or pm10, …), e.g. a year of CNEMC city daily means")
    s.add_argument("--version", required=True, help="version label recorded by every forecast that uses the table")
    s.add_argument("--source", default="", help="where the data come from (recorded with the table)")
    s.add_argument("--out", required=True, help="table to write (.json)")
    s.set_defaults(func=_fit_prior)


# --------------------------------------------------------------------------- helpers

def _day_end(s: str, opt: str) -> pd.Timestamp:
    try:
        ts = pd.Timestamp(s)
    except (ValueError, TypeError):
        raise LantianError(f"{opt}: not a date: {s!r} (expected YYYY-MM-DD)") from None
    return ts + pd.Timedelta(hours=23) if ts == ts.normalize() and len(s) <= 10 else ts


def _load(paths, neighbours=None):
    from console import forecast_io as fio

    if len(paths) == 1 and paths[0] == "demo":
        gx, nb = fio.demo_guangxi()
        return gx, nb
    ds = fio.read_any(paths)
    nb = fio.read_any(neighbours) if neighbours else None
    return ds, nb


def _horizons(s: str, daily: bool) -> list[int]:
    try:
        hs = [int(x) for x in s.split(",") if x.strip()]
    except ValueError:
        raise LantianError(f"--horizons: expected integers like 24,48,72, got {s!r}") from None
    if not hs or min(hs) < 1 or max(hs) > (4 if daily else 96):
        raise LantianError(f"--horizons: values must be 1…{4 if daily else 96}" + (" days" if daily else " hours"))
    return sorted(set(hs))


def _write_json(path: Path, obj) -> None:
    path.write_text(json.dumps(obj, ensure_ascii=False, indent=1, default=str), encoding="utf-8")


# --------------------------------------------------------------------------- commands

def _backtest(args) -> int:
    from forecasting.backtest import PRED_COLUMNS, run_backtest
    from forecasting.models import TrainConfig

    ds, nb = _load(args.data, args.neighbours)
    if args.target not in ds:
        raise LantianError(f"--target {args.target}: not in the data (have {', '.join(sorted(ds.data_vars))})")
    hs = _horizons(args.horizons, args.daily)
    train_end, test_end = _day_end(args.train_end, "--train-end"), (
        _day_end(args.test_end, "--test-end") if args.test_end else None)
    met = "none" if args.met == "none" else ("observed" if args.future_met == "observed" else "current")
    stat = "hourly"
    cfg = TrainConfig(max_rows=args.max_rows, max_iter=args.max_iter, n_threads=args.threads,
                      spread_max_iter=min(150, args.max_iter))
    if args.daily:
        stat = "mda8" if args.target == "O3" else "mean24"
        hs = [24 * d + 1 for d in hs]
        cfg = TrainConfig(issue_hours=(23,), train_issue_hours=tuple(range(18, 24)), min_samples_leaf=20,
                          max_leaf_nodes=15, learning_rate=0.04, max_rows=args.max_rows,
                          max_iter=args.max_iter, n_threads=args.threads, spread_max_iter=min(150, args.max_iter),
                          hourly_input_max_iter=args.max_iter, hourly_input_rows=args.max_rows or 600_000)
    cfg.site_pooling = args.pool_sites
    cfg.hourly_input = HOURLY_INPUT[args.hourly_input]
    from forecasting import features as F
    if met != "none" and not F.has_met(ds):
        print("lantian: note: the data has no meteorology — forecasting without weather input", file=sys.stderr)
        if args.future_met == "observed":
            raise LantianError("--future-met observed: the data has no meteorology (TEMP, DEWP, PRES, WS, WD)")
    try:
        res = run_backtest(ds, args.target, hs, train_end, test_end, met=met, stat=stat, neighbours=nb, cfg=cfg,
                           refit=None if args.refit == "none" else args.refit,
                           correction=_recent(args.recent_correction), prior=_prior(args.seasonal_prior),
                           progress=lambda f, m: print(f"  {f:4.0%} {m}", file=sys.stderr))
    except ValueError as exc:
        raise LantianError(f"backtest: {exc}") from None
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    pred = res.predictions
    csv = pred[PRED_COLUMNS].copy()
    csv["issue_time"] = pd.to_datetime(csv["issue_time"]).dt.strftime("%Y-%m-%d %H:%M")
    csv["valid_time"] = pd.to_datetime(csv["valid_time"]).dt.strftime("%Y-%m-%d %H:%M")
    csv.to_csv(out / "predictions.csv", index=False, float_format="%.3f")
    metrics = res.metrics
    metrics["models"] = [m.meta for m in res.models]
    _write_json(out / "metrics.json", metrics)
    from forecasting.verification_report import backtest_markdown
    (out / "report.md").write_text(backtest_markdown(metrics), encoding="utf-8")
    _reliability_pngs(metrics, out)
    print(_summary(metrics))
    sp = metrics["setup"].get("seasonal_prior")
    if sp:
        print("seasonal prior: " + next((ln[len("- Seasonal prior "):] for ln in backtest_markdown(metrics).splitlines()
                                         if ln.startswith("- Seasonal prior ")), sp["version"]))
    print(f"wrote {out / 'predictions.csv'} ({len(csv)} rows), {out / 'metrics.json'} and {out / 'report.md'}")
    return 0


def _correction_line(rc: dict) -> str:
    """One line on what the running correction used, per pollutant."""
    parts = []
    for tgt, r in rc.get("pollutants", {}).items():
        if not r.get("used"):
            parts.append(f"{tgt} not used ({r.get('reason')})")
            continue
        band = r["bands"].get("7-24 h") or next(iter(r["bands"].values()))
        f = ", ".join(f"AQI>{a} ×{v:.2f}" for a, v in band["factors"].items())
        parts.append(f"{tgt} odds {f} (24 h band: {band['cases']} verified forecasts, "
                     f"re-issued from {r['since'][:10]})")
    return f"{rc.get('window_days')} days; " + "; ".join(parts)


def _prior_line(sp: dict) -> str:
    """One line on what the seasonal prior moved, per pollutant."""
    parts = [f"{tgt} months {', '.join(str(m) for m in r['unseen_months'])}" if r.get("used")
             else f"{tgt} not used ({r.get('reason')})" for tgt, r in sp.get("pollutants", {}).items()]
    return f"{sp['version']}; " + "; ".join(parts)


ALIASES = {"site": ("site", "city", "城市", "station"), "date": ("date", "time", "day", "日期"),
           "PM2.5": ("PM2.5", "pm25", "pm2_5", "PM2_5"), "PM10": ("PM10", "pm10"), "SO2": ("SO2", "so2"),
           "NO2": ("NO2", "no2"), "CO": ("CO", "co")}


def _fit_prior(args) -> int:
    from forecasting.probabilistic import concentration_thresholds
    from forecasting.seasonal_prior import SeasonalPrior

    from console.forecast_io import _read_csv

    frames = []
    for path in args.daily:
        df = _read_csv(path)
        cols = {}
        for name, options in ALIASES.items():
            hit = next((c for c in df.columns if str(c) in options), None)
            if hit is not None:
                cols[hit] = name
        missing = [n for n in ("site", "date") if n not in cols.values()]
        if missing:
            raise InputError(path, f"no {' or '.join(ALIASES[missing[0]])} column")
        df = df.rename(columns=cols)[list(cols.values())]
        bad = pd.to_datetime(df["date"], errors="coerce").isna()
        if bad.any():
            row = int(bad.idxmax()) + 2                      # 1-based, after the header line
            raise InputError(path, f"row {row}, field date: not a date: {df['date'][bad.idxmax()]!r}")
        frames.append(df)
    daily = pd.concat(frames, ignore_index=True)
    pols = [p for p in ("PM2.5", "PM10", "SO2", "NO2", "CO") if p in daily]
    if not pols:
        raise LantianError("--daily: no pollutant columns (PM2.5/pm25, PM10/pm10, SO2, NO2, CO)")
    for p in pols:
        daily[p] = pd.to_numeric(daily[p], errors="coerce")
    thr = {p: sorted(concentration_thresholds(p, daily=True).values()) for p in pols}
    prior = SeasonalPrior.fit(daily, thr, version=args.version, source=args.source or ", ".join(args.daily))
    from console.ingest.common import city_table

    # a forecast may know the cities by adcode or full name (CNEMC files differ): record those as aliases
    for site in prior.sites:
        c = city_table().get(site)
        if c is not None:
            prior.aliases.update({k: site for k in (c["code"], c["name_zh"], c["short_zh"]) if k != site})
    prior.save(args.out)
    for p in pols:
        ev = ", ".join(f">{c}: {n} days" for c, n in prior.events.get(p, {}).items())
        used = ("fitted" if p in prior.effects else "too few event days, no effects")
        print(f"{p}: {used} ({ev})" + (f"; borrowed {prior.borrowed[p]}" if prior.borrowed.get(p) else ""))
    print(f"wrote {args.out} ({len(prior.sites)} sites, version {prior.version})")
    return 0


def _reliability_pngs(metrics: dict, out: Path) -> None:
    """``reliability_<h>h_aqi<level>.png`` for every horizon and AQI threshold with cases (what report.md links)."""
    from console.fonts import qt_cjk_family
    from console.qtheadless import ensure_gui_app
    from console.reports import charts
    from console.reports.document import Figure
    from console.reports.pages import figure_png

    ensure_gui_app()
    family = qt_cjk_family()
    for h, b in metrics["by_horizon"].items():
        for a, e in b.get("exceedance", {}).items():
            rows = e.get("reliability") or []
            if not any(r["n"] for r in rows):
                continue
            title = f"P(AQI > {a}), {h} h"
            fig = Figure(f"rel{h}_{a}", lambda p, r, st, rows=rows, title=title: charts.paint_reliability(p, r, st, rows, title),
                         1.0)
            (out / f"reliability_{h}h_aqi{a}.png").write_bytes(figure_png(fig, family, "en", width_pt=300))


def _summary(m: dict) -> str:
    lines = [f"{m['setup']['target']} ({m['setup']['stat']}), {m['setup']['met_note']}",
             f"{'h':>4} {'n':>7} {'RMSE':>7} {'R2':>6} {'persist':>8} {'clim':>7} {'cov80':>6} {'CRPS':>6}"]
    for h, b in m["by_horizon"].items():
        lines.append(f"{h:>4} {b['n']:>7} {b['point']['rmse'] or float('nan'):7.2f} {b['point']['r2'] or float('nan'):6.2f} "
                     f"{b['persistence']['rmse'] or float('nan'):8.2f} {b['climatology']['rmse'] or float('nan'):7.2f} "
                     f"{b['coverage_80'] or float('nan'):6.3f} {b['crps'] or float('nan'):6.2f}")
    return "\n".join(lines)


def _train(args) -> int:
    from forecasting.system import ForecastSystem

    ds, nb = _load(args.data, args.neighbours)
    if args.train_start:
        start = _day_end(args.train_start, "--train-start").normalize()
        ds = ds.sel(time=slice(start, None))
        nb = nb.sel(time=slice(start, None)) if nb is not None else None
        if ds.sizes["time"] == 0:
            raise LantianError(f"--train-start {args.train_start}: the data end before that day")
    targets = [t for t in args.targets.split(",") if t in ds]
    if not targets:
        raise LantianError(f"--targets: none of {args.targets} in the data")
    from forecasting import features as F
    met = {"auto": "current", "none": "none", "perfect-prog": "observed"}[args.met]
    if met != "none" and not F.has_met(ds):
        if met == "observed":
            raise LantianError("--met perfect-prog: the data has no meteorology to learn from")
        print("lantian: note: no meteorology in the data — the model will have no weather input", file=sys.stderr)
        met = "none"
    end = _day_end(args.train_end, "--train-end") if args.train_end else None
    from console.forecast_service import demo_train_configs, evening_config
    from forecasting.models import TrainConfig

    if args.compact:
        hcfg, dcfg = demo_train_configs()
    else:
        hcfg = TrainConfig(max_iter=250, horizons_per_row=6, max_rows=200_000, spread_max_iter=120,
                           spread_max_rows=80_000)
        dcfg = TrainConfig(max_iter=400, learning_rate=0.05, issue_hours=(23,), train_issue_hours=tuple(range(18, 24)),
                           min_samples_leaf=20, max_leaf_nodes=15, spread_max_iter=100)
    hcfg.n_threads = dcfg.n_threads = args.threads
    hcfg.site_pooling = dcfg.site_pooling = args.pool_sites
    dcfg.hourly_input = HOURLY_INPUT[args.hourly_input]
    system = ForecastSystem.train(ds, end, neighbours=nb, targets=targets, met=met, hourly_cfg=hcfg, daily_cfg=dcfg,
                                  evening_cfg=evening_config(dcfg),
                                  progress=lambda f, m: print(f"  {f:4.0%} {m}", file=sys.stderr))
    man = system.save(args.out)
    print(f"model {man['model_version']} trained on {system.info['train_start']} … {system.info['train_end']} "
          f"({system.info['train_seconds']} s) → {args.out}")
    return 0


def _run(args) -> int:
    from forecasting.store import UnsafeModelError
    from forecasting.system import ForecastSystem

    try:
        system = ForecastSystem.load(args.model)
    except FileNotFoundError:
        raise InputError(args.model, "model file not found") from None
    except UnsafeModelError as exc:
        raise InputError(args.model, f"refused: {exc}") from None
    ds, nb = _load(args.data, args.neighbours)
    issue = pd.Timestamp(args.issue_time) if args.issue_time else pd.Timestamp(ds["time"].values[-1])
    fmet = None
    needs_fields = any(m.spec.met in ("observed", "nwp") for m in system.models())
    if args.met_file:
        if not needs_fields:
            print("lantian: note: this model was trained without future weather; --met-file is not used",
                  file=sys.stderr)
        else:
            if args.site_coords:
                from console.forecast_io import read_site_coords, with_site_coords

                ds = with_site_coords(ds, read_site_coords(args.site_coords))
            from console.forecast_io import require_weather_overlap, site_weather

            fmet, warnings = site_weather(args.met_file, ds, args.met_utc,
                                          locate_hint="give --site-coords FILE (CSV: site,lon,lat)")
            for w in warnings:
                print(f"lantian: warning: {w}", file=sys.stderr)
            require_weather_overlap(fmet, issue, args.met_file)
    elif needs_fields:
        raise LantianError("this model needs weather-forecast fields: give --met-file (NetCDF/GRIB)")
    try:
        fc = system.forecast(ds, issue, neighbours=nb, future_met=fmet, correction=_recent(args.recent_correction),
                             prior=_prior(args.seasonal_prior))
    except ValueError as exc:
        raise LantianError(f"--issue-time {issue:%Y-%m-%d %H:%M}: {exc}") from None
    latest = pd.Timestamp(fc.info["inputs"]["observations_until"])
    if latest < issue - pd.Timedelta(hours=STALE_HOURS):
        print(f"lantian: warning: the latest observation ({latest:%Y-%m-%d %H:%M}) is "
              f"{(issue - latest) / pd.Timedelta(hours=1):.0f} h before the issue time; the forecast starts from it",
              file=sys.stderr)
    from console.forecast_io import write_forecast

    paths = write_forecast(fc, args.out)
    print(f"forecast issued {issue:%Y-%m-%d %H:%M} by model {fc.info['model_version']} "
          f"(trained {fc.info['training_period'][0]} … {fc.info['training_period'][1]})")
    print(f"weather input: {fc.info['inputs']['weather']}")
    if "recent_correction" in fc.info:
        print(f"recent correction: {_correction_line(fc.info['recent_correction'])}")
    if "seasonal_prior" in fc.info:
        print(f"seasonal prior: {_prior_line(fc.info['seasonal_prior'])}")
    covered, hours = fc.info["inputs"]["weather_hours"]
    if fmet is not None and covered < hours:
        print(f"lantian: warning: {Path(args.met_file).name} does not cover the whole forecast; "
              "see 'weather input' above", file=sys.stderr)
    if len(fc.daily):
        print(fc.daily[["site", "date", "category", "primary", "aqi_p50", "p_aqi_gt_100"]].to_string(index=False))
    print("wrote " + ", ".join(str(p) for p in paths))
    return 0


