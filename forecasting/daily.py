"""Daily statistics and the D+1…D+3 outlook (what warning rules use).

Natural day with hour-ending labels: day D is the 24 hourly means labelled D 01:00 … D+1 00:00
(the national convention: the value labelled H is the mean over (H−1, H]).  Daily means need ≥ 20
valid hours, the 8-h O3 means ≥ 6 of 8 (GB 3095 表4).  Daily forecasts are issued at 23:00 of D;
the statistic of day D+k ends at label D+k+1 00:00, i.e. ``24k + 1`` hours after the issue.
"""
from __future__ import annotations

import numpy as np
import pandas as pd
import xarray as xr

from models import aqi as AQI

DAILY_HORIZONS = [25, 49, 73, 97]   # D+1 … D+4 from a 23:00 issue (the outlook shows 3 days)
DAILY_STAT = {"PM2.5": "mean24", "PM10": "mean24", "SO2": "mean24", "NO2": "mean24", "CO": "mean24", "O3": "mda8"}


def natural_day(times) -> pd.DatetimeIndex:
    """The natural day an hour-ending label belongs to (00:00 belongs to the previous day)."""
    return (pd.DatetimeIndex(times) - pd.Timedelta(hours=1)).floor("D")


def daily_statistics(ds: xr.Dataset) -> xr.Dataset:
    """Daily means (``<P>_24h``), MDA8 O3 (``O3_8h``) and max 1-h O3 (``O3``) per site and natural day."""
    ds = ds.transpose("site", "time")
    day = natural_day(ds["time"].values)
    out = {}
    for p in ("PM2.5", "PM10", "SO2", "NO2", "CO"):
        if p in ds:
            g = ds[p].assign_coords(day=("time", day)).groupby("day")
            mean, count = g.mean(skipna=True), g.count()
            out[f"{p}_24h"] = mean.where(count >= 20)
    if "O3" in ds:
        o8 = ds["O3"].rolling(time=8, min_periods=6).mean()
        g8 = o8.assign_coords(day=("time", day)).groupby("day")
        out["O3_8h"] = g8.max().where(g8.count() >= 18)
        g1 = ds["O3"].assign_coords(day=("time", day)).groupby("day")
        out["O3"] = g1.max().where(g1.count() >= 18)
    res = xr.Dataset(out).rename(day="time")
    return res


def observed_daily_aqi(ds: xr.Dataset) -> xr.Dataset:
    """Daily AQI (HJ 633 daily report) of observed data, with level and primary pollutant mask."""
    return AQI.daily_aqi(daily_statistics(ds))


def daily_issue_time(models, issue: pd.Timestamp) -> pd.Timestamp:
    """The issue time the daily models forecast from: the latest hour ≤ ``issue`` they were trained to issue at —
    any of their natural-day hours (``TrainConfig.natural_day``, e.g. 18:00–23:00: a 20:00 briefing uses the data up
    to 20:00), else 23:00 (the last 23:00 ≤ ``issue``)."""
    hours = set(range(24))
    for m in models:
        hours &= set(m.meta.get("natural_day_hours") or [23])
    hours = hours or {23}
    t = issue.floor("h")
    earlier = [h for h in hours if h <= t.hour]
    if earlier:
        return t.floor("D") + pd.Timedelta(hours=max(earlier))
    return t.floor("D") - pd.Timedelta(days=1) + pd.Timedelta(hours=max(hours))


def _same_day_end(h: int, hours_to_end: int, model) -> bool:
    """Whether horizon ``h`` of ``model`` forecasts the natural day ending ``hours_to_end`` after the issue time:
    exactly, for natural-day models; by lead day for 23:00 models (h = 25 → the day after the issue day)."""
    if model.meta.get("natural_day_hours"):
        return h == hours_to_end
    return (h - 1) // 24 == (hours_to_end - 1) // 24


def daily_outlook(models: dict, ext: xr.Dataset, issue_index: int, issue: pd.Timestamp, neighbours,
                  future_met, levels, shifts=None) -> pd.DataFrame:
    """D+1…D+3 of the issue day: per site the category probabilities, the headline category, primary
    pollutant and P10/P50/P90 of each daily statistic, issued at :func:`daily_issue_time` (the last 23:00 ≤ ``issue``
    for 23:00 models).

    The headline ``level``/``category`` is the category of the median daily AQI, so it agrees with ``aqi_p50``
    and with P(AQI > 100) ≥ 0.5; it also scored better than the most probable category and than the category
    of the mean forecast on both held-out Beijing years (benchmarks/README-forecast.md). ``mode_level`` is the
    most probable category, ``p_category`` the probability of the headline category.

    ``shifts``: optional ``(model, sites, valid_times, horizons) -> (log-odds shifts or None, knots)``, the shifts at
    the concentrations ``knots`` (the seasonal prior, :mod:`forecasting.seasonal_prior`)."""
    times = pd.DatetimeIndex(ext["time"].values)
    i23 = daily_issue_time(models.values(), issue)
    j = int(np.searchsorted(times, i23))
    if j >= len(times) or times[j] != i23:
        return pd.DataFrame()
    sites = ext["site"].values
    mask = np.zeros((len(sites), len(times)), bool)
    mask[:, j] = True
    base_day = issue.floor("D") if issue.hour != 0 else issue.floor("D") - pd.Timedelta(days=1)
    wanted = [base_day + pd.Timedelta(days=k) for k in (1, 2, 3)]
    # hours from the issue time to the end of each wanted natural day (hour-ending labels: 24:00 = 00:00 next day)
    to_end = {d: int((d + pd.Timedelta(days=1) - i23) / pd.Timedelta(hours=1)) for d in wanted}
    qs = {}
    for tgt, m in models.items():
        arr = np.full((len(sites), len(wanted), len(levels)), np.nan)
        for h, X, _, rows in m.matrices(ext, m.horizons, neighbours, future_met, issue_mask=mask, with_target=False):
            for di, d in enumerate(wanted):
                if _same_day_end(h, to_end[d], m):
                    sh, knots = (None, None) if shifts is None else shifts(
                        m, sites[rows // len(times)], np.full(len(rows), i23 + pd.Timedelta(hours=h - 1)),
                        np.full(len(rows), h))
                    _, q, _ = m.distribution(X[rows], h, levels, groups=np.zeros(len(rows)),   # one issue time
                                             odds_shift=sh, knots=knots)
                    arr[:, di, :] = q
        qs[tgt] = arr
    from forecasting.probabilistic import category_probabilities, derived_aqi

    present = {p: a for p, a in qs.items() if np.isfinite(a).any()}
    if not present:
        return pd.DataFrame()
    aq = derived_aqi(present, pd.DatetimeIndex(wanted), sites, daily=True)
    aqi = aq["aqi"].values
    probs = category_probabilities(aqi)
    mid = len(levels) // 2
    rows = []
    names = [lv.category_zh for lv in AQI.levels()]
    for si, s in enumerate(sites):
        for di, d in enumerate(wanted):
            if not np.isfinite(aqi[si, di]).any():
                continue
            pr = probs[si, di]
            mode = int(np.argmax(pr)) + 1
            cat = int(AQI.aqi_level(aqi[si, di, mid])) or mode     # median's category (0: median missing)
            row = dict(site=str(s), date=d.date(), lead_days=di + 1, issued=str(i23),
                       aqi_p10=float(np.nanquantile(aqi[si, di], 0.1)), aqi_p50=float(aqi[si, di, mid]),
                       aqi_p90=float(np.nanquantile(aqi[si, di], 0.9)),
                       level=cat, category=names[cat - 1], p_category=float(pr[cat - 1]), mode_level=mode,
                       primary=",".join(AQI.primary_names(int(aq["primary_mask"].values[si, di, mid]))),
                       **{f"p_level{c}": float(pr[c - 1]) for c in range(1, 7)},
                       p_aqi_gt_100=float((aqi[si, di] > 100).mean()),
                       p_aqi_gt_150=float((aqi[si, di] > 150).mean()),
                       p_aqi_gt_200=float((aqi[si, di] > 200).mean()))
            for tgt, a in qs.items():
                row[f"{tgt}_p10"], row[f"{tgt}_p50"], row[f"{tgt}_p90"] = (
                    float(np.interp(q, levels, a[si, di])) for q in (0.1, 0.5, 0.9))
            rows.append(row)
    return pd.DataFrame(rows)
