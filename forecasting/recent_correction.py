"""Running correction of exceedance probabilities from recently verified forecasts.

The calibration of a model is learnt inside its training period.  When the pollution climate drifts after it (the
2013–2017 clean-air years in Beijing: fewer moderate days turned into episodes each year), its P(Y > c) drifts with
it, and nothing in the training period can show that.  An operational centre sees the drift in its own verified
forecasts.  This module turns them into a correction, the way running bias corrections of air-quality forecasts
work (a decaying or sliding window of recent forecast–observation pairs):

* Once a day, at 00:00, it gathers the model's forecasts of the last ``window_days`` days whose valid time has passed
  (and which were issued after the end of the model's training period, so that they are out of sample).
* Per horizon band and per AQI threshold ``c`` it compares the number of events ``E`` (observed > c) with the sum of
  the forecast probabilities ``P``: the odds of P(Y > c) are multiplied by ``(E + k) / (P + k)``, ``k`` pseudo-cases
  pulling the factor toward 1 while the window holds few cases.  A threshold with fewer than ``min_events`` events in
  the window (the upper ones, in clean weeks) takes the factor of the next lower threshold instead of a factor built
  on a handful of cases.
* The forecast distribution follows through the same knot remap as the exceedance pool, so quantiles, P(Y > c) and
  the derived AQI stay one distribution (:meth:`forecasting.models.DirectForecaster.distribution`).

Only data observed before the forecast's issue time are used: a backtest with the correction stays free of leakage.
"""
from __future__ import annotations

from dataclasses import asdict, dataclass

import numpy as np
import pandas as pd

from forecasting.calibration import horizon_band

#: upper ends of the horizon bands (hours) whose verified pairs are pooled into one correction
CORRECTION_BANDS = (0, 6, 24, 48, 72, 10_000)


@dataclass(frozen=True)
class RecentCorrection:
    """Settings of the running correction (saved with each forecast that used it)."""

    window_days: int = 21            # verified forecasts of the last 21 days
    prior_cases: float = 20.0        # pseudo-cases: the factor is (E + k) / (P + k)
    max_factor: float = 20.0         # bounds of the odds factor (1 / max … max)
    min_events: int = 30             # a threshold with fewer events in the window borrows the next lower one's factor

    def describe(self) -> dict:
        """The settings as a JSON-ready dict (for forecast records and backtest metrics)."""
        return asdict(self)


def band_of(horizon) -> np.ndarray:
    """The correction band of each horizon (hours)."""
    return horizon_band(horizon, CORRECTION_BANDS)


def band_label(b: int) -> str:
    """A band's label in records, e.g. ``"7-24 h"``."""
    lo, hi = CORRECTION_BANDS[b] + 1, CORRECTION_BANDS[b + 1]
    return f"{lo}-{hi} h" if hi < 10_000 else f">{lo - 1} h"


def odds_factors(pairs: pd.DataFrame, thresholds: dict, as_of, cfg: RecentCorrection,
                 not_before=None) -> dict[int, dict]:
    """Per horizon band: the odds factor of each threshold and the cases behind it.

    ``pairs``: past forecasts with ``issue_time, valid_time, horizon, observed`` and ``p_gt_<a>`` per AQI level ``a``
    of ``thresholds`` (``{a: concentration}``).  Only pairs verified by ``as_of`` (valid time ≤ ``as_of``), valid
    within the last ``window_days`` and issued after ``not_before`` (the end of the training period) count."""
    as_of = pd.Timestamp(as_of)
    vt = pd.to_datetime(pairs["valid_time"])
    ok = (vt <= as_of) & (vt > as_of - pd.Timedelta(days=cfg.window_days)) & pairs["observed"].notna()
    if not_before is not None:
        ok &= pd.to_datetime(pairs["issue_time"]) > pd.Timestamp(not_before)
    d = pairs[ok]
    out: dict[int, dict] = {}
    bands = band_of(d["horizon"].to_numpy())
    obs = d["observed"].to_numpy(float)
    for b in np.unique(bands):
        s = bands == b
        events = np.array([float((obs[s] > c)[np.isfinite(d[f"p_gt_{a}"].to_numpy(float)[s])].sum())
                           for a, c in thresholds.items()])
        sums = np.array([float(np.nansum(d[f"p_gt_{a}"].to_numpy(float)[s])) for a in thresholds])
        fac = _factors(events, sums, cfg)
        out[int(b)] = {"cases": int(s.sum()),
                       "days": int(pd.to_datetime(d["valid_time"][s]).dt.floor("D").nunique()),
                       "factors": {str(a): float(f) for a, f in zip(thresholds, fac)},
                       "events": {str(a): int(e) for a, e in zip(thresholds, events)}}
    return out


def _factors(events: np.ndarray, prob_sums: np.ndarray, cfg: RecentCorrection) -> np.ndarray:
    """Odds factors from window sums of events and forecast probabilities, thresholds ascending along the last
    axis: ``(E + k) / (P + k)`` within bounds, and the next lower threshold's factor where events are too few."""
    fac = np.clip((events + cfg.prior_cases) / (prob_sums + cfg.prior_cases), 1 / cfg.max_factor, cfg.max_factor)
    for j in range(1, fac.shape[-1]):
        fac[..., j] = np.where(events[..., j] < cfg.min_events, fac[..., j - 1], fac[..., j])
    return fac


def shifts_for(horizon, factors: dict[int, dict], levels) -> np.ndarray:
    """Log-odds shifts ``(n, len(levels))`` of rows at ``horizon`` (0 where a band has no factor)."""
    h = np.atleast_1d(np.asarray(horizon))
    out = np.zeros((len(h), len(levels)))
    bands = band_of(h)
    for b, rec in factors.items():
        s = bands == b
        for j, a in enumerate(levels):
            out[s, j] = np.log(rec["factors"].get(str(a), 1.0))
    return out


def sequential_shifts(pred: pd.DataFrame, thresholds: dict, cfg: RecentCorrection, not_before=None,
                      history: pd.DataFrame | None = None) -> tuple[np.ndarray, list[dict]]:
    """Backtests: the shift of each forecast row from the pairs verified by 00:00 of its issue day.

    ``pred`` (and optional earlier ``history``) hold the uncorrected forecasts; returns the shifts ``(n, levels)``
    in ``pred``'s row order and one record per issue day (odds factors per band) for the metrics.  Same numbers as
    :func:`odds_factors` at each day's 00:00, from daily sums instead of a pass over all pairs per day."""
    levels = list(thresholds)
    pairs = pred if history is None else pd.concat([history, pred], ignore_index=True)
    ok = pairs["observed"].notna().to_numpy().copy()
    if not_before is not None:
        ok &= (pd.to_datetime(pairs["issue_time"]) > pd.Timestamp(not_before)).to_numpy()
    pairs = pairs[ok]
    obs = pairs["observed"].to_numpy(float)
    # the 00:00 at which a pair becomes verified (a pair valid at 00:00 sharp is verified at that 00:00)
    vday = pd.to_datetime(pairs["valid_time"]).dt.ceil("D").to_numpy()
    days = pd.to_datetime(pred["issue_time"]).dt.floor("D").to_numpy()
    all_days = pd.date_range(min(days.min(), vday.min()) if len(vday) else days.min(), days.max(), freq="D")
    di = all_days.get_indexer(vday)
    inside = di >= 0
    nb = len(CORRECTION_BANDS) - 1
    bands = band_of(pairs["horizon"].to_numpy())
    ev = np.zeros((len(all_days), nb, len(levels)))
    ps = np.zeros_like(ev)
    n = np.zeros((len(all_days), nb))
    np.add.at(n, (di[inside], bands[inside]), 1)
    for j, a in enumerate(levels):
        p = pairs[f"p_gt_{a}"].to_numpy(float)
        good = inside & np.isfinite(p)
        np.add.at(ev[:, :, j], (di[good], bands[good]), (obs[good] > thresholds[a]).astype(float))
        np.add.at(ps[:, :, j], (di[good], bands[good]), p[good])
    # window sums: days in (D - W, D]
    cs = lambda x: np.concatenate([np.zeros((1, *x.shape[1:])), np.cumsum(x, axis=0)])   # noqa: E731
    cev, cps, cn = cs(ev), cs(ps), cs(n)
    W = cfg.window_days
    idx = np.arange(len(all_days)) + 1
    lo = np.maximum(idx - W, 0)
    wev, wps, wn = cev[idx] - cev[lo], cps[idx] - cps[lo], cn[idx] - cn[lo]
    fac = np.where(wn[:, :, None] > 0, _factors(wev, wps, cfg), 1.0)
    row_day = all_days.get_indexer(days)
    row_band = band_of(pred["horizon"].to_numpy())
    out = np.log(fac[row_day, row_band])
    log = []
    for d in np.unique(row_day):
        rec = {"as_of": str(all_days[d].date())}
        for b in range(nb):
            if wn[d, b] > 0:
                rec[band_label(b)] = {"cases": int(wn[d, b]),
                                      "factors": {str(a): round(float(fac[d, b, j]), 4) for j, a in enumerate(levels)}}
        log.append(rec)
    return out, log


def apply_shift(prob: np.ndarray, shift: np.ndarray) -> np.ndarray:
    """``expit(logit p + shift)``; NaN stays NaN, 0 and 1 stay."""
    p = np.clip(np.asarray(prob, float), 1e-9, 1 - 1e-9)
    z = np.log(p) - np.log1p(-p) + shift
    out = 1.0 / (1.0 + np.exp(-z))
    return np.where(np.isfinite(prob), out, np.nan)
