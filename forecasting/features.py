"""Feature construction for direct multi-horizon forecasts, leakage-free by construction.

A forecast issued at time ``t`` for horizon ``h`` (valid at ``t+h``) sees:
* *issue-time features* — computed from observations at or before ``t`` only (lags, trailing
  rolling statistics, current meteorology and its past tendencies, other pollutants, the regional
  mean and the neighbouring/upwind sites);
* *valid-time features* — things known in advance: calendar of ``t+h``, the climatology of
  ``t+h`` (a table fitted on the training period only), and — only when explicitly requested —
  meteorology at ``t+h`` from a weather forecast (or observed meteorology as a perfect-forecast
  stand-in, ``future_met="observed"``, a research bound).

Arrays are laid out ``(site, time)``; a row of the design matrix is one ``(site, issue time)``.
"""
from __future__ import annotations

import warnings
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
import xarray as xr

POLLUTANTS = ("PM2.5", "PM10", "SO2", "NO2", "CO", "O3")
MET_VARS = ("TEMP", "DEWP", "PRES", "RAIN", "WS", "WD")
LAGS = (0, 1, 2, 3, 6, 12, 23)
WINDOWS = (3, 6, 24, 72)
LOOKBACK = 96  # hours of history any issue-time feature may use (72-h mean, 24-h tendency of 24-h mean)


def _roll(a: np.ndarray, w: int, how: str = "mean", min_frac: float = 0.5) -> np.ndarray:
    """Trailing rolling statistic over the last ``w`` hours (inclusive of t) along axis 1."""
    df = pd.DataFrame(a.T)
    r = df.rolling(w, min_periods=max(1, int(w * min_frac)))
    out = getattr(r, how)()
    return out.to_numpy(dtype=np.float32).T


def shift(a: np.ndarray, k: int) -> np.ndarray:
    """``out[:, t] = a[:, t - k]`` (k > 0: the past; k < 0: the future), NaN-filled at the edges."""
    out = np.full_like(a, np.nan, dtype=np.float32)
    if k == 0:
        out[:] = a
    elif k > 0:
        out[:, k:] = a[:, :-k]
    else:
        out[:, :k] = a[:, -k:]
    return out


def wind_uv(ws: np.ndarray, wd: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Wind components (u eastward, v northward) from speed and meteorological direction."""
    rad = np.deg2rad(wd)
    return -ws * np.sin(rad), -ws * np.cos(rad)


def has_met(ds: xr.Dataset) -> bool:
    return all(v in ds for v in ("TEMP", "DEWP", "PRES", "WS", "WD"))


@dataclass
class FeatureSpec:
    """What the design matrix contains (stored with a trained model)."""

    target: str
    met: str = "none"  # none | current | observed | nwp  (observed/nwp add valid-time met)
    neighbours: list[str] = field(default_factory=list)
    other_pollutants: list[str] = field(default_factory=list)
    names: list[str] = field(default_factory=list)

    def to_dict(self) -> dict:
        return dict(target=self.target, met=self.met, neighbours=list(self.neighbours),
                    other_pollutants=list(self.other_pollutants), names=list(self.names))

    @classmethod
    def from_dict(cls, d: dict) -> "FeatureSpec":
        return cls(**d)


def _arr(ds: xr.Dataset, var: str) -> np.ndarray:
    return np.asarray(ds[var].transpose("site", "time").values, dtype=np.float32)


def issue_features(ds: xr.Dataset, target: str, neighbours: xr.Dataset | None = None,
                   use_met: bool = True, neighbour_names: list[str] | None = None
                   ) -> tuple[dict[str, np.ndarray], list[str]]:
    """Issue-time features ``name -> (site, time)`` using data at or before each time only."""
    y = _arr(ds, target)
    f: dict[str, np.ndarray] = {}
    for k in LAGS:
        f[f"{target}_lag{k}"] = shift(y, k)
    for w in WINDOWS:
        f[f"{target}_mean{w}"] = _roll(y, w)
    f[f"{target}_max24"] = _roll(y, 24, "max")
    f[f"{target}_min24"] = _roll(y, 24, "min")
    f[f"{target}_d3"] = y - shift(y, 3)
    f[f"{target}_d24"] = f[f"{target}_mean24"] - shift(f[f"{target}_mean24"], 24)
    with np.errstate(all="ignore"), warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        reg = np.nanmean(y, axis=0, keepdims=True)
    f[f"{target}_regional"] = np.broadcast_to(reg, y.shape).astype(np.float32)
    f[f"{target}_regional_mean24"] = np.broadcast_to(_roll(reg, 24), y.shape).astype(np.float32)
    others = [p for p in POLLUTANTS if p in ds and p != target]
    for p in others:
        a = _arr(ds, p)
        f[f"{p}_lag0"] = a
        f[f"{p}_mean24"] = _roll(a, 24)
    if use_met and has_met(ds):
        t, d, pr, ws, wd = (_arr(ds, v) for v in ("TEMP", "DEWP", "PRES", "WS", "WD"))
        u, v = wind_uv(ws, wd)
        f.update({"TEMP": t, "DEWP": d, "PRES": pr, "WS": ws, "U": u, "V": v, "SPREAD": t - d,
                  "PRES_d3": pr - shift(pr, 3), "PRES_d24": pr - shift(pr, 24),
                  "DEWP_d24": d - shift(d, 24), "TEMP_d24": t - shift(t, 24),
                  "U_mean6": _roll(u, 6), "V_mean6": _roll(v, 6), "WS_mean6": _roll(ws, 6),
                  "U_mean24": _roll(u, 24), "V_mean24": _roll(v, 24), "WS_mean24": _roll(ws, 24)})
        if "RAIN" in ds:
            f["RAIN_sum24"] = _roll(np.nan_to_num(_arr(ds, "RAIN")), 24, "sum")
    if neighbours is not None and target in neighbours:
        names = neighbour_names if neighbour_names is not None else [str(s) for s in neighbours["site"].values]
        nb = neighbours.reindex(site=names, time=ds["time"].values)
        arr = _arr(nb, target)
        for i, name in enumerate(names):
            row = arr[i: i + 1]
            f[f"nb_{name}_lag0"] = np.broadcast_to(row, y.shape).astype(np.float32)
            f[f"nb_{name}_mean24"] = np.broadcast_to(_roll(row, 24), y.shape).astype(np.float32)
        with np.errstate(all="ignore"), warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)
            nbm = np.nanmean(arr, axis=0, keepdims=True)
        f["nb_mean_lag0"] = np.broadcast_to(nbm, y.shape).astype(np.float32)
        f["nb_mean_d6"] = np.broadcast_to(nbm - shift(nbm, 6), y.shape).astype(np.float32)
    return f, others


def future_met_arrays(met: xr.Dataset, ds_time: np.ndarray, sites: np.ndarray) -> dict[str, np.ndarray]:
    """Meteorology on the (site, time) grid of the observations, used at *valid* times only."""
    m = met.reindex(site=sites, time=ds_time)
    t, d, pr, ws, wd = (_arr(m, v) for v in ("TEMP", "DEWP", "PRES", "WS", "WD"))
    u, v = wind_uv(ws, wd)
    out = {"TEMP": t, "DEWP": d, "PRES": pr, "WS": ws, "U": u, "V": v}
    out["RAIN"] = np.nan_to_num(_arr(m, "RAIN")) if "RAIN" in m else np.zeros_like(t)
    return out


def valid_features(times: pd.DatetimeIndex, h: int, n_sites: int, y_issue: np.ndarray,
                   clim: np.ndarray | None, fmet: dict[str, np.ndarray] | None,
                   imet: dict[str, np.ndarray] | None) -> dict[str, np.ndarray]:
    """Features known at issue time about the valid time ``t + h`` (calendar, climatology, met forecast).

    ``clim`` is the climatology already evaluated on the (site, time) grid; ``fmet`` are (site, time)
    meteorology arrays taken at ``t + h`` (a weather forecast or, for research, the observations).
    """
    vt = times + pd.Timedelta(hours=h)
    shape = (n_sites, len(times))
    out = {
        "v_hour": np.broadcast_to(vt.hour.to_numpy(np.float32), shape),
        "v_doy": np.broadcast_to(vt.day_of_year.to_numpy(np.float32), shape),
        "v_dow": np.broadcast_to(vt.day_of_week.to_numpy(np.float32), shape),
        "i_hour": np.broadcast_to(times.hour.to_numpy(np.float32), shape),
        "horizon": np.full(shape, h, np.float32),
    }
    back = 24 * int(np.ceil(h / 24)) - h  # same clock hour as the valid time, last observed day
    out["same_hour_last_day"] = shift(y_issue, back)
    if clim is not None:
        out["clim_valid"] = shift(clim, -h)
        out["clim_issue"] = clim
    if fmet is not None:
        for k, a in fmet.items():
            out[f"f_{k}"] = shift(a, -h)
        for k in ("U", "V", "WS"):
            out[f"f_{k}_mean6"] = shift(_roll(fmet[k], 6), -h)
        out["f_RAIN_sum12"] = shift(_roll(fmet["RAIN"], 12, "sum"), -h)
        # mean ventilation over the whole path (t, t+h]
        for k in ("U", "V", "WS"):
            c = np.nancumsum(np.nan_to_num(fmet[k]), axis=1)
            out[f"f_{k}_path"] = (shift(c, -h) - c) / h
        if imet is not None:
            out["f_PRES_change"] = out["f_PRES"] - imet["PRES"]
            out["f_DEWP_change"] = out["f_DEWP"] - imet["DEWP"]
            out["f_TEMP_change"] = out["f_TEMP"] - imet["TEMP"]
        out["f_SPREAD"] = out["f_TEMP"] - out["f_DEWP"]
    return out


def design(base: dict[str, np.ndarray], valid: dict[str, np.ndarray], names: list[str] | None = None
           ) -> tuple[np.ndarray, list[str]]:
    """Stack feature arrays into a ``(site*time, n_features)`` float32 matrix (row = site-major)."""
    allf = {**base, **valid}
    names = names or list(allf)
    S, T = next(iter(allf.values())).shape
    X = np.empty((S * T, len(names)), dtype=np.float32)
    for j, n in enumerate(names):
        a = allf.get(n)
        X[:, j] = np.nan if a is None else np.asarray(a, dtype=np.float32).reshape(-1)
    return X, names


def day_met_features(fmet: dict[str, np.ndarray], h: int) -> dict[str, np.ndarray]:
    """Meteorology of the 24 h ending at ``t + h`` (the target day) from forecast/observed fields:
    daily means, halves of the day (timing of a front), 3-hour blocks of wind, wind components and humidity
    spread, rain total, humidity spread and the temperature range (a stability proxy)."""
    out = {}
    spread = fmet["TEMP"] - fmet["DEWP"]
    series = {**fmet, "SPREAD": spread}
    cum = {k: np.nancumsum(np.nan_to_num(series[k]), axis=1)
           for k in ("U", "V", "WS", "TEMP", "DEWP", "PRES", "SPREAD", "RAIN")}
    for k, c in cum.items():
        tot = F_window(c, h, 24)
        out[f"f_{k}_day"] = tot if k == "RAIN" else tot / 24
        if k in ("U", "V", "WS", "DEWP"):
            out[f"f_{k}_day_late"] = F_window(c, h, 12) / 12
    out["f_TEMP_range_day"] = shift(_roll(fmet["TEMP"], 24, "max") - _roll(fmet["TEMP"], 24, "min"), -h)
    out["f_WS_max_day"] = shift(_roll(fmet["WS"], 24, "max"), -h)
    out["f_PRES_change_day"] = shift(fmet["PRES"], -h) - shift(fmet["PRES"], -(h - 24))
    # the day's course in 3-hour blocks (block j ends at t + h − 21 + 3j): a calm, humid night or a wind shift at
    # noon weighs differently in the daily mean than the day's averages tell (measured: README-forecast)
    for k in ("WS", "SPREAD", "U", "V"):
        for j in range(8):
            out[f"f_{k}_b{j}"] = F_window(cum[k], h - 3 * (7 - j), 3) / 3
    return out


def F_window(cum: np.ndarray, h: int, w: int) -> np.ndarray:
    """Sum over the ``w`` hours ending at ``t + h`` from a cumulative sum along time."""
    return shift(cum, -h) - shift(cum, -(h - w))
