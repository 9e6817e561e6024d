"""Direct multi-horizon gradient-boosting forecasters with calibrated predictive distributions.

One :class:`DirectForecaster` forecasts one target series at a set of horizons with a single
scikit-learn ``HistGradientBoostingRegressor`` (horizon is a feature; with one horizon it is a
per-horizon model).  The same machinery serves hourly targets (``PM2.5`` at 1…72 h) and daily
statistics (daily mean, MDA8 O3) issued at 23:00 of day D for D+1…D+3: a daily statistic is
expressed as an hourly series "statistic of the 24 h ending at t" evaluated at the end of the
target day (see :mod:`forecasting.daily`).  Daily models that see the weather of every valid hour also get the
target day's statistic of a stacked hourly model as a feature (:mod:`forecasting.hourly_day`).

Predictive distribution: point model (squared loss) + conformal residuals in log space, normalised
by the spread of two quantile models and collected out of sample in cross-fit blocks of the training
period (models refitted on the whole period afterwards); at the AQI thresholds the distribution is
pooled with direct event classifiers (:mod:`forecasting.exceedance`).  Everything the model needs is
plain data (arrays, dicts) except the scikit-learn estimators, saved with skops (see
:mod:`forecasting.store`).
"""
from __future__ import annotations

import time as _time
from dataclasses import dataclass, field
from typing import Callable

import numpy as np
import pandas as pd
import xarray as xr
from sklearn.ensemble import HistGradientBoostingRegressor
from threadpoolctl import threadpool_limits

from forecasting import features as F
from forecasting import hourly_day as HD
from forecasting.baselines import Climatology
from forecasting.calibration import GRID, BinnedLogConformal, BlendConformal, ConditionedConformal
from forecasting.exceedance import ExceedancePool, choose_weight, fit_season, remap_cdf, remap_quantiles
from forecasting.recent_correction import apply_shift
from forecasting.exceedance import classifier as event_classifier

HIST_HOURS = 24 * 7  # observations needed before an issue time (longest window 72 h + 24 h tendency)


@dataclass
class TrainConfig:
    max_iter: int = 300
    learning_rate: float = 0.08
    max_leaf_nodes: int = 48
    min_samples_leaf: int = 60
    l2_regularization: float = 1.0
    horizons_per_row: int | None = None   # random subset of horizons per issue time (stacked models)
    max_rows: int | None = None           # subsample for development
    calib_bins: int | None = None         # Mondrian bins by predicted level (default: 1 with spread models, else 12)
    recalibrate_exceedance: bool = False  # isotonic maps of P(>c) on held-out training cases (measured: did not
    #                                       transfer to the Beijing test year, see benchmarks/README-forecast.md)
    calibration: str = "crossfit"         # crossfit | forward (see DirectForecaster.fit)
    calib_method: str = "normalised"      # normalised (residuals / quantile-model spread) | log (un-normalised
    #                                       log1p residuals) | blend (the wider of the two, per quantile)
    calib_level_edges: tuple[float, ...] | None = None  # fixed Mondrian bins of the predicted level (for "blend":
    #                                                     of its un-normalised part)
    calib_condition: str = "auto"         # "issue-level": residual tables per band of the target's latest
    #                                       observation (ConditionedConformal) | "none": one pooled table |
    #                                       "auto": whichever has the lower CRPS on held-out cross-fit blocks
    calib_condition_edges: tuple[float, ...] | None = None  # default: the target's AQI 50/100/150/200/300 concentrations
    folds: int = 3
    calib_fraction: float = 0.3           # "forward": last part of the training period
    issue_hours: tuple[int, ...] | None = None  # restrict issue times (daily: (23,))
    train_issue_hours: tuple[int, ...] | None = None  # training rows from these issue hours (augmentation)
    seed: int = 0
    n_bags: int = 1                       # average of several feature-subsampled models (point forecast)
    bag_features: float = 0.7
    dist_center: str = "quantile-mid"            # point | quantile-mid (centre of the log-space q10/q90 models)
    n_threads: int | None = 1             # OpenMP threads for boosting (the machine is shared)
    spread_models: bool = True            # quantile models (log space) giving a conditional spread
    spread_max_iter: int = 150
    spread_max_rows: int | None = 150_000
    exceedance_pool: bool = False         # event classifiers at the AQI thresholds, logit-pooled with the
    #                                       distribution (weights chosen out of sample; forecasting/exceedance.py).
    #                                       Off by default: better Brier/CRPS, lower coverage on polluted hours
    #                                       (measured on two held-out Beijing years, benchmarks/README-forecast.md)
    pool_min_events: int = 100            # a threshold needs this many training events (and non-events)
    daily_anchor: bool = False            # the same for daily statistics, anchored on the last 24-h mean (experiment)
    persistence_anchor: bool = True       # hourly models: blend centre and point with the latest observation,
    #                                       one weight per horizon fitted out of sample in log space (trees
    #                                       approximate "same as now" coarsely: 1 h forecasts lost to persistence)
    pool_weight: float | None = None      # fixed classifier weight instead of the out-of-sample choice
    season_recalibration: bool = False    # logistic recalibration of P(>c) at the AQI thresholds on logit p and two
    #                                       harmonics of the valid day of the year, fitted on the out-of-sample
    #                                       cross-fit cases; quantiles follow through the knot remap (exceedance.py)
    forward_recalibration: bool = False   # logistic (Platt) map of P(>c) on logit p fitted only on the last cross-fit
    #                                       block, the one forecast forward in time by models of the earlier blocks
    #                                       (the product forecasts forward; experiment, see README-forecast)
    trend_recalibration: bool = False     # logistic map of P(>c) on logit p (+ season harmonics with
    #                                       season_recalibration) and a linear trend over the training years, kept as
    #                                       it stands at the training end (experiment, see README-forecast)
    natural_day: bool = False             # daily statistics: every training issue hour H predicts the natural days
    #                                       (h = 24k + 24 − H), so a forecast issued at any of those hours uses the
    #                                       data up to it (a 20:00 briefing no longer waits for the 23:00 issue)
    site_pooling: bool = False            # partial pooling of centre and point toward the mean over the sites at the
    #                                       same issue time (stations of one city share its weather), one weight per
    #                                       horizon fitted out of sample in log space; for station networks, not
    #                                       for cities hundreds of km apart
    hourly_input: bool | None = None      # daily statistics: the target day's statistic of a stacked hourly model
    #                                       as a feature (forecasting/hourly_day.py); None: on when the model sees
    #                                       the weather of every valid hour (met observed | nwp), off otherwise
    hourly_input_rows: int = 600_000      # training rows of that hourly model (sampled over all issue hours)
    hourly_input_max_iter: int = 400

    def uses_hourly_input(self, stat: str, met: str) -> bool:
        """Whether a model of statistic ``stat`` with weather input ``met`` gets the hourly model's day statistic."""
        if stat == "hourly":
            return False
        return met in ("observed", "nwp") if self.hourly_input is None else bool(self.hourly_input)

    def hourly_input_estimator(self) -> HistGradientBoostingRegressor:
        """The stacked hourly model behind the daily models' hourly input (horizon as a feature)."""
        return HistGradientBoostingRegressor(
            max_iter=self.hourly_input_max_iter, learning_rate=0.1, max_leaf_nodes=48, min_samples_leaf=60,
            l2_regularization=1.0, early_stopping=True, validation_fraction=0.1, n_iter_no_change=20,
            random_state=self.seed)

    def spread_estimator(self, q: float) -> HistGradientBoostingRegressor:
        return HistGradientBoostingRegressor(
            loss="quantile", quantile=q, max_iter=self.spread_max_iter, learning_rate=0.1,
            max_leaf_nodes=31, min_samples_leaf=100, early_stopping=True, validation_fraction=0.1,
            n_iter_no_change=15, random_state=self.seed)

    def estimator(self, k: int = 0) -> HistGradientBoostingRegressor:
        return HistGradientBoostingRegressor(
            loss="squared_error", max_iter=self.max_iter, learning_rate=self.learning_rate,
            max_leaf_nodes=self.max_leaf_nodes, min_samples_leaf=self.min_samples_leaf,
            l2_regularization=self.l2_regularization, early_stopping=True, validation_fraction=0.1,
            n_iter_no_change=20, random_state=self.seed + k,
            max_features=self.bag_features if self.n_bags > 1 else 1.0)

    def fit_point(self, X, y):
        """One boosting model, or the mean of ``n_bags`` feature-subsampled ones (a list)."""
        if self.n_bags <= 1:
            return self.estimator().fit(X, y)
        return [self.estimator(k).fit(X, y) for k in range(self.n_bags)]


@dataclass
class DirectForecaster:
    """A fitted forecaster of one target at several horizons, with baselines and calibration."""

    target: str                     # hourly variable the features are built from
    stat: str                       # "hourly" | "mean24" | "mda8" | "max1h24"
    horizons: list[int]
    spec: F.FeatureSpec
    estimator: HistGradientBoostingRegressor | None = None
    spread: list | None = None      # [q10 model, q90 model] on log1p(target), or None
    calibrator: BinnedLogConformal | BlendConformal | ConditionedConformal | None = None
    climatology: Climatology | None = None
    meta: dict = field(default_factory=dict)
    pool: ExceedancePool | None = None   # pooled exceedance knots (None: the calibrated distribution alone)
    day_input: HistGradientBoostingRegressor | None = None   # hourly model behind the FEATURE column (hourly_day.py)
    hourly_kit: HD.HourlyKit | None = field(default=None, repr=False)   # while training: shareable (not saved)

    # ------------------------------------------------------------------ data → matrices
    def target_series(self, ds: xr.Dataset) -> np.ndarray:
        return target_series(ds, self.target, self.stat)

    def matrices(self, ds: xr.Dataset, horizons, neighbours=None, future_met=None,
                 issue_mask: np.ndarray | None = None, with_target: bool = True,
                 day_input: dict[int, np.ndarray] | None = None):
        """Yield ``(h, X, y, rows)`` per horizon; rows index the flattened (site, time) grid. ``day_input``: the
        hourly model's day statistic per horizon (out-of-sample columns while fitting); by default it comes from the
        model's own hourly model, when it has one."""
        times = pd.DatetimeIndex(ds["time"].values)
        sites = ds["site"].values
        base, _ = F.issue_features(ds, self.target, neighbours, use_met=self.spec.met != "none",
                                   neighbour_names=self.spec.neighbours or None)
        y_obs = np.asarray(ds[self.target].transpose("site", "time").values, dtype=np.float32)
        yser = self.target_series(ds) if with_target else None
        clim = self.climatology.at(sites, times) if self.climatology is not None else None
        if self.stat != "hourly" and clim is not None:
            clim = F._roll(clim, 24)
        rows_by_h = self.issue_rows(ds, horizons, issue_mask)
        if day_input is None and self.day_input is not None:
            day_input = HD.day_inputs(self.hourly_sub(), ds, neighbours, future_met, rows_by_h, self.stat,
                                      lambda X, _rows: _predict_1thread(self.day_input, X))
        fmet = imet = None
        if self.spec.met in ("observed", "nwp"):
            src = future_met if future_met is not None else (ds if self.spec.met == "observed" else None)
            if src is not None and F.has_met(src):
                fmet = F.future_met_arrays(src, ds["time"].values, sites)
            if F.has_met(ds):
                imet = F.future_met_arrays(ds, ds["time"].values, sites)
        for h in horizons:
            valid = F.valid_features(times, h, len(sites), y_obs, clim, fmet, imet)
            if fmet is not None and self.stat != "hourly":
                valid.update(F.day_met_features(fmet, h))
            if day_input is not None:
                valid[HD.FEATURE] = day_input[h].reshape(len(sites), len(times))
            X, names = F.design(base, valid, self.spec.names or None)
            if not self.spec.names:
                self.spec.names = names
            y = F.shift(yser, -h).reshape(-1) if with_target else None
            yield h, X, y, rows_by_h[h]

    def issue_rows(self, ds: xr.Dataset, horizons, issue_mask: np.ndarray | None = None) -> dict[int, np.ndarray]:
        """Per horizon, the design rows (flattened (site, time)) forecast: those of ``issue_mask``, and for
        natural-day models only the issue hour the horizon belongs to, (−h) mod 24."""
        times = pd.DatetimeIndex(ds["time"].values)
        S = ds.sizes["site"]
        rows = np.arange(S * len(times))
        if issue_mask is not None:
            rows = rows[issue_mask.reshape(-1)]
        if not self.meta.get("natural_day_hours"):
            return {h: rows for h in horizons}
        row_hour = np.tile(times.hour.to_numpy(), S)[rows]
        return {h: rows[row_hour == (-h) % 24] for h in horizons}

    def hourly_sub(self, hours: list[int] | None = None) -> "DirectForecaster":
        """The stacked hourly forecaster whose features feed this daily model's hourly model (same weather input,
        neighbours and climatology; its design columns kept in ``meta["hourly_input"]``)."""
        info = self.meta.get("hourly_input") or {}
        spec = F.FeatureSpec(target=self.target, met=self.spec.met, neighbours=list(self.spec.neighbours),
                             names=list(info.get("names", [])))
        hours = hours or HD.hours_of(self.horizons)
        return DirectForecaster(target=self.target, stat="hourly", horizons=hours, spec=spec,
                                climatology=self.climatology)

    # ------------------------------------------------------------------ fit
    def fit(self, ds: xr.Dataset, cfg: TrainConfig | None = None, neighbours=None,
            progress: Callable[[float, str], None] | None = None, hourly_kit: HD.HourlyKit | None = None,
            hourly_hours: list[int] | None = None) -> "DirectForecaster":
        """Fit on ``ds`` (the training period). Daily models with the hourly input reuse ``hourly_kit`` when it
        covers them (another daily set of the same data) and otherwise fit their own, over ``hourly_hours`` if given
        (so that another set can share it); the kit used is left in ``self.hourly_kit``."""
        cfg = cfg or TrainConfig()
        with threadpool_limits(limits=cfg.n_threads, user_api="openmp"):
            return self._fit(ds, cfg, neighbours, progress, hourly_kit, hourly_hours)

    def _fit(self, ds, cfg, neighbours, progress, hourly_kit=None, hourly_hours=None) -> "DirectForecaster":
        t0 = _time.perf_counter()
        self.meta.pop("exceedance_pool", None)
        self.meta.pop("calibration_choice", None)
        rng = np.random.default_rng(cfg.seed)
        times = pd.DatetimeIndex(ds["time"].values)
        self.climatology = Climatology.fit(ds[self.target])
        S, T = ds.sizes["site"], ds.sizes["time"]
        issue_ok = np.ones((S, T), bool)
        hours = cfg.train_issue_hours or cfg.issue_hours
        if hours is not None:
            issue_ok &= np.isin(times.hour, hours)[None, :]
        self.meta.pop("natural_day_hours", None)
        if cfg.natural_day and self.stat != "hourly":
            leads = sorted({(h - 1) // 24 for h in self.horizons})   # 25 → D+1 … 97 → D+4 (23:00 horizons)
            nat_hours = sorted(hours or range(24))
            self.horizons = natural_day_horizons(nat_hours, leads)
            self.meta["natural_day_hours"] = [int(x) for x in nat_hours]
        self.day_input = self.hourly_kit = None
        self.meta.pop("hourly_input", None)
        day_cols = None
        if cfg.uses_hourly_input(self.stat, self.spec.met):
            day_cols = self._fit_hourly_input(ds, neighbours, cfg, issue_ok, rng, hourly_kit, hourly_hours)
            if progress:
                progress(0.1, f"{self.target}: hourly model of the target day fitted")
        Xs, ys, hs, ts = [], [], [], []
        tidx = np.broadcast_to(np.arange(T)[None, :], (S, T)).reshape(-1)
        for h, X, y, rows in self.matrices(ds, self.horizons, neighbours, issue_mask=issue_ok, day_input=day_cols):
            keep = rows[np.isfinite(y[rows])]
            if cfg.horizons_per_row and len(self.horizons) > cfg.horizons_per_row:
                keep = keep[rng.random(len(keep)) < cfg.horizons_per_row / len(self.horizons)]
            Xs.append(X[keep]); ys.append(y[keep]); hs.append(np.full(len(keep), h)); ts.append(tidx[keep])
        X, y, hh, ti = np.concatenate(Xs), np.concatenate(ys), np.concatenate(hs), np.concatenate(ts)
        del Xs, ys
        if cfg.max_rows and len(y) > cfg.max_rows:
            sel = np.sort(rng.choice(len(y), cfg.max_rows, replace=False))
            X, y, hh, ti = X[sel], y[sel], hh[sel], ti[sel]
        if progress:
            progress(0.2, f"{self.target}: {len(y)} training rows")
        # calibration residuals, out of sample, from the training period only:
        #  "crossfit": K contiguous blocks, each predicted by a model fitted on the other blocks
        #              (rows within max(horizon) of the block purged) — residuals cover all seasons
        #              and carry no trend bias of a model that never saw the recent past;
        #  "forward":  the last `calib_fraction` of the period predicted by a model fitted before it.
        pm, ps, po, ph, pc, pk, pb, pp, pt, pg = [], [], [], [], [], [], [], [], [], []
        lag_col = self._anchor_column()
        anchoring = cfg.persistence_anchor and (self.stat == "hourly" or cfg.daily_anchor) and lag_col is not None
        knots = self._pool_knots(y, cfg)
        key_col = self._condition_column(cfg)
        hmax = int(max(self.horizons))
        if cfg.calibration == "forward":
            cut = int(T * (1 - cfg.calib_fraction))
            blocks = [(cut, T)]
        else:
            edges = np.linspace(0, T, cfg.folds + 1).astype(int)
            blocks = list(zip(edges[:-1], edges[1:]))
        for a, b in blocks:
            test = (ti >= a) & (ti < b)
            if cfg.calibration == "forward":
                fit_rows = ti + hh < a
            else:
                # no training target inside the block; no training feature window reaching into it
                fit_rows = (ti + hh < a) | (ti >= b + max(hmax, F.LOOKBACK))
            if fit_rows.sum() < 30 or test.sum() == 0:
                continue
            est = cfg.fit_point(X[fit_rows], y[fit_rows])
            spread = self._fit_spread(X[fit_rows], y[fit_rows], cfg, rng) if cfg.spread_models else None
            pm.append(_center(cfg.dist_center, est, spread, X[test])); po.append(y[test]); ph.append(hh[test])
            pc.append(self._fold_classifiers(knots, X[fit_rows], y[fit_rows], X[test], cfg))
            pk.append(X[test][:, key_col] if key_col is not None else np.full(int(test.sum()), np.nan))
            pb.append(np.full(int(test.sum()), len(pb)))
            if anchoring:   # the latest observation, for the anchor weights
                pp.append(X[test][:, lag_col])
            if anchoring or cfg.site_pooling:   # the point forecast, for the anchor and pooling weights
                pt.append(pm[-1] if cfg.dist_center != "quantile-mid" or not spread
                          else np.maximum(_predict(est, X[test]), 0.0))
            pg.append(ti[test])   # issue-time index: the sites forecast together
            sc = _scale(spread, X[test])
            ps.append(np.ones(int(test.sum())) if sc is None else sc)
        self.meta.pop("persistence_weights", None)
        if anchoring and pm:
            cat = np.concatenate
            w_c = anchor_weights(cat(pm), cat(pp), cat(po), cat(ph), self.horizons)
            w_p = anchor_weights(cat(pt), cat(pp), cat(po), cat(ph), self.horizons)
            self.meta["persistence_weights"] = dict(horizons=list(map(int, self.horizons)), centre=w_c, point=w_p)
            pm = [anchor(m_, p_, self._anchor_w("centre", h_)) for m_, p_, h_ in zip(pm, pp, ph)]
            pt = [anchor(t_, p_, self._anchor_w("point", h_)) for t_, p_, h_ in zip(pt, pp, ph)]
        self.meta.pop("site_pooling_weights", None)
        if cfg.site_pooling and pm:
            pm = self._fit_site_pooling(pm, pt, po, ph, pg)
        oos = [np.concatenate(a) for a in (pm, po, ph, ps, pk)]
        key_name = self.spec.names[key_col] if key_col is not None else None
        if key_name is not None and cfg.calib_condition == "auto":
            key_name = self._choose_condition(cfg, *oos, np.concatenate(pb), key_name)
        self.calibrator = _fit_calibrator(cfg, *oos, key_name, self._condition_edges(cfg))
        if cfg.recalibrate_exceedance:
            from forecasting.probabilistic import concentration_thresholds
            thr = concentration_thresholds(self.target, daily=self.stat != "hourly")
            self.calibrator.fit_exceedance_maps(np.concatenate(pm), np.concatenate(po), np.concatenate(ph),
                                                list(thr.values()),
                                                scale=np.concatenate(ps) if cfg.spread_models else None)
        if progress:
            progress(0.6, f"{self.target}: calibrated on {sum(len(x) for x in po)} out-of-sample rows")
        self.pool = self._fit_pool(knots, np.concatenate(pm), np.concatenate(po), np.concatenate(ph),
                                   np.concatenate(ps), np.concatenate(pc) if knots else None, X, y, cfg,
                                   np.concatenate(pk))
        if cfg.season_recalibration or cfg.forward_recalibration or cfg.trend_recalibration:
            if self.pool is not None:
                raise ValueError("season_recalibration and exceedance_pool cannot be combined")
            valid_times = times[np.minimum(np.concatenate(pg) + np.concatenate(ph).astype(int), T - 1)]
            vdoy = valid_times.day_of_year.to_numpy()
            cases = np.concatenate(pb) == len(pb) - 1 if cfg.forward_recalibration else np.ones(len(vdoy), bool)
            years = None
            if cfg.trend_recalibration:
                years = ((valid_times - times[-1]) / pd.Timedelta(days=365.25)).to_numpy(float)[cases]
            self.pool = self._fit_season(cfg, *(a[cases] for a in oos), vdoy[cases],
                                         harmonics=2 if cfg.season_recalibration else 0, years=years)
        self.estimator = cfg.fit_point(X, y)
        self.spread = self._fit_spread(X, y, cfg, rng) if cfg.spread_models else None
        self.meta.update(
            train_start=str(times[0]), train_end=str(times[-1]), n_train_rows=int(len(y)),
            n_iter=int(np.mean([e.n_iter_ for e in (self.estimator if isinstance(self.estimator, list) else [self.estimator])])),
            calibration=f"{cfg.calibration} out-of-sample residuals within {times[0]} … {times[-1]}",
            fit_seconds=round(_time.perf_counter() - t0, 2), sites=[str(s) for s in ds["site"].values],
            config={k: v for k, v in cfg.__dict__.items()},
        )
        self.meta.setdefault("exceedance_pool", None)
        if progress:
            progress(1.0, f"{self.target}: trained")
        return self

    def _fit_hourly_input(self, ds, neighbours, cfg: TrainConfig, issue_ok, rng, kit: HD.HourlyKit | None = None,
                          hours: list[int] | None = None) -> dict[int, np.ndarray]:
        """The training rows' out-of-sample :data:`HD.FEATURE` columns per horizon, from ``kit`` when it covers this
        model, else from a kit fitted here (over ``hours`` ∪ this model's hours): one hourly model per cross-fit
        block, giving each row a value from a model that never saw its block, and one on the whole period, kept for
        forecasts."""
        T = ds.sizes["time"]
        needed = HD.hours_of(self.horizons)
        key = (self.target, self.spec.met, tuple(self.spec.neighbours), T, str(ds["time"].values[0]),
               max(cfg.folds, 2), cfg.hourly_input_rows, cfg.hourly_input_max_iter, cfg.seed)
        if kit is None or not kit.covers(needed, key):
            sub = self.hourly_sub(sorted(set(needed) | set(hours or [])))
            X, y, k, ti = HD.training_sample(sub, ds, sub.horizons, neighbours, cfg.hourly_input_rows, rng)
            edges = np.linspace(0, T, max(cfg.folds, 2) + 1).astype(int)
            blocks = list(zip(edges[:-1], edges[1:]))
            purge = max(max(sub.horizons), F.LOOKBACK)   # no training target or feature window reaching a block
            fold_models = []
            for a, b in blocks:
                fit_rows = (ti + k < a) | (ti >= b + purge)
                fold_models.append(cfg.hourly_input_estimator().fit(X[fit_rows], y[fit_rows])
                                   if fit_rows.sum() >= 1000 else None)
            kit = HD.HourlyKit(sub.horizons, list(sub.spec.names), blocks, fold_models,
                               cfg.hourly_input_estimator().fit(X, y), int(len(y)), key)
        self.hourly_kit, self.day_input = kit, kit.final
        self.meta["hourly_input"] = dict(feature=HD.FEATURE, names=list(kit.names), horizons=list(kit.hours),
                                         n_train_rows=kit.n_rows, n_iter=int(kit.final.n_iter_),
                                         out_of_sample_blocks=len(kit.blocks))
        return HD.day_inputs(self.hourly_sub(needed), ds, neighbours, None,
                             self.issue_rows(ds, self.horizons, issue_ok), self.stat,
                             HD.block_predictor(kit.fold_models, kit.blocks, T))

    def _anchor_column(self) -> int | None:
        """The anchor column: the latest hour for hourly models, the last 24-h mean for daily statistics."""
        name = f"{self.target}_lag0" if self.stat == "hourly" else f"{self.target}_mean24"
        return self.spec.names.index(name) if name in self.spec.names else None

    def _horizon_weight(self, kind: str, which: str, h) -> np.ndarray | float:
        """A weight fitted per horizon (``meta[kind]``: persistence or site-pooling weights of the centre or the
        point) at horizon(s) ``h``; 0 when the model has none."""
        pw = self.meta.get(kind)
        return np.interp(np.asarray(h, float), pw["horizons"], pw[which]) if pw else 0.0

    def _anchor_w(self, which: str, h) -> np.ndarray | float:
        """Weight of the latest observation at horizon(s) ``h`` (0 when the model has no anchor)."""
        return self._horizon_weight("persistence_weights", which, h)

    def _anchored(self, which: str, values: np.ndarray, X: np.ndarray, h) -> np.ndarray:
        if not self.meta.get("persistence_weights"):
            return values
        return anchor(values, X[:, self._anchor_column()], self._anchor_w(which, h))

    def _fit_site_pooling(self, pm, pt, po, ph, pg) -> list[np.ndarray]:
        """Pooling weights per horizon from the out-of-sample blocks (centre ``pm`` and point ``pt`` toward the
        mean over the sites of the same issue time, least squares in log space); returns the pooled centres."""
        cat = np.concatenate
        mc = [site_mean(m_, g_, h_) for m_, g_, h_ in zip(pm, pg, ph)]
        mp = [site_mean(t_, g_, h_) for t_, g_, h_ in zip(pt, pg, ph)]
        w_c = anchor_weights(cat(pm), cat(mc), cat(po), cat(ph), self.horizons, monotone=False)
        w_p = anchor_weights(cat(pt), cat(mp), cat(po), cat(ph), self.horizons, monotone=False)
        self.meta["site_pooling_weights"] = dict(horizons=list(map(int, self.horizons)), centre=w_c, point=w_p)
        return [anchor(m_, c_, self._pool_w("centre", h_)) for m_, c_, h_ in zip(pm, mc, ph)]

    def _pool_w(self, which: str, h) -> np.ndarray | float:
        """Weight of the sites' mean at horizon(s) ``h`` (0 when the model does not pool)."""
        return self._horizon_weight("site_pooling_weights", which, h)

    def _site_pooled(self, which: str, values: np.ndarray, h, groups) -> np.ndarray:
        """``values`` partially pooled toward their issue time's mean over the sites (models fitted with
        ``site_pooling``; ``groups`` labels the rows issued together, None: no pooling)."""
        if groups is None or not self.meta.get("site_pooling_weights"):
            return values
        hh = np.broadcast_to(np.asarray(h), values.shape)
        return anchor(values, site_mean(values, np.asarray(groups), hh), self._pool_w(which, hh))

    def _condition_column(self, cfg: TrainConfig) -> int | None:
        """Design-matrix column of the calibration key (the target's latest observation), if conditioned."""
        name = f"{self.target}_lag0"
        if cfg.calib_condition == "none" or cfg.calib_method != "normalised" or cfg.recalibrate_exceedance:
            return None
        if cfg.calib_condition not in ("issue-level", "auto"):
            raise ValueError(f"unknown calib_condition {cfg.calib_condition!r} (auto | issue-level | none)")
        return self.spec.names.index(name) if name in self.spec.names else None

    def _choose_condition(self, cfg: TrainConfig, pm, po, ph, ps, pk, pb, key_name: str) -> str | None:
        """``key_name`` when the conditioned calibrator has the lower CRPS on held-out cross-fit blocks
        (each block scored by tables fitted on the others), else None; the scores go into ``meta``."""
        from forecasting.metrics import crps_from_quantiles
        from forecasting.probabilistic import CRPS_LEVELS

        blocks = np.unique(pb)
        scores = {}
        if len(blocks) >= 2:
            edges = self._condition_edges(cfg)
            for cand in ("none", "issue-level"):
                total, n = 0.0, 0
                for b in blocks:
                    fit, ev = pb != b, (pb == b) & np.isfinite(po)
                    cal = _fit_calibrator(cfg, pm[fit], po[fit], ph[fit], ps[fit], pk[fit],
                                          key_name if cand == "issue-level" else None, edges)
                    q = cal.quantiles(pm[ev], ph[ev], CRPS_LEVELS, ps[ev] if cfg.spread_models else None, key=pk[ev])
                    total += crps_from_quantiles(po[ev], q, CRPS_LEVELS) * ev.sum()
                    n += ev.sum()
                scores[cand] = round(total / max(n, 1), 4)
        self.meta["calibration_choice"] = dict(by="CRPS on held-out cross-fit blocks", crps=scores,
                                               chosen="issue-level" if scores and scores["issue-level"] < scores["none"]
                                               else "none")
        return key_name if self.meta["calibration_choice"]["chosen"] == "issue-level" else None

    def _condition_edges(self, cfg: TrainConfig) -> list[float]:
        if cfg.calib_condition_edges:
            return [float(e) for e in cfg.calib_condition_edges]
        from forecasting.probabilistic import concentration_thresholds
        return sorted(concentration_thresholds(self.target, daily=False, aqi_levels=(50, 100, 150, 200, 300)).values())

    def _calib_key(self, X: np.ndarray) -> np.ndarray | None:
        """The calibration key of design-matrix rows (None for an unconditioned calibrator)."""
        if not isinstance(self.calibrator, ConditionedConformal):
            return None
        return X[:, self.spec.names.index(self.calibrator.feature)]

    def _pool_knots(self, y: np.ndarray, cfg: TrainConfig) -> list[float]:
        """Knots of the exceedance pool (none when it is off)."""
        return self._event_knots(y, cfg.pool_min_events) if cfg.exceedance_pool else []

    def _event_knots(self, y: np.ndarray, min_events: int) -> list[float]:
        """Concentrations of the AQI thresholds with at least ``min_events`` events and non-events in ``y``."""
        from forecasting.probabilistic import concentration_thresholds

        thr = sorted(concentration_thresholds(self.target, daily=self.stat != "hourly").values())
        return [c for c in thr if min_events <= int((y > c).sum()) <= len(y) - min_events]

    @staticmethod
    def _fold_classifiers(knots, X_fit, y_fit, X_test, cfg: TrainConfig) -> np.ndarray:
        """Out-of-sample classifier probabilities per knot for one cross-fit block (NaN: too few events)."""
        out = np.full((len(X_test), len(knots)), np.nan)
        for j, c in enumerate(knots):
            ev = y_fit > c
            if min(ev.sum(), (~ev).sum()) >= cfg.pool_min_events // 2:
                out[:, j] = event_classifier(cfg.seed).fit(X_fit, ev).predict_proba(X_test)[:, 1]
        return out

    def _fit_pool(self, knots, pm, po, ph, ps, pc, X, y, cfg: TrainConfig, pk=None) -> ExceedancePool | None:
        """Pool weights from the out-of-sample blocks, then the final classifiers on all rows."""
        if not knots:
            return None
        sc = ps if cfg.spread_models else None
        weights, clfs, info = [], [], {}
        for j, c in enumerate(knots):
            ok = np.isfinite(pc[:, j]) & np.isfinite(po) & np.isfinite(pm)
            w, losses = 0.0, {}
            if ok.sum() and 0 < (po[ok] > c).sum() < ok.sum():
                p_dist = self.calibrator.exceedance(pm[ok], ph[ok], c, None if sc is None else sc[ok], recalibrate=False,
                                                    key=None if pk is None else pk[ok])
                w, losses = choose_weight((po[ok] > c).astype(float), pc[ok, j], p_dist)
                w = w if cfg.pool_weight is None else float(cfg.pool_weight)
            weights.append(w)
            clfs.append(event_classifier(cfg.seed).fit(X, y > c) if w > 0 else None)
            info[repr(float(c))] = dict(events=int((y > c).sum()), oos_cases=int(ok.sum()), weight=w,
                                        oos_log_loss={str(k): round(v, 5) for k, v in losses.items()})
        pool = ExceedancePool([float(c) for c in knots], weights, clfs, info)
        self.meta["exceedance_pool"] = pool.meta()     # kept even when every weight is 0 (no pool used)
        return pool if any(w > 0 for w in weights) else None

    def _fit_season(self, cfg: TrainConfig, pm, po, ph, ps, pk, valid_doy, harmonics: int = 2,
                    years: np.ndarray | None = None) -> ExceedancePool | None:
        """Seasonal logistic recalibration of the calibrated P(Y > c) at the AQI thresholds with enough events,
        fitted on the out-of-sample cross-fit cases (training period only)."""
        if "v_doy" not in self.spec.names:
            return None
        ok = np.isfinite(po)
        knots = [float(c) for c in self._event_knots(po[ok], cfg.pool_min_events)]
        if not knots:
            return None
        key = pk if isinstance(self.calibrator, ConditionedConformal) else None
        coef, info = [], {}
        for c in knots:
            p0 = self.calibrator.exceedance(pm[ok], ph[ok], c, ps[ok] if cfg.spread_models else None,
                                            recalibrate=False, key=None if key is None else key[ok])
            coef.append(fit_season(p0, valid_doy[ok], po[ok] > c, harmonics, None if years is None else years[ok]))
            info[repr(c)] = dict(events=int((po[ok] > c).sum()), oos_cases=int(ok.sum()))
        pool = ExceedancePool(knots, [0.0] * len(knots), [None] * len(knots), info,
                              season=dict(feature="v_doy", column=self.spec.names.index("v_doy"), coef=coef,
                                          **({} if harmonics == 2 else {"harmonics": harmonics})))
        self.meta["exceedance_pool"] = pool.meta()
        return pool

    @staticmethod
    def _fit_spread(X, y, cfg: TrainConfig, rng) -> list:
        if cfg.spread_max_rows and len(y) > cfg.spread_max_rows:
            sel = rng.choice(len(y), cfg.spread_max_rows, replace=False)
            X, y = X[sel], y[sel]
        ly = np.log1p(np.maximum(y, 0))
        return [cfg.spread_estimator(q).fit(X, ly) for q in (0.1, 0.9)]

    # ------------------------------------------------------------------ predict
    def predict_point(self, X: np.ndarray) -> np.ndarray:
        with threadpool_limits(limits=1, user_api="openmp"):
            return np.maximum(_predict(self.estimator, X), 0.0)

    def _spread_preds(self, X: np.ndarray):
        if not self.spread:
            return None
        with threadpool_limits(limits=1, user_api="openmp"):
            return self.spread[0].predict(X), self.spread[1].predict(X)

    def _center_scale(self, X: np.ndarray, point: np.ndarray):
        sp = self._spread_preds(X)
        kind = self.meta.get("config", {}).get("dist_center", "point")
        if sp is None:
            return point, None
        lo, hi = sp
        c = np.expm1(np.maximum((lo + hi) / 2, 0)) if kind == "quantile-mid" else point
        return c, np.maximum((hi - lo) / 2.563, 0.05)

    def _knot_cdfs(self, X, h, c, scale, key, odds_shift=None, knots=None):
        """Conformal CDF F₀ and final CDF G at the knots, each ``(n, knots)``: the pool's knots and pooled CDF, or,
        with ``odds_shift`` (log-odds of P(Y > c) per row and knot, :mod:`forecasting.recent_correction`), ``knots``
        and the shifted CDF (after the pool when the model has one)."""
        knots = list(self.pool.thresholds) if self.pool is not None else list(knots)
        F0 = np.stack([1 - self.calibrator.exceedance(c, h, k, scale, recalibrate=self.pool is None, key=key)
                       for k in knots], axis=1)
        G = F0
        if self.pool is not None:
            with threadpool_limits(limits=1, user_api="openmp"):
                G = 1 - self.pool.pooled(X, 1 - F0)
        if odds_shift is not None:
            exc = apply_shift(1 - G, np.asarray(odds_shift, float))
            G = 1 - np.minimum.accumulate(np.nan_to_num(exc, nan=1.0), axis=1)     # P(Y > c) falls with c
            G = np.where(np.isfinite(F0), G, np.nan)
        return F0, G

    def _prepared(self, X: np.ndarray, h, groups) -> tuple[np.ndarray, np.ndarray, np.ndarray | None, object]:
        """(point, distribution centre, scale, calibration key) of design-matrix rows: the models' predictions,
        anchored and site-pooled as configured."""
        raw = self.predict_point(X)
        c, scale = self._center_scale(X, raw)
        c, point = self._anchored("centre", c, X, h), self._anchored("point", raw, X, h)
        c, point = self._site_pooled("centre", c, h, groups), self._site_pooled("point", point, h, groups)
        return point, c, scale, self._calib_key(X)

    def forecast_rows(self, X: np.ndarray, h, levels, thresholds, groups=None, odds_shift=None, knots=None
                      ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray | None]:
        """(point, quantiles at ``levels``, P(Y > c) at ``thresholds``, scale) from one pass of the models — what
        :meth:`distribution` and :meth:`exceedances` give, without predicting twice."""
        point, c, scale, key = self._prepared(X, h, groups)
        F0, G = self._final_cdfs(X, h, c, scale, key, odds_shift, knots)
        return (point, self._quantiles(c, h, levels, scale, key, F0, G),
                self._exceedances(c, h, thresholds, scale, key, F0, G), scale)

    def distribution(self, X: np.ndarray, h, levels, groups=None, odds_shift=None, knots=None
                     ) -> tuple[np.ndarray, np.ndarray, np.ndarray | None]:
        """(point, quantiles at ``levels``, scale) for design-matrix rows at horizon(s) ``h``; ``groups`` labels
        rows issued at the same time (for models fitted with site pooling); ``odds_shift`` ``(n, len(knots))``
        shifts the log-odds of P(Y > knot) (the running correction from verified forecasts, the seasonal prior)."""
        point, c, scale, key = self._prepared(X, h, groups)
        F0, G = self._final_cdfs(X, h, c, scale, key, odds_shift, knots)
        return point, self._quantiles(c, h, levels, scale, key, F0, G), scale

    def exceedance(self, X: np.ndarray, h, threshold: float) -> np.ndarray:
        """P(Y > threshold) — of the pooled distribution when the model has an exceedance pool."""
        return self.exceedances(X, h, [threshold])[:, 0]

    def exceedances(self, X: np.ndarray, h, thresholds, groups=None, odds_shift=None, knots=None) -> np.ndarray:
        """P(Y > c) for several thresholds at once, shape ``(n, len(thresholds))`` (``odds_shift``, ``knots``: as in
        :meth:`distribution`)."""
        _, c, scale, key = self._prepared(X, h, groups)
        F0, G = self._final_cdfs(X, h, c, scale, key, odds_shift, knots)
        return self._exceedances(c, h, thresholds, scale, key, F0, G)

    def _final_cdfs(self, X, h, c, scale, key, odds_shift, knots):
        """The knot CDFs (F₀, G) of :meth:`_knot_cdfs`, or (None, None) when the calibrated distribution stands as it
        is (no exceedance pool, no odds shift)."""
        if self.pool is None and odds_shift is None:
            return None, None
        return self._knot_cdfs(X, h, c, scale, key, odds_shift, knots)

    def _quantiles(self, c, h, levels, scale, key, F0, G) -> np.ndarray:
        """Quantiles at ``levels`` of the calibrated distribution, remapped through the knot CDFs when given."""
        if F0 is None:
            return self.calibrator.quantiles(c, h, levels, scale, key=key)
        return remap_quantiles(self.calibrator.quantiles(c, h, GRID, scale, key=key), GRID, F0, G, levels)

    def _exceedances(self, c, h, thresholds, scale, key, F0, G) -> np.ndarray:
        """P(Y > c) at ``thresholds`` of the calibrated distribution, remapped through the knot CDFs when given."""
        exc = np.stack([self.calibrator.exceedance(c, h, t, scale, recalibrate=self.pool is None, key=key)
                        for t in thresholds], axis=1)
        if F0 is None:
            return exc
        return np.stack([1 - remap_cdf(1 - exc[:, k], F0, G) for k in range(exc.shape[1])], axis=1)


def anchor(model: np.ndarray, latest: np.ndarray, w) -> np.ndarray:
    """``expm1(w·log1p(latest) + (1 − w)·log1p(model))``; the model alone where the latest observation is missing."""
    a, b = np.log1p(np.maximum(latest, 0.0)), np.log1p(np.maximum(model, 0.0))
    mixed = np.expm1(w * a + (1 - w) * b)
    return np.where(np.isfinite(a), mixed, model)


def site_mean(values: np.ndarray, groups: np.ndarray, h) -> np.ndarray:
    """Per row, ``expm1`` of the mean ``log1p`` value over the rows of the same group and horizon (the sites
    forecast at one issue time); NaN values do not count, and a row alone keeps its own value."""
    v = np.log1p(np.maximum(np.asarray(values, float), 0.0))
    key = pd.MultiIndex.from_arrays([np.asarray(groups), np.broadcast_to(np.asarray(h), v.shape)])
    mean = pd.Series(v).groupby(pd.factorize(key)[0]).transform("mean").to_numpy()
    return np.expm1(np.where(np.isfinite(mean), mean, v))


def anchor_weights(model, latest, obs, h, horizons, min_rows: int = 100, monotone: bool = True) -> list[float]:
    """Per horizon, the least-squares weight of the latest observation (or any other anchor) in log space
    (clipped to 0…1 and, when ``monotone``, never rising with the horizon) from out-of-sample predictions
    ``model`` of ``obs``."""
    a, b, c = (np.log1p(np.maximum(x, 0.0)) for x in (latest, model, obs))
    ok = np.isfinite(a) & np.isfinite(b) & np.isfinite(c)
    out = []
    for hz in horizons:
        m = ok & (h == hz)
        d = a[m] - b[m]
        den = float(d @ d)
        out.append(float(np.clip((d @ (c[m] - b[m])) / den, 0, 1)) if m.sum() >= min_rows and den > 0 else 0.0)
    return [float(v) for v in (np.minimum.accumulate(out) if monotone else out)] if out else out


def _fit_calibrator(cfg: TrainConfig, pm, po, ph, ps, key=None, key_name: str | None = None, edges=None):
    """The calibrator chosen by ``cfg.calib_method`` from out-of-sample (centre, observed, horizon, spread),
    conditioned on the issue-time ``key`` (a :class:`ConditionedConformal`) when ``key_name`` is given and the
    method is "normalised"."""
    if key_name is not None and cfg.calib_method == "normalised":
        return ConditionedConformal.fit(key_name, edges, key, pm, po, ph, scale=ps if cfg.spread_models else None,
                                        n_bins=cfg.calib_bins or (1 if cfg.spread_models else 12),
                                        level_edges=cfg.calib_level_edges)
    normalised = BinnedLogConformal.fit(pm, po, ph, scale=ps if cfg.spread_models else None,
                                        n_bins=cfg.calib_bins or (1 if cfg.spread_models else 12),
                                        level_edges=cfg.calib_level_edges if cfg.calib_method == "normalised" else None)
    if cfg.calib_method == "normalised" or (cfg.calib_method == "blend" and not cfg.spread_models):
        return normalised
    plain = BinnedLogConformal.fit(pm, po, ph, n_bins=cfg.calib_bins or 1, level_edges=cfg.calib_level_edges)
    if cfg.calib_method == "log":
        return plain
    if cfg.calib_method == "blend":
        return BlendConformal([normalised, plain])
    raise ValueError(f"unknown calib_method {cfg.calib_method!r} (normalised | log | blend)")


def _predict_1thread(est, X) -> np.ndarray:
    with threadpool_limits(limits=1, user_api="openmp"):
        return est.predict(X)


def _predict(est, X) -> np.ndarray:
    if isinstance(est, list):
        return np.mean([e.predict(X) for e in est], axis=0)
    return est.predict(X)


def _center(kind: str, est, spread, X) -> np.ndarray:
    if kind == "quantile-mid" and spread:
        return np.expm1(np.maximum((spread[0].predict(X) + spread[1].predict(X)) / 2, 0))
    return np.maximum(_predict(est, X), 0.0)


def _scale(spread, X) -> np.ndarray | None:
    """Conditional spread in log units from the (q10, q90) quantile models: (q90 − q10)/2.563."""
    if not spread:
        return None
    lo, hi = spread[0].predict(X), spread[1].predict(X)
    return np.maximum((hi - lo) / 2.563, 0.05)


def natural_day_horizons(hours, leads) -> list[int]:
    """Horizons from issue hour H (0–23) to the ends of the natural days D+k: ``24k + 24 − H`` (H = 23, k = 1: 25 h;
    H = 20: 28 h). Hour 0 closes the previous day, so from 00:00 the next day ends at 24 h."""
    return sorted({24 * k + (24 - H) % 24 for H in hours for k in leads})


def target_series(ds: xr.Dataset, var: str, stat: str) -> np.ndarray:
    """The series a model predicts, as ``(site, time)``: hourly value or the daily statistic of
    the 24 hours ending at ``t`` (valid when evaluated at the end of a natural day)."""
    y = np.asarray(ds[var].transpose("site", "time").values, dtype=np.float32)
    if stat == "hourly":
        return y
    if stat == "mean24":
        return F._roll(y, 24, "mean", min_frac=20 / 24)
    if stat == "mda8":
        m8 = F._roll(y, 8, "mean", min_frac=6 / 8)
        return F._roll(m8, 24, "max", min_frac=18 / 24)
    if stat == "max1h24":
        return F._roll(y, 24, "max", min_frac=18 / 24)
    raise ValueError(f"unknown statistic {stat!r}")


def make_forecaster(ds: xr.Dataset, target: str, horizons, met: str = "current", stat: str = "hourly",
                    neighbours: xr.Dataset | None = None) -> DirectForecaster:
    """A not-yet-fitted forecaster; ``met``: none | current | observed | nwp."""
    if target not in ds:
        raise KeyError(f"target {target!r} not in the data (have {sorted(ds.data_vars)})")
    if met != "none" and not F.has_met(ds):
        met = "none"
    nb = [str(s) for s in neighbours["site"].values] if neighbours is not None and target in neighbours else []
    spec = F.FeatureSpec(target=target, met=met, neighbours=nb)
    return DirectForecaster(target=target, stat=stat, horizons=[int(h) for h in horizons], spec=spec)
