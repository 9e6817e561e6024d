"""The target day's statistic of an hourly model: an input of daily models that see the weather of every valid hour.

Operational air-quality systems derive daily means from hourly output. With weather for every hour of the target
day (a weather forecast, or observed meteorology as its research stand-in), the mean of a stacked hourly model's 24
forecasts beat the direct daily model on both held-out Beijing years (benchmarks/README-forecast.md, "The daily mean
from the hourly model"). A daily model fitted with this input gets that mean as one more feature, named
:data:`FEATURE`: its trees decide how much to trust it.

Leakage: the feature of a training row comes from an hourly model fitted without the row's cross-fit block (rows
within the purge distance of the block removed), the same blocks as the daily model's calibration; forecasts use the
hourly model refitted on the whole training period. Arrays are laid out as in :mod:`forecasting.features`: a design
row is ``site * T + time``.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

import numpy as np
import xarray as xr

FEATURE = "hourly_model_day"
DAY = 24


@dataclass
class HourlyKit:
    """The fitted hourly models behind :data:`FEATURE` for one training set: one per cross-fit block (each row's
    out-of-sample value) and one on the whole period (forecasts). Daily models of the same target, weather input and
    training data can share one kit, e.g. the 23:00 and the evening sets, when it covers their hours."""

    hours: list[int]            # hourly horizons the models were trained on
    names: list[str]            # their design columns
    blocks: list[tuple[int, int]]
    fold_models: list
    final: object
    n_rows: int
    key: tuple                  # what the kit was fitted on (target, weather input, neighbours, time axis, folds)

    def covers(self, hours, key: tuple) -> bool:
        """Whether the kit serves a daily model needing ``hours``, fitted on the data identified by ``key``."""
        return key == self.key and set(hours) <= set(self.hours)


def day_hours(h: int) -> range:
    """Hourly horizons of the 24 hours ending at horizon ``h`` (the target day of a daily statistic)."""
    return range(h - DAY + 1, h + 1)


def hours_of(horizons) -> list[int]:
    """The hourly horizons of the target days of daily ``horizons``, sorted and each once."""
    return sorted({k for h in horizons for k in day_hours(h)})


def day_statistic(hourly: np.ndarray, stat: str) -> np.ndarray:
    """The daily statistic ``stat`` of hourly forecasts ``(n, 24)`` of the target day: the mean (``mean24``), the
    maximum (``max1h24``) or the largest 8-hour mean within the day (``mda8``; the day's own 17 windows)."""
    with np.errstate(all="ignore"):
        if stat == "mean24":
            return np.nanmean(hourly, axis=1)
        if stat == "max1h24":
            return np.nanmax(hourly, axis=1)
        if stat == "mda8":
            c = np.concatenate([np.zeros((len(hourly), 1)), np.cumsum(hourly, axis=1)], axis=1)
            return np.nanmax((c[:, 8:] - c[:, :-8]) / 8, axis=1)
    raise ValueError(f"no hourly-model input for statistic {stat!r}")


def training_sample(sub, ds: xr.Dataset, hours: list[int], neighbours, max_rows: int, rng: np.random.Generator
                    ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """A random sample of about ``max_rows`` rows of the stacked hourly model ``sub`` over ``hours`` (all issue
    hours): ``(X, y, horizon, issue-time index)``."""
    S, T = ds.sizes["site"], ds.sizes["time"]
    rate = min(1.0, max_rows / max(1, S * T * len(hours)))
    tidx = np.tile(np.arange(T), S)
    Xs, ys, ks, ts = [], [], [], []
    for k, X, y, rows in sub.matrices(ds, hours, neighbours):
        keep = rows[np.isfinite(y[rows])]
        keep = keep[rng.random(len(keep)) < rate]
        Xs.append(X[keep]); ys.append(y[keep]); ks.append(np.full(len(keep), k)); ts.append(tidx[keep])
    return np.concatenate(Xs), np.concatenate(ys), np.concatenate(ks), np.concatenate(ts)


def day_inputs(sub, ds: xr.Dataset, neighbours, future_met, rows_by_h: dict[int, np.ndarray], stat: str,
               predict: Callable[[np.ndarray, np.ndarray], np.ndarray]) -> dict[int, np.ndarray]:
    """Per daily horizon ``h``, the ``(S*T,)`` column of :data:`FEATURE`: the statistic of the hourly model's
    forecasts of the target day at the rows ``rows_by_h[h]`` (NaN elsewhere). ``predict(X, rows)`` gives the hourly
    model's forecasts of design rows ``rows``; each hourly horizon's matrix is built once."""
    S, T = ds.sizes["site"], ds.sizes["time"]
    need: dict[int, list[np.ndarray]] = {}
    for h, rows in rows_by_h.items():
        for k in day_hours(h):
            need.setdefault(k, []).append(rows)
    hourly = {h: np.full((len(rows), DAY), np.nan) for h, rows in rows_by_h.items()}
    for k, X, _, _ in sub.matrices(ds, sorted(need), neighbours, future_met, with_target=False):
        union = np.unique(np.concatenate(need[k]))
        if not len(union):
            continue
        pred = np.maximum(predict(X[union], union), 0.0)
        for h, rows in rows_by_h.items():
            if h - DAY < k <= h and len(rows):
                hourly[h][:, k - (h - DAY + 1)] = pred[np.searchsorted(union, rows)]
    out = {}
    for h, rows in rows_by_h.items():
        col = np.full(S * T, np.nan, np.float32)
        col[rows] = day_statistic(hourly[h], stat)
        out[h] = col
    return out


def block_predictor(models: list, blocks: list[tuple[int, int]], T: int
                    ) -> Callable[[np.ndarray, np.ndarray], np.ndarray]:
    """``predict(X, rows)`` taking each row's forecast from the model of its issue time's cross-fit block."""
    def predict(X: np.ndarray, rows: np.ndarray) -> np.ndarray:
        t = rows % T
        out = np.full(len(rows), np.nan)
        for est, (a, b) in zip(models, blocks):
            sel = (t >= a) & (t < b)
            if est is not None and sel.any():
                out[sel] = est.predict(X[sel])
        return out
    return predict
