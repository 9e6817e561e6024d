"""From calibrated per-pollutant distributions to AQI: thresholds, derived AQI and category odds.

The derived AQI is a maximum of increasing functions of the pollutant concentrations.  We combine
the pollutant distributions *comonotonically* (same quantile level for every pollutant): then the
q-quantile of the AQI is the AQI of the q-quantiles, and P(AQI > c) = max over pollutants of
P(IAQI_p > c).  Positively correlated pollutants make this a sensible, documented approximation.
"""
from __future__ import annotations

import numpy as np
import pandas as pd
import xarray as xr

from models import aqi as AQI

AQI_THRESHOLDS = (100, 150, 200, 300)
QUANTILE_LEVELS = (0.1, 0.25, 0.5, 0.75, 0.9)
CRPS_LEVELS = tuple(np.round(np.arange(0.05, 0.951, 0.05), 2))

# breakpoint column a forecast target is judged against for the AQI thresholds
_HOURLY_TABLE = {"PM2.5": "PM2.5_24h", "PM10": "PM10_24h", "SO2": "SO2_1h", "NO2": "NO2_1h",
                 "CO": "CO_1h", "O3": "O3_1h"}
_DAILY_TABLE = {"PM2.5": "PM2.5_24h", "PM10": "PM10_24h", "SO2": "SO2_24h", "NO2": "NO2_24h",
                "CO": "CO_24h", "O3": "O3_8h"}


def concentration_thresholds(target: str, daily: bool = False, when="2019-01-01",
                             aqi_levels=AQI_THRESHOLDS) -> dict[int, float]:
    """Concentrations at which the target's IAQI reaches each AQI threshold (HJ 633 in force then)."""
    rs = AQI.ruleset_for(when)
    table = (_DAILY_TABLE if daily else _HOURLY_TABLE)[target]
    bps = rs.breakpoints[table]
    steps = np.asarray(AQI.load_rule_file(AQI.RULE_FILE)["iaqi_steps"][: len(bps)], dtype=float)
    out = {}
    for a in aqi_levels:
        if a <= steps[-1] and a <= steps[len(bps) - 1]:
            out[int(a)] = float(np.interp(a, steps, bps))
    return out


def derived_aqi(quantiles: dict[str, np.ndarray], times, sites, history: xr.Dataset | None = None,
                daily: bool = False) -> xr.Dataset:
    """AQI at each quantile level from per-pollutant quantile arrays ``(site, time, level)``.

    Hourly: the real-time rules as published (1-h PM against daily breakpoints). Daily: expects
    daily means (``<P>``) and MDA8 O3 (``O3``) and uses the daily report rules.
    Returns ``aqi`` and ``primary_mask`` with dims (site, time, level).
    """
    levels = next(iter(quantiles.values())).shape[-1]
    aqis, prim = [], []
    for k in range(levels):
        if daily:
            dv = {}
            for p, a in quantiles.items():
                name = "O3_8h" if p == "O3" else f"{p}_24h"
                dv[name] = (("site", "time"), a[..., k])
            res = AQI.daily_aqi(xr.Dataset(dv, coords={"site": sites, "time": times}))
        else:
            ds = xr.Dataset({p: (("site", "time"), a[..., k]) for p, a in quantiles.items()},
                            coords={"site": sites, "time": times})
            res = AQI.hourly_aqi(ds, convention="published")
            res = res.sel(time=times)
        aqis.append(res["aqi"].transpose("site", "time").values)
        prim.append(res["primary_mask"].transpose("site", "time").values)
    return xr.Dataset({"aqi": (("site", "time", "level"), np.stack(aqis, -1)),
                       "primary_mask": (("site", "time", "level"), np.stack(prim, -1))},
                      coords={"site": sites, "time": times})


def category_probabilities(aqi_levels: np.ndarray) -> np.ndarray:
    """P(category 1..6) from AQI values on an evenly spread quantile grid (last axis)."""
    lv = AQI.aqi_level(aqi_levels)
    return np.stack([(lv == c).mean(axis=-1) for c in range(1, 7)], axis=-1)


def exceedance_from_grid(values: np.ndarray, threshold: float) -> np.ndarray:
    """P(X > threshold) from values on an evenly spread quantile grid (last axis)."""
    return (np.asarray(values) > threshold).mean(axis=-1)


def quantile_at(values: np.ndarray, levels, p: float) -> np.ndarray:
    """Quantile ``p`` of every row of ``values`` (last axis on the ascending probability ``levels``), linear
    between the two levels around it."""
    levels = np.asarray(levels, float)
    j = int(np.clip(np.searchsorted(levels, p), 1, len(levels) - 1))
    w = float(np.clip((p - levels[j - 1]) / (levels[j] - levels[j - 1]), 0, 1))
    return np.asarray(values)[..., j - 1] * (1 - w) + np.asarray(values)[..., j] * w


def even_grid(n: int = 49) -> np.ndarray:
    """Quantile levels (k − 0.5)/n, the midpoints of n equal-probability slices."""
    return (np.arange(1, n + 1) - 0.5) / n


def to_timestamp(t) -> pd.Timestamp:
    ts = pd.Timestamp(t)
    return ts.tz_convert("Asia/Shanghai").tz_localize(None) if ts.tzinfo else ts
