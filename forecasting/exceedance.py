"""Pooled exceedance probabilities: direct classifiers combined with the calibrated distribution.

The conformal distribution (:mod:`forecasting.calibration`) is a location-scale family in log space;
its P(Y > c) at a warning threshold is too high in moderate situations and too low in confident
ones (Beijing, 24 h, current meteorology: 0.25 forecast → 0.15 observed, 0.63 → 0.91).  A gradient-
boosting *classifier* of the event ``Y > c`` has the opposite fault (over-confident above 0.5, as the
anchor notes).  Their logit pool

    logit p = w · logit p_classifier + (1 − w) · logit p_distribution

is reliable where neither part is; ``w`` per threshold is chosen on out-of-sample cases of the
*training period* (the cross-fit blocks that calibrate the distribution), never on test data.

The pooled probabilities become knots of the predictive CDF: a per-case monotone piecewise-linear map
``φ`` of the probability scale with ``φ(F₀(c_j)) = 1 − p_j`` (``F₀`` the conformal CDF) gives the final
distribution ``G = φ ∘ F₀``.  Quantiles, interval coverage, CRPS, derived AQI and P(AQI > c) therefore
all come from one distribution that agrees with the pooled probabilities exactly at the knots and keeps
the conformal shape between them.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
from sklearn.ensemble import HistGradientBoostingClassifier

WEIGHT_GRID = tuple(np.round(np.arange(0.0, 1.0001, 0.1), 2))
_EPS = 1e-4


def classifier(seed: int = 0) -> HistGradientBoostingClassifier:
    """The event classifier (log loss; early stopping on a 10 % validation split)."""
    return HistGradientBoostingClassifier(
        max_iter=300, learning_rate=0.1, max_leaf_nodes=31, min_samples_leaf=100, l2_regularization=1.0,
        early_stopping=True, validation_fraction=0.1, n_iter_no_change=20, random_state=seed)


def _logit(p: np.ndarray) -> np.ndarray:
    p = np.clip(p, _EPS, 1 - _EPS)
    return np.log(p / (1 - p))


def logit_pool(p_clf: np.ndarray, p_dist: np.ndarray, w: float) -> np.ndarray:
    """``expit(w·logit p_clf + (1−w)·logit p_dist)``; NaN where the distribution is undefined."""
    z = w * _logit(p_clf) + (1 - w) * _logit(p_dist)
    return np.where(np.isfinite(p_dist), 1.0 / (1.0 + np.exp(-z)), np.nan)


def log_loss(event: np.ndarray, p: np.ndarray) -> float:
    p = np.clip(p, _EPS, 1 - _EPS)
    return float(-np.mean(event * np.log(p) + (1 - event) * np.log(1 - p)))


def choose_weight(event: np.ndarray, p_clf: np.ndarray, p_dist: np.ndarray) -> tuple[float, dict]:
    """The pool weight with the lowest out-of-sample log loss, and the loss per weight."""
    losses = {float(w): log_loss(event, logit_pool(p_clf, p_dist, w)) for w in WEIGHT_GRID}
    return min(losses, key=losses.get), losses


def season_design(p: np.ndarray, day_of_year: np.ndarray, harmonics: int = 2) -> np.ndarray:
    """Columns of the logistic recalibration: logit p and ``harmonics`` harmonics of the valid day of the year
    (0: a plain Platt map of logit p)."""
    a = 2 * np.pi * np.asarray(day_of_year, float) / 365.25
    cols = [_logit(np.asarray(p, float))]
    for k in range(1, harmonics + 1):
        cols += [np.sin(k * a), np.cos(k * a)]
    return np.column_stack(cols)


def fit_season(p: np.ndarray, day_of_year: np.ndarray, event: np.ndarray, harmonics: int = 2,
               years: np.ndarray | None = None) -> list[float]:
    """Logistic recalibration ``expit(b0 + b·season_design)`` of out-of-sample probabilities ``p`` of ``event``:
    intercept, then the coefficients (lightly regularised; plain floats, saved as JSON).

    ``years``: each case's valid time in years relative to the end of the training period (≤ 0).  A linear trend
    in it is fitted alongside and the map is returned as it stands at the end of training (the trend term
    evaluated at 0), so a drift over the training years moves the map without extrapolating past its end."""
    from sklearn.linear_model import LogisticRegression

    Z = season_design(p, day_of_year, harmonics)
    if years is not None:
        Z = np.column_stack([Z, np.asarray(years, float)])
    ok = np.isfinite(Z).all(axis=1) & np.isfinite(p)
    lr = LogisticRegression(C=100.0, max_iter=2000).fit(Z[ok], np.asarray(event)[ok].astype(int))
    coef = [float(lr.intercept_[0]), *map(float, lr.coef_[0])]
    return coef[:-1] if years is not None else coef


def apply_season(p: np.ndarray, day_of_year: np.ndarray, coef: list[float], harmonics: int = 2) -> np.ndarray:
    """Recalibrated probabilities (NaN where ``p`` is NaN)."""
    z = coef[0] + season_design(p, day_of_year, harmonics) @ np.asarray(coef[1:], float)
    return np.where(np.isfinite(p), 1.0 / (1.0 + np.exp(-z)), np.nan)


@dataclass
class ExceedancePool:
    """Classifiers of ``Y > c`` at ascending concentration knots, with their pool weights; optionally a
    seasonal logistic recalibration per knot (``season``: design column of the valid day of the year and
    the coefficients per knot, see :func:`fit_season`)."""

    thresholds: list[float]
    weights: list[float]
    classifiers: list = field(default_factory=list)
    info: dict = field(default_factory=dict)        # per knot: events, out-of-sample log losses
    season: dict | None = None                      # {"column": int, "feature": "v_doy", "coef": [[...] per knot]}

    def pooled(self, X: np.ndarray, p_dist: np.ndarray) -> np.ndarray:
        """Pooled P(Y > c_j), shape ``(n, knots)``, non-increasing along the knots (NaN rows stay NaN)."""
        cols = [logit_pool(clf.predict_proba(X)[:, 1], p_dist[:, j], w) if clf is not None and w > 0
                else p_dist[:, j] for j, (clf, w) in enumerate(zip(self.classifiers, self.weights))]
        if self.season:
            doy = X[:, int(self.season["column"])]
            harmonics = int(self.season.get("harmonics", 2))
            cols = [apply_season(c, doy, k, harmonics) for c, k in zip(cols, self.season["coef"])]
        p = np.stack(cols, axis=1)
        bad = ~np.isfinite(p).all(axis=1)
        p = np.minimum.accumulate(np.nan_to_num(p, nan=1.0), axis=1)
        p[bad] = np.nan
        return p

    def meta(self) -> dict:
        return dict(thresholds=list(self.thresholds), weights=list(self.weights), info=self.info,
                    **({"season": self.season} if self.season else {}))


def _knots(F0: np.ndarray, G: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Per-case knot arrays ``x = [0, F₀(c)…, 1]``, ``y = [0, G(c)…, 1]``, both made non-decreasing."""
    n = F0.shape[0]
    x = np.concatenate([np.zeros((n, 1)), np.clip(F0, 0, 1), np.ones((n, 1))], axis=1)
    y = np.concatenate([np.zeros((n, 1)), np.clip(G, 0, 1), np.ones((n, 1))], axis=1)
    # knots the conformal CDF cannot separate (equal F₀, e.g. both 0 or 1) collapse onto the upper one
    return np.maximum.accumulate(x, axis=1), np.maximum.accumulate(y, axis=1)


def _interp_rows(t: np.ndarray, xp: np.ndarray, fp: np.ndarray) -> np.ndarray:
    """Row-wise ``np.interp(t[i], xp[i], fp[i])`` for monotone ``xp`` rows."""
    j = np.clip((xp <= t[:, None]).sum(axis=1), 1, xp.shape[1] - 1)
    r = np.arange(len(t))
    x0, x1, f0, f1 = xp[r, j - 1], xp[r, j], fp[r, j - 1], fp[r, j]
    w = np.where(x1 > x0, (t - x0) / np.where(x1 > x0, x1 - x0, 1), 0.0)
    return f0 + np.clip(w, 0, 1) * (f1 - f0)


def remap_cdf(F0_at_c: np.ndarray, F0_knots: np.ndarray, G_knots: np.ndarray) -> np.ndarray:
    """``G(c) = φ(F₀(c))`` for one threshold per case."""
    x, y = _knots(F0_knots, G_knots)
    return _interp_rows(np.asarray(F0_at_c, float), x, y)


def remap_quantiles(base_q: np.ndarray, base_levels, F0_knots: np.ndarray, G_knots: np.ndarray,
                    levels) -> np.ndarray:
    """Quantiles of ``G = φ ∘ F₀`` at ``levels`` from the conformal quantiles ``base_q`` (n, len(base_levels))."""
    x, y = _knots(F0_knots, G_knots)
    bl = np.asarray(base_levels, float)
    out = np.empty((base_q.shape[0], len(levels)))
    for k, t in enumerate(levels):
        u = _interp_rows(np.full(base_q.shape[0], float(t)), y, x)       # φ⁻¹(t)
        jj = np.clip(np.searchsorted(bl, u), 1, len(bl) - 1)
        r = np.arange(len(u))
        g0, g1 = bl[jj - 1], bl[jj]
        w = np.clip((u - g0) / np.where(g1 > g0, g1 - g0, 1), 0, 1)
        out[:, k] = base_q[r, jj - 1] * (1 - w) + base_q[r, jj] * w
    return np.maximum.accumulate(out, axis=1)
