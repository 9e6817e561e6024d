"""Rolling-origin backtests without leakage, and their verification tables.

For each origin ``o`` the model (climatology, calibration and gradient boosting) is fitted on
observations with time ≤ ``o`` only — training targets too, so no training row's valid time passes
the origin — and forecasts are issued at every hour in ``(o, next origin]``.  Issue-time features
only ever look backwards (:mod:`forecasting.features`), so computing them on the whole series is
equivalent to recomputing them at each issue time (``tests/forecasting`` checks this).
"""
from __future__ import annotations

import time as _time
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
import xarray as xr

from forecasting import metrics as M
from forecasting.models import DirectForecaster, TrainConfig, make_forecaster
from forecasting.probabilistic import CRPS_LEVELS, concentration_thresholds
from forecasting.recent_correction import RecentCorrection, sequential_shifts
from forecasting.seasonal_prior import SeasonalPrior, seen_months

PRED_COLUMNS = ["site", "issue_time", "valid_time", "horizon", "observed", "p10", "p50", "p90"]


@dataclass
class BacktestResult:
    predictions: pd.DataFrame           # PRED_COLUMNS + point, persistence, climatology, q*, p_gt_*
    metrics: dict
    models: list[DirectForecaster] = field(default_factory=list)


def origins(train_end, test_end, refit: str | None) -> list[pd.Timestamp]:
    """Forecast origins: the train end, then (``refit='monthly'``) every month start before test end."""
    a, b = pd.Timestamp(train_end), pd.Timestamp(test_end)
    out = [a]
    if refit == "monthly":
        for m in pd.date_range(a + pd.Timedelta(hours=1), b, freq="MS"):
            if m - pd.Timedelta(hours=1) > out[-1]:
                out.append(m - pd.Timedelta(hours=1))
    return out


def run_backtest(ds: xr.Dataset, target: str, horizons, train_end, test_end=None, met: str = "current",
                 stat: str = "hourly", neighbours: xr.Dataset | None = None, cfg: TrainConfig | None = None,
                 refit: str | None = None, progress=None, correction: RecentCorrection | None = None,
                 prior: SeasonalPrior | None = None) -> BacktestResult:
    """Train at each origin, forecast the following block, gather predictions and metrics.

    ``correction``: the running correction of the exceedance odds from the forecasts verified before each issue
    day (:mod:`forecasting.recent_correction`); each block's model learns it from forecasts issued after its own
    training period. ``prior``: shift the exceedance odds of valid months a block's model did not see in training
    (:mod:`forecasting.seasonal_prior`)."""
    cfg = cfg or TrainConfig()
    times = pd.DatetimeIndex(ds["time"].values)
    train_end = pd.Timestamp(train_end)
    test_end = pd.Timestamp(test_end) if test_end is not None else times[-1]
    if train_end >= test_end:
        raise ValueError("train end must precede test end")
    if train_end < times[0] + pd.Timedelta(days=14):
        raise ValueError("less than two weeks of data before the train end")
    ds = ds.sel(time=slice(None, test_end))
    if neighbours is not None:
        neighbours = neighbours.reindex(time=ds["time"].values)
    os_ = origins(train_end, test_end, refit)
    frames, raw, models, fit_s, pred_s = [], [], [], 0.0, 0.0
    corr_log: list[dict] = []
    prior_log: list[dict] = []
    for k, o in enumerate(os_):
        nxt = os_[k + 1] if k + 1 < len(os_) else test_end
        t0 = _time.perf_counter()
        model = make_forecaster(ds, target, horizons, met=met, stat=stat, neighbours=neighbours)
        train = ds.sel(time=slice(None, o))
        model.fit(train, cfg, neighbours.sel(time=slice(None, o)) if neighbours is not None else None)
        fit_s += _time.perf_counter() - t0
        t1 = _time.perf_counter()
        if correction is None:
            frames.append(predict_block(model, ds, o, nxt, neighbours, cfg.issue_hours, prior=prior))
        else:
            block, uncorrected, log = predict_block_corrected(
                model, ds, o, nxt, correction, neighbours, cfg.issue_hours,
                history=pd.concat(raw, ignore_index=True) if raw else None, not_before=train_end, prior=prior)
            frames.append(block)
            raw.append(uncorrected)
            corr_log += log
        pred_s += _time.perf_counter() - t1
        if prior is not None:
            block = frames[-1]
            prior_log.append(dict(origin=str(o), **prior.record(target, seen_months(model), block["valid_time"])
                                  if len(block) else {"used": False, "reason": "no forecasts"}))
        models.append(model)
        if progress:
            progress((k + 1) / len(os_), f"origin {o:%Y-%m-%d}")
    pred = pd.concat(frames, ignore_index=True)
    mets = evaluate(pred, target, stat)
    mets["timing"] = dict(fit_seconds=round(fit_s, 2), predict_seconds=round(pred_s, 2),
                          n_forecasts=int(len(pred)), origins=[str(o) for o in os_])
    mets["setup"] = dict(target=target, stat=stat, horizons=[int(h) for h in horizons], met=met,
                         train_start=str(times[0]), train_end=str(train_end), test_end=str(test_end),
                         refit=refit or "none",
                         met_note=MET_NOTES.get(models[0].spec.met, ""),
                         recent_correction=None if correction is None else correction.describe(),
                         seasonal_prior=None if prior is None else dict(version=prior.version, source=prior.source,
                                                                        origins=prior_log))
    if correction is not None:
        mets["recent_correction_days"] = corr_log
    return BacktestResult(pred, mets, models)


MET_NOTES = {
    "none": "no weather input (lags, calendar, other sites only)",
    "current": "meteorology observed up to the issue time only (no weather forecast)",
    "observed": "observed meteorology at the valid time as a stand-in for a perfect weather forecast "
                "(research bound, not achievable operationally)",
    "nwp": "weather-forecast fields at the valid time",
}


def predict_block(model: DirectForecaster, ds: xr.Dataset, start, end, neighbours=None,
                  issue_hours=None, future_met=None, prior: SeasonalPrior | None = None) -> pd.DataFrame:
    """Forecasts issued at every hour in ``(start, end]`` (features from data ≤ each issue time)."""
    return _predict_rows(model, ds, start, end, neighbours, issue_hours, future_met, prior=prior)


def predict_block_corrected(model: DirectForecaster, ds: xr.Dataset, start, end, correction: RecentCorrection,
                            neighbours=None, issue_hours=None, future_met=None, history: pd.DataFrame | None = None,
                            not_before=None, prior: SeasonalPrior | None = None
                            ) -> tuple[pd.DataFrame, pd.DataFrame, list[dict]]:
    """:func:`predict_block` with the exceedance odds (and the quantiles with them) corrected from the forecasts
    verified by 00:00 of each issue day (:mod:`forecasting.recent_correction`): this block's own uncorrected
    forecasts and ``history`` (earlier blocks' uncorrected forecasts), issued after ``not_before`` only (default: the
    end of the model's training period, so that every pair is out of sample).

    Returns the corrected forecasts, the uncorrected ones (the next block's history) and the factors per day."""
    raw = _predict_rows(model, ds, start, end, neighbours, issue_hours, future_met, prior=prior)
    if raw.empty:
        return raw, raw, []
    if model.pool is not None:
        raise ValueError("the running correction does not combine with an exceedance pool")
    thr = concentration_thresholds(model.target, daily=model.stat != "hourly")
    not_before = model.meta.get("train_end") if not_before is None else not_before
    shifts, log = sequential_shifts(raw, thr, correction, not_before=not_before, history=history)
    return _predict_rows(model, ds, start, end, neighbours, issue_hours, future_met, shifts, prior), raw, log


def _predict_rows(model: DirectForecaster, ds: xr.Dataset, start, end, neighbours, issue_hours, future_met,
                  shifts: np.ndarray | None = None, prior: SeasonalPrior | None = None) -> pd.DataFrame:
    """The forecast table of :func:`predict_block`; ``shifts`` (one row per output row, in order): log-odds shifts
    at the target's AQI thresholds, added to the seasonal ``prior``'s."""
    times = pd.DatetimeIndex(ds["time"].values)
    sites = ds["site"].values
    S, T = len(sites), len(times)
    imask = (times > pd.Timestamp(start)) & (times <= pd.Timestamp(end))
    if issue_hours is not None:
        imask &= np.isin(times.hour, issue_hours)
    mask = np.broadcast_to(imask[None, :], (S, T))
    yser = model.target_series(ds)
    yobs = np.asarray(ds[model.target].transpose("site", "time").values, dtype=np.float32)
    clim = model.climatology.at(sites, times)
    if model.stat != "hourly":
        from forecasting.features import _roll
        clim = _roll(clim, 24)
    site_idx = np.repeat(np.arange(S), T)
    time_idx = np.tile(np.arange(T), S)
    thr = concentration_thresholds(model.target, daily=model.stat != "hourly")
    knots = list(thr.values())
    levels = sorted(set(CRPS_LEVELS) | {0.1, 0.5, 0.9})
    if prior is not None and model.pool is not None:
        raise ValueError("the seasonal prior does not combine with an exceedance pool")
    seen = seen_months(model) if prior is not None else {}
    out, done = [], 0
    for h, X, _, rows in model.matrices(ds, [h for h in model.horizons], neighbours, future_met,
                                        issue_mask=mask, with_target=False):
        if len(rows) == 0:
            continue
        sh = None if shifts is None else shifts[done:done + len(rows)]
        done += len(rows)
        si, ti = site_idx[rows], time_idx[rows]
        if prior is not None:
            # the month of the valid hour; for a daily statistic, of its natural day (the label 00:00 ends the day)
            vt = times[ti] + pd.Timedelta(hours=h - (model.stat != "hourly"))
            ps = prior.shifts(model.target, knots, sites[si], vt, np.full(len(rows), h), seen)
            sh = ps if sh is None else (sh if ps is None else sh + ps)
        point, q, pr, scale = model.forecast_rows(X[rows], h, levels, knots, groups=ti, odds_shift=sh, knots=knots)
        vi = ti + h
        inside = vi < T
        obs = np.full(len(rows), np.nan)
        obs[inside] = yser[si[inside], vi[inside]]
        cl = np.full(len(rows), np.nan)
        cl[inside] = clim[si[inside], vi[inside]]
        df = pd.DataFrame({
            "site": sites[si], "issue_time": times[ti], "valid_time": times[ti] + pd.Timedelta(hours=h),
            "horizon": h, "observed": obs,
            "p10": q[:, levels.index(0.1)], "p50": q[:, levels.index(0.5)], "p90": q[:, levels.index(0.9)],
            "point": point, "persistence": (yser if model.stat != "hourly" else yobs)[si, ti],
            "climatology": cl,
        })
        for j, lv in enumerate(levels):
            df[f"q{lv:.2f}"] = q[:, j]
        for k, a in enumerate(thr):
            df[f"p_gt_{a}"] = pr[:, k]
        out.append(df)
    return pd.concat(out, ignore_index=True) if out else pd.DataFrame(columns=PRED_COLUMNS)


def _block_metrics(d: pd.DataFrame, thr: dict, daily: bool, target: str, with_reliability: bool = True) -> dict:
    o = d["observed"].to_numpy(float)
    res = {"n": int(np.isfinite(o).sum())}
    for name in ("point", "p50", "persistence", "climatology"):
        if name in d:
            p = d[name].to_numpy(float)
            res[name] = dict(rmse=M.rmse(o, p), mae=M.mae(o, p), r2=M.r2(o, p))
    pt = d["point"].to_numpy(float)
    res["skill_vs_persistence"] = M.skill(o, pt, d["persistence"].to_numpy(float))
    res["skill_vs_climatology"] = M.skill(o, pt, d["climatology"].to_numpy(float))
    res["coverage_80"] = M.coverage(o, d["p10"], d["p90"])
    res["pinball"] = {"p10": M.pinball(o, d["p10"], 0.1), "p50": M.pinball(o, d["p50"], 0.5),
                      "p90": M.pinball(o, d["p90"], 0.9)}
    qcols = [c for c in d.columns if c.startswith("q0.") and float(c[1:]) in CRPS_LEVELS]
    res["crps"] = M.crps_from_quantiles(o, d[qcols].to_numpy(float), [float(c[1:]) for c in qcols])
    res["exceedance"] = {}
    for a, c in thr.items():
        col = f"p_gt_{a}"
        if col not in d:
            continue
        ev = np.where(np.isfinite(o), o > c, np.nan)
        ok = np.isfinite(ev)
        pr = d[col].to_numpy(float)
        e = {"concentration": c, "base_rate": float(np.nanmean(ev)) if ok.any() else None,
             "brier": M.brier(ev, pr), "brier_skill": M.brier_skill(ev, pr)}
        e.update({f"{k}": v for k, v in M.contingency(ev[ok] > 0.5, pt[ok] > c).items()})
        # cluster bootstrap over valid days: the hours of one episode are not independent cases
        if with_reliability:
            days = pd.to_datetime(d["valid_time"]).dt.floor("D").to_numpy() if "valid_time" in d else None
            e["reliability"] = M.reliability(ev, pr, groups=days)
        # Coverage on polluted hours three ways. Only the last two are conditions known when the forecast is issued,
        # which a calibrated forecast holds at the nominal 80 %; "observed above" also depends on how sharp it is
        # (benchmarks/README-forecast.md, "What a calibrated interval can hold above 150 µg/m³").
        for key, cond in (("observed", o), ("latest", d["persistence"].to_numpy(float)),
                          ("forecast", d["p50"].to_numpy(float))):
            e[f"coverage_80_when_{key}_above"] = _coverage_where(d, o, ok & (cond > c))
        res["exceedance"][str(a)] = e
    if daily:
        breaks = tuple(sorted(concentration_thresholds(target, daily=True,
                                                       aqi_levels=(50, 100, 150, 200, 300)).values()))
        oc = M.category(o, breaks)
        for name in ("point", "p50", "persistence", "climatology"):
            ex, pm1 = M.category_accuracy(oc, M.category(d[name].to_numpy(float), breaks))
            res.setdefault("category", {})[name] = {"exact": ex, "within_1": pm1}
        # most probable category from the calibrated distribution
        res["category"]["most_probable"] = dict(zip(("exact", "within_1"),
                                                    M.category_accuracy(oc, most_probable_category(d, breaks))))
    return res


def _coverage_where(d: pd.DataFrame, o: np.ndarray, rows: np.ndarray) -> float | None:
    """Share of the selected rows whose observation lies inside P10–P90 (None when no row is selected)."""
    if not rows.any():
        return None
    return M.coverage(o[rows], d["p10"].to_numpy(float)[rows], d["p90"].to_numpy(float)[rows])


def most_probable_category(d: pd.DataFrame, breaks) -> np.ndarray:
    qcols = [c for c in d.columns if c.startswith("q0.") and float(c[1:]) in CRPS_LEVELS]
    cats = np.stack([M.category(d[c].to_numpy(float), breaks) for c in qcols], axis=1)
    counts = np.stack([(cats == k).sum(axis=1) for k in range(1, len(breaks) + 2)], axis=1)
    out = counts.argmax(axis=1) + 1
    return np.where(np.isfinite(d["point"].to_numpy(float)), out, 0)


def evaluate(pred: pd.DataFrame, target: str, stat: str = "hourly") -> dict:
    """Metrics pooled per horizon and per site × horizon (JSON-ready)."""
    daily = stat != "hourly"
    thr = concentration_thresholds(target, daily=daily)
    out = {"by_horizon": {}, "by_site_horizon": {}}
    for h, d in pred.groupby("horizon"):
        out["by_horizon"][str(int(h))] = _block_metrics(d, thr, daily, target)
    for (s, h), d in pred.groupby(["site", "horizon"]):
        m = _block_metrics(d, thr, daily, target, with_reliability=False)   # per-site tables would be too thin
        out["by_site_horizon"].setdefault(str(s), {})[str(int(h))] = m
    return _clean(out)


def _clean(x):
    if isinstance(x, dict):
        return {k: _clean(v) for k, v in x.items()}
    if isinstance(x, list):
        return [_clean(v) for v in x]
    if isinstance(x, (float, np.floating)):
        return None if not np.isfinite(x) else round(float(x), 5)
    if isinstance(x, np.integer):
        return int(x)
    return x
