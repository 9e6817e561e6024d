"""A complete forecast system: hourly 1–72 h for all pollutants + daily D+1…D+3, with derived AQI.

``ForecastSystem.train`` fits one stacked-horizon model per pollutant (hourly) and one model per
daily statistic (daily means, MDA8 O3) issued at 23:00.  ``ForecastSystem.forecast`` issues a
forecast at a given time *using only observations up to it* and returns a :class:`Forecast` that
records the model version, the training period, the inputs and whether weather input was used.
"""
from __future__ import annotations

import time as _time
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
import xarray as xr

from forecasting import daily as D
from forecasting.hourly_day import hours_of
from forecasting.models import HIST_HOURS, DirectForecaster, TrainConfig, make_forecaster, natural_day_horizons
from forecasting.probabilistic import (AQI_THRESHOLDS, concentration_thresholds, derived_aqi, even_grid,
                                       to_timestamp)
from forecasting.recent_correction import RecentCorrection, band_label, odds_factors, shifts_for
from forecasting.seasonal_prior import SeasonalPrior, seen_months
from forecasting.features import POLLUTANTS

HOURLY_HORIZONS = list(range(1, 73))
#: the forecast's weather-input statement when no weather-forecast fields drive it (shown as is, or translated)
NO_WEATHER = "NO weather input: forecast from past concentrations, calendar and neighbouring sites only"
OBSERVED_WEATHER_ONLY = "observed meteorology up to the issue time only (no weather forecast loaded)"
FAN_LEVELS = (0.1, 0.25, 0.5, 0.75, 0.9)
#: the running correction re-issues past forecasts every this many hours (02:00, 05:00, … 23:00)
REISSUE_EVERY = 3


@dataclass
class Forecast:
    """One issued forecast (all sites)."""

    issue_time: pd.Timestamp
    hourly: xr.Dataset          # <P>_q (site, valid_time, level), aqi_q, p_aqi_gt_<c>, observed history
    daily: pd.DataFrame         # site, date, lead, category probabilities, category, primary, stats P10/P50/P90
    info: dict = field(default_factory=dict)


class ForecastSystem:
    def __init__(self, hourly: dict[str, DirectForecaster] | None = None,
                 daily: dict[str, DirectForecaster] | None = None, info: dict | None = None,
                 evening: dict[str, DirectForecaster] | None = None):
        self.hourly = hourly or {}
        self.daily = daily or {}          # daily statistics from the 23:00 issue
        self.evening = evening or {}      # the same from their natural-day issue hours (e.g. the 20:00 briefing)
        self.info = info or {}

    # ------------------------------------------------------------------ lifecycle
    @classmethod
    def train(cls, ds: xr.Dataset, train_end=None, neighbours: xr.Dataset | None = None,
              targets=POLLUTANTS, met: str = "current", hourly_cfg: TrainConfig | None = None,
              daily_cfg: TrainConfig | None = None, progress=None,
              evening_cfg: TrainConfig | None = None) -> "ForecastSystem":
        """Hourly and daily models per target; with ``evening_cfg`` (``natural_day``, e.g. issue hour 20) also daily
        models specialised to those issue hours, which the outlook uses when their issue is the latest."""
        t0 = _time.perf_counter()
        if train_end is not None:
            ds = ds.sel(time=slice(None, pd.Timestamp(train_end)))
            if neighbours is not None:
                neighbours = neighbours.sel(time=slice(None, pd.Timestamp(train_end)))
        targets = [t for t in targets if t in ds]
        hourly_cfg = hourly_cfg or TrainConfig(max_iter=200, horizons_per_row=6, max_rows=150_000,
                                               spread_max_iter=100, spread_max_rows=60_000)
        daily_cfg = daily_cfg or TrainConfig(max_iter=400, learning_rate=0.05, issue_hours=(23,),
                                             train_issue_hours=tuple(range(18, 24)), spread_max_iter=100,
                                             min_samples_leaf=20, max_leaf_nodes=15)
        hourly, daily, evening = {}, {}, {}
        shared_hours = _shared_hourly_hours(evening_cfg)
        steps = len(targets) * (3 if evening_cfg is not None else 2)
        k = 0
        for tgt in targets:
            m = make_forecaster(ds, tgt, HOURLY_HORIZONS, met=met, neighbours=neighbours)
            hourly[tgt] = m.fit(ds, hourly_cfg, neighbours)
            k += 1
            if progress:
                progress(k / steps, f"trained hourly {tgt}")
            stat = "mda8" if tgt == "O3" else "mean24"
            dm = make_forecaster(ds, tgt, D.DAILY_HORIZONS, met=met, stat=stat, neighbours=neighbours)
            dm.fit(ds, daily_cfg, neighbours, hourly_hours=shared_hours)
            (evening if _evening(dm) else daily)[tgt] = dm
            k += 1
            if progress:
                progress(k / steps, f"trained daily {tgt}")
            if evening_cfg is not None:
                em = make_forecaster(ds, tgt, D.DAILY_HORIZONS, met=met, stat=stat, neighbours=neighbours)
                evening[tgt] = em.fit(ds, evening_cfg, neighbours, hourly_kit=dm.hourly_kit)   # one hourly input
                em.hourly_kit = None
                k += 1
                if progress:
                    progress(k / steps, f"trained daily {tgt} for {evening_cfg.issue_hours}")
            dm.hourly_kit = None   # the fold models are only needed while training
        info = dict(train_start=str(pd.Timestamp(ds["time"].values[0])),
                    train_end=str(pd.Timestamp(ds["time"].values[-1])),
                    sites=[str(s) for s in ds["site"].values], targets=targets,
                    neighbours=[str(s) for s in neighbours["site"].values] if neighbours is not None else [],
                    met=met, train_seconds=round(_time.perf_counter() - t0, 1))
        return cls(hourly, daily, info, evening)

    def models(self) -> list[DirectForecaster]:
        return [*self.hourly.values(), *self.daily.values(), *self.evening.values()]

    def save(self, path) -> dict:
        from forecasting.store import save_bundle

        manifest = save_bundle(self.models(), path, info=self.info)
        self.info["model_version"] = manifest["model_version"]   # the id of what was written (estimator digests)
        return manifest

    @classmethod
    def load(cls, source) -> "ForecastSystem":
        from forecasting.store import load_bundle

        models, manifest = load_bundle(source)
        hourly = {m.target: m for m in models if m.stat == "hourly"}
        daily = {m.target: m for m in models if m.stat != "hourly" and not _evening(m)}
        evening = {m.target: m for m in models if m.stat != "hourly" and _evening(m)}
        info = dict(manifest.get("info", {}), model_version=manifest["model_version"])
        return cls(hourly, daily, info, evening)

    def daily_models(self, issue: pd.Timestamp) -> dict[str, DirectForecaster]:
        """The daily models an outlook at ``issue`` uses: the set whose issue time (:func:`D.daily_issue_time`) is the
        latest ≤ ``issue`` — the evening set from its hours on (a 20:00 briefing), else the 23:00 set."""
        sets = [s for s in (self.daily, self.evening) if s]
        if not sets:
            return {}
        return max(sets, key=lambda s: D.daily_issue_time(s.values(), issue))   # ties: the 23:00 set (first)

    @property
    def version(self) -> str:
        from forecasting.store import model_version

        return self.info.get("model_version") or model_version(self.models(), fitted=True)

    # ------------------------------------------------------------------ forecasting
    def forecast(self, ds: xr.Dataset, issue_time, neighbours: xr.Dataset | None = None,
                 future_met: xr.Dataset | None = None, n_levels: int = 49, progress=None,
                 correction: RecentCorrection | None = None, prior: SeasonalPrior | None = None) -> Forecast:
        """Forecast issued at ``issue_time`` from observations at or before it (later data ignored).

        ``correction``: correct the hourly models' exceedance odds from their forecasts verified by 00:00 of the issue
        day (:mod:`forecasting.recent_correction`), re-issued here from ``ds`` for the issue times after the end of the
        training period; ``info["recent_correction"]`` says per pollutant what was used, or why nothing was.
        ``prior``: shift the exceedance odds (hourly and daily) of valid months a model did not see in training
        (:mod:`forecasting.seasonal_prior`); ``info["seasonal_prior"]`` records its version and what it moved."""
        t0 = _time.perf_counter()
        issue = to_timestamp(issue_time).floor("h")
        hist = ds.sel(time=slice(issue - pd.Timedelta(hours=HIST_HOURS + 120), issue))
        if hist.sizes["time"] == 0:
            t = pd.DatetimeIndex(ds["time"].values)
            raise ValueError(f"no observations in the {HIST_HOURS + 120} h before {issue:%Y-%m-%d %H:%M} "
                             f"(the data run {t[0]:%Y-%m-%d %H:%M} … {t[-1]:%Y-%m-%d %H:%M})")
        grid_t = pd.date_range(hist["time"].values[0], issue + pd.Timedelta(hours=max(HOURLY_HORIZONS)), freq="h")
        ext = hist.reindex(time=grid_t)
        nb = neighbours.sel(time=slice(None, issue)).reindex(time=grid_t) if neighbours is not None else None
        sites = ext["site"].values
        it = int(np.searchsorted(grid_t, issue))
        levels = list(even_grid(n_levels))
        q_all = {}
        mask = np.zeros((len(sites), len(grid_t)), bool)
        mask[:, it] = True
        corr_info: dict[str, dict] = {}
        prior_info: dict[str, dict] = {}
        for k, (tgt, m) in enumerate(self.hourly.items()):
            Xs, hs, ss = [], [], []
            for h, X, _, rows in m.matrices(ext, HOURLY_HORIZONS, nb, future_met, issue_mask=mask, with_target=False):
                Xs.append(X[rows]); hs.append(np.full(len(rows), h)); ss.append(sites[rows // len(grid_t)])
            hh = np.concatenate(hs)
            shift, knots = None, None
            if correction is not None:
                shift, knots, corr_info[tgt] = recent_shifts(m, ds, issue, neighbours, correction, hh, prior)
            if prior is not None:
                ps, pk, prior_info[tgt] = prior_shifts(m, prior, np.concatenate(ss), issue + pd.to_timedelta(hh, "h"),
                                                       hh)
                if ps is not None:
                    knots, shift = pk, (ps if shift is None else shift + ps)
            _, q, _ = m.distribution(np.concatenate(Xs), hh, levels, groups=np.zeros(len(hh)),
                                     odds_shift=shift, knots=knots)   # (h, site) rows
            qs = q.reshape(len(HOURLY_HORIZONS), len(sites), len(levels)).transpose(1, 0, 2)
            q_all[tgt] = qs
            if progress:
                progress(0.1 + 0.6 * (k + 1) / max(1, len(self.hourly)), f"hourly {tgt}")
        valid = forecast_valid_times(issue)
        hourly = xr.Dataset(coords={"site": sites, "valid_time": valid, "level": levels})
        for tgt, qs in q_all.items():
            hourly[tgt] = (("site", "valid_time", "level"), qs)
        if q_all:
            full = {p: q_all.get(p, np.full_like(next(iter(q_all.values())), np.nan)) for p in POLLUTANTS}
            present = {p: a for p, a in full.items() if np.isfinite(a).any()}
            aq = derived_aqi(present, valid, sites)
            hourly["AQI"] = (("site", "valid_time", "level"), aq["aqi"].values)
            for c in AQI_THRESHOLDS:
                hourly[f"p_aqi_gt_{c}"] = (("site", "valid_time"), (aq["aqi"].values > c).mean(axis=-1))
        dm = self.daily_models(issue)
        daily = D.daily_outlook(dm, ext, it, issue, nb, future_met, levels,
                                shifts=_daily_prior(prior, prior_info) if prior is not None else None) \
            if dm else pd.DataFrame()
        if progress:
            progress(1.0, "done")
        met_used = next(iter(self.hourly.values())).spec.met if self.hourly else "none"
        nb_names = [str(s) for s in self.info.get("neighbours", [])]
        covered = weather_hours(future_met, valid) if future_met is not None else 0
        facts = _weather_facts(future_met) if future_met is not None else {}
        info = dict(model_version=self.version, issued=str(issue), training_period=(
            self.info.get("train_start"), self.info.get("train_end")),
            inputs=dict(observations_until=str(_latest_observation(hist, list(self.hourly)) or issue),
                        sites=[str(s) for s in sites],
                        neighbours=nb_names, neighbours_with_data=_with_recent_data(nb, issue, nb_names),
                        weather_hours=[covered, len(valid)],
                        weather=(_weather_note(facts, covered, len(valid)) if facts else
                                 NO_WEATHER if met_used == "none" else OBSERVED_WEATHER_ONLY),
                        **facts),
            daily_hourly_input=sorted(t for t, m in dm.items() if m.day_input is not None),
            **({"recent_correction": dict(correction.describe(), pollutants=corr_info)} if correction else {}),
            **({"seasonal_prior": dict(version=prior.version, source=prior.source, pollutants=prior_info)}
               if prior is not None else {}),
            seconds=round(_time.perf_counter() - t0, 2))
        return Forecast(issue, hourly, daily, info)


def recent_shifts(m: DirectForecaster, ds: xr.Dataset, issue: pd.Timestamp, neighbours: xr.Dataset | None,
                  cfg: RecentCorrection, horizons: np.ndarray, prior: SeasonalPrior | None = None
                  ) -> tuple[np.ndarray | None, list | None, dict]:
    """The running correction of one hourly model at ``issue``: log-odds shifts for rows at ``horizons`` (or None),
    the concentration knots they apply at, and what was used (or why nothing was) for the forecast's record.

    The model re-issues its forecasts of the last ``cfg.window_days`` days (every ``REISSUE_EVERY`` hours, issued
    after its training period) from ``ds`` cut at 00:00 of the issue day; the pairs verified by then give the odds
    factors (:func:`forecasting.recent_correction.odds_factors`). With a seasonal ``prior`` the re-issued forecasts
    carry it too, so that the correction corrects what was issued (as in backtests)."""
    from forecasting.backtest import predict_block

    as_of = issue.floor("D")
    if "train_end" not in m.meta:
        return None, None, {"used": False, "reason": "the model does not record the end of its training period"}
    train_end = pd.Timestamp(m.meta["train_end"])
    if m.spec.met not in ("none", "current"):
        return None, None, {"used": False, "reason": "needs past weather forecasts, which are not kept"}
    if m.pool is not None:
        return None, None, {"used": False, "reason": "the model has an exceedance pool"}
    start = max(train_end, as_of - pd.Timedelta(days=cfg.window_days) - pd.Timedelta(hours=max(m.horizons)))
    if start >= as_of - pd.Timedelta(hours=1):
        return None, None, {"used": False, "as_of": str(as_of),
                            "reason": f"no forecasts verified after the end of training ({train_end})"}
    cut = ds.sel(time=slice(start - pd.Timedelta(hours=HIST_HOURS + 120), as_of))
    nb = neighbours.sel(time=slice(None, as_of)).reindex(time=cut["time"].values) if neighbours is not None else None
    pairs = predict_block(m, cut, start, as_of, nb, issue_hours=tuple(range(REISSUE_EVERY - 1, 24, REISSUE_EVERY)),
                          prior=prior)
    thr = concentration_thresholds(m.target)
    factors = odds_factors(pairs, thr, as_of, cfg, not_before=train_end) if len(pairs) else {}
    if not factors:
        return None, None, {"used": False, "as_of": str(as_of), "reason": "no verified forecasts in the window"}
    shift = shifts_for(horizons, factors, list(thr))
    return shift, list(thr.values()), {"used": True, "as_of": str(as_of), "since": str(start),
                                       "bands": {band_label(b): r for b, r in factors.items()}}


def prior_shifts(m: DirectForecaster, prior: SeasonalPrior, sites, valid_times, horizons
                 ) -> tuple[np.ndarray | None, list[float], dict]:
    """The seasonal prior's log-odds shifts for one model's rows (None when it moves none), the AQI thresholds'
    concentrations they apply at, and what it did for the forecast's record."""
    knots = list(concentration_thresholds(m.target, daily=m.stat != "hourly").values())
    if m.pool is not None:
        return None, knots, {"used": False, "reason": "the model has an exceedance pool"}
    seen = seen_months(m)
    shift = prior.shifts(m.target, knots, sites, valid_times, horizons, seen)
    rec = prior.record(m.target, {str(s): seen.get(str(s), set()) for s in np.unique(np.asarray(sites).astype(str))},
                       valid_times)
    if shift is None and rec.get("used"):
        rec = {"used": False, "reason": "no valid month outside the training months at the prior's sites"}
    return shift, knots, rec


def _daily_prior(prior: SeasonalPrior, record: dict[str, dict]):
    """The daily outlook's hook: ``(model, sites, valid_times, horizons) -> (shifts or None, knots)``, recording per
    daily target what the prior did under ``"<target> daily"``."""
    def shifts(m: DirectForecaster, sites, valid_times, horizons):
        sh, knots, rec = prior_shifts(m, prior, sites, valid_times, horizons)
        key = f"{m.target} daily"
        if rec.get("used") or key not in record:
            record[key] = rec
        return sh, knots
    return shifts


def _latest_observation(hist: xr.Dataset, targets: list[str]) -> pd.Timestamp | None:
    """The last hour of ``hist`` with a value of any of ``targets`` (None if it has none)."""
    have = [hist[v].notnull().any("site").values for v in targets if v in hist]
    if not have:
        return None
    idx = np.flatnonzero(np.logical_or.reduce(have))
    return pd.Timestamp(hist["time"].values[idx[-1]]) if len(idx) else None


def _shared_hourly_hours(evening_cfg: TrainConfig | None) -> list[int] | None:
    """The hourly horizons the 23:00 daily models' hourly input should cover so the evening models can share it
    (the days ending at the 23:00 horizons and at the evening models' natural-day horizons)."""
    if evening_cfg is None or not evening_cfg.natural_day:
        return None
    leads = sorted({(h - 1) // 24 for h in D.DAILY_HORIZONS})
    hours = sorted(evening_cfg.train_issue_hours or evening_cfg.issue_hours or range(24))
    return hours_of([*D.DAILY_HORIZONS, *natural_day_horizons(hours, leads)])


def _evening(m: DirectForecaster) -> bool:
    """A daily model trained at its own natural-day issue hours (an evening model), not at 23:00."""
    return bool(m.meta.get("natural_day_hours"))


def _with_recent_data(nb: xr.Dataset | None, issue: pd.Timestamp, names: list[str], hours: int = 24) -> list[str]:
    """The neighbouring sites with any observation in the ``hours`` up to the issue time."""
    if nb is None or not names:
        return []
    recent = nb.sel(time=slice(issue - pd.Timedelta(hours=hours - 1), issue))
    have = set()
    for v in recent.data_vars:
        if set(recent[v].dims) == {"site", "time"}:
            ok = np.isfinite(recent[v].transpose("site", "time").values).any(axis=1)
            have.update(str(s) for s in recent["site"].values[ok])
    return [s for s in names if s in have]


def forecast_valid_times(issue: pd.Timestamp) -> pd.DatetimeIndex:
    """The valid hours of an hourly forecast issued at ``issue`` (1…72 h ahead)."""
    return issue + pd.to_timedelta(HOURLY_HORIZONS, unit="h")


def weather_hours(met: xr.Dataset, valid: pd.DatetimeIndex) -> int:
    """How many of the forecast's valid hours the weather fields cover."""
    return int(np.isin(valid.values, met["time"].values).sum())


def _weather_facts(met: xr.Dataset) -> dict:
    """The weather input's source, run and valid range, for statements in the UI language."""
    t = pd.DatetimeIndex(met["time"].values)
    return dict(weather_source=str(met.attrs.get("source", "weather-forecast fields")),
                weather_run=str(met.attrs.get("runs", "")),
                weather_valid=[f"{t.min():%Y-%m-%d %H:%M}", f"{t.max():%Y-%m-%d %H:%M}"] if len(t) else [])


def _weather_note(facts: dict, covered: int, total: int) -> str:
    """What weather input a forecast used (from :func:`_weather_facts`): source, run and the lead hours covered."""
    run = f", run {facts['weather_run']} UTC" if facts["weather_run"] else ""
    start, end = facts["weather_valid"] or ("–", "–")
    note = (f"{facts['weather_source']}{run}: valid {start} … {end} (Beijing time), "
            f"covering {covered} of the {total} forecast hours")
    if covered < total:
        note += "; the other hours have NO weather input"
    return note

