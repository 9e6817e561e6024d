"""Verification metrics for point, categorical, exceedance and probabilistic forecasts."""
from __future__ import annotations

import numpy as np
from scipy.stats import beta

PM25_DAILY_BREAKS = (35.0, 75.0, 115.0, 150.0, 250.0)  # HJ 633 daily PM2.5 IAQI 50/100/150/200/300


def _ok(*a):
    m = np.ones(np.shape(a[0]), dtype=bool)
    for x in a:
        m &= np.isfinite(np.asarray(x, dtype=float))
    return m


def rmse(obs, pred) -> float:
    o, p = np.asarray(obs, float), np.asarray(pred, float)
    m = _ok(o, p)
    return float(np.sqrt(np.mean((o[m] - p[m]) ** 2))) if m.any() else float("nan")


def mae(obs, pred) -> float:
    o, p = np.asarray(obs, float), np.asarray(pred, float)
    m = _ok(o, p)
    return float(np.mean(np.abs(o[m] - p[m]))) if m.any() else float("nan")


def r2(obs, pred) -> float:
    o, p = np.asarray(obs, float), np.asarray(pred, float)
    m = _ok(o, p)
    if m.sum() < 2:
        return float("nan")
    ss = np.sum((o[m] - o[m].mean()) ** 2)
    return float(1 - np.sum((o[m] - p[m]) ** 2) / ss) if ss > 0 else float("nan")


def skill(obs, pred, ref) -> float:
    """MSE skill score 1 − MSE(pred)/MSE(ref) on cases where all three exist."""
    o, p, r = (np.asarray(x, float) for x in (obs, pred, ref))
    m = _ok(o, p, r)
    if not m.any():
        return float("nan")
    den = np.mean((o[m] - r[m]) ** 2)
    return float(1 - np.mean((o[m] - p[m]) ** 2) / den) if den > 0 else float("nan")


def category(x, breaks=PM25_DAILY_BREAKS) -> np.ndarray:
    """Category index 1..len(breaks)+1 (upper bound inclusive: 35 → 1 'good'); 0 where missing."""
    x = np.asarray(x, float)
    c = np.searchsorted(np.asarray(breaks), x, side="left") + 1
    return np.where(np.isfinite(x), c, 0)


def category_accuracy(obs_cat, pred_cat) -> tuple[float, float]:
    """(exact, within ±1) fractions on cases where both categories exist (> 0)."""
    o, p = np.asarray(obs_cat), np.asarray(pred_cat)
    m = (o > 0) & (p > 0)
    if not m.any():
        return float("nan"), float("nan")
    return float(np.mean(o[m] == p[m])), float(np.mean(np.abs(o[m] - p[m]) <= 1))


def contingency(obs_event, pred_event) -> dict:
    o, p = np.asarray(obs_event, bool), np.asarray(pred_event, bool)
    hits, misses = int(np.sum(o & p)), int(np.sum(o & ~p))
    fa, cn = int(np.sum(~o & p)), int(np.sum(~o & ~p))
    pod = hits / (hits + misses) if hits + misses else float("nan")
    far = fa / (hits + fa) if hits + fa else float("nan")
    csi = hits / (hits + misses + fa) if hits + misses + fa else float("nan")
    return dict(hits=hits, misses=misses, false_alarms=fa, correct_negatives=cn, pod=pod, far=far, csi=csi)


def brier(obs_event, prob) -> float:
    o, p = np.asarray(obs_event, float), np.asarray(prob, float)
    m = _ok(o, p)
    return float(np.mean((p[m] - o[m]) ** 2)) if m.any() else float("nan")


def brier_skill(obs_event, prob, base_rate: float | None = None) -> float:
    """BSS against a constant base-rate forecast (default: the sample frequency)."""
    o = np.asarray(obs_event, float)
    p = np.asarray(prob, float)
    m = _ok(o, p)
    if not m.any():
        return float("nan")
    br = float(o[m].mean()) if base_rate is None else base_rate
    ref = np.mean((br - o[m]) ** 2)
    return float(1 - np.mean((p[m] - o[m]) ** 2) / ref) if ref > 0 else float("nan")


def reliability(obs_event, prob, n_bins: int = 10, groups=None, n_boot: int = 1000, seed: int = 0) -> list[dict]:
    """Reliability diagram table: per probability bin, mean forecast, observed frequency, count.

    With ``groups`` (e.g. the valid day of each case) each row also gets a 95 % interval of the observed
    frequency from a cluster bootstrap over the groups (cases of one day are not independent: a single
    episode fills a bin), the number of groups, and ``consistent`` — whether the mean forecast lies inside
    that interval, i.e. the bin is reliable within sampling uncertainty.

    A bin whose cases are all events (or all non-events) gives every resample the same frequency, a zero-width
    interval that no forecast below 1 (above 0) could meet however few days the bin holds.  Such a bin gets the
    Jeffreys interval of a proportion observed on its number of days instead (``interval: "jeffreys-days"``)."""
    o, p = np.asarray(obs_event, float), np.asarray(prob, float)
    m = _ok(o, p)
    o, p = o[m], p[m]
    edges = np.linspace(0, 1, n_bins + 1)
    k = np.clip(np.digitize(p, edges[1:-1]), 0, n_bins - 1)
    rows = []
    for b in range(n_bins):
        s = k == b
        rows.append(dict(bin_lo=float(edges[b]), bin_hi=float(edges[b + 1]), n=int(s.sum()),
                         mean_forecast=float(p[s].mean()) if s.any() else None,
                         observed_freq=float(o[s].mean()) if s.any() else None))
    if groups is not None and len(o):
        _, g = np.unique(np.asarray(groups)[m], return_inverse=True)
        G = g.max() + 1
        ev, n = np.zeros((G, n_bins)), np.zeros((G, n_bins))
        np.add.at(ev, (g, k), o)
        np.add.at(n, (g, k), 1)
        draw = np.random.default_rng(seed).integers(0, G, (n_boot, G))
        with np.errstate(invalid="ignore", divide="ignore"):
            freq = ev[draw].sum(axis=1) / n[draw].sum(axis=1)          # (n_boot, n_bins)
        for b, r in enumerate(rows):
            if r["n"]:
                lo, hi = np.nanquantile(freq[:, b], [0.025, 0.975])
                days = int((n[:, b] > 0).sum())
                kind = "bootstrap"
                if lo == hi and r["observed_freq"] in (0.0, 1.0):
                    k = days * r["observed_freq"]
                    lo, hi = (float(beta.ppf(q, k + 0.5, days - k + 0.5)) for q in (0.025, 0.975))
                    lo, hi = (0.0 if k == 0 else lo), (1.0 if k == days else hi)
                    kind = "jeffreys-days"
                r.update(observed_lo=float(lo), observed_hi=float(hi), groups=days, interval=kind,
                         consistent=bool(lo <= r["mean_forecast"] <= hi))
    return rows


def pinball(obs, q_pred, level: float) -> float:
    o, q = np.asarray(obs, float), np.asarray(q_pred, float)
    m = _ok(o, q)
    d = o[m] - q[m]
    return float(np.mean(np.maximum(level * d, (level - 1) * d))) if m.any() else float("nan")


def crps_from_quantiles(obs, qmat, levels) -> float:
    """CRPS ≈ 2 × mean pinball loss over a dense, evenly spread quantile grid (rows = cases)."""
    o = np.asarray(obs, float)
    q = np.asarray(qmat, float)
    m = np.isfinite(o) & np.all(np.isfinite(q), axis=1)
    if not m.any():
        return float("nan")
    d = o[m, None] - q[m]
    lv = np.asarray(levels, float)[None, :]
    return float(2 * np.mean(np.maximum(lv * d, (lv - 1) * d)))


def coverage(obs, lo, hi) -> float:
    o, a, b = (np.asarray(x, float) for x in (obs, lo, hi))
    m = _ok(o, a, b)
    return float(np.mean((o[m] >= a[m]) & (o[m] <= b[m]))) if m.any() else float("nan")
