"""Baselines computed with every forecast: persistence and climatology (site × month × hour)."""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
import xarray as xr


def persistence(y: np.ndarray, h: int) -> np.ndarray:
    """Forecast for ``t + h`` issued at ``t``: the value observed at ``t`` (rows = issue times)."""
    return np.asarray(y, dtype=np.float32)


@dataclass
class Climatology:
    """Mean by site × month × hour fitted on a training period, with fallbacks site × hour → site → all."""

    sites: list[str]
    table: np.ndarray      # (site, 12, 24), NaN where unseen
    by_hour: np.ndarray    # (site, 24)
    by_site: np.ndarray    # (site,)
    overall: float

    @classmethod
    def fit(cls, da: xr.DataArray, min_count: int = 10) -> "Climatology":
        da = da.transpose("site", "time")
        t = pd.DatetimeIndex(da["time"].values)
        y = np.asarray(da.values, dtype=float)
        S = y.shape[0]
        table = np.full((S, 12, 24), np.nan)
        by_hour = np.full((S, 24), np.nan)
        m, hr = t.month.to_numpy() - 1, t.hour.to_numpy()
        for s in range(S):
            df = pd.DataFrame({"y": y[s], "m": m, "h": hr}).dropna()
            g = df.groupby(["m", "h"])["y"].agg(["mean", "count"])
            g = g[g["count"] >= min_count]
            table[s, g.index.get_level_values(0), g.index.get_level_values(1)] = g["mean"].to_numpy()
            gh = df.groupby("h")["y"].mean()
            by_hour[s, gh.index.to_numpy()] = gh.to_numpy()
        with np.errstate(all="ignore"):
            by_site = np.nanmean(y, axis=1)
        overall = float(np.nanmean(y)) if np.isfinite(y).any() else float("nan")
        return cls([str(s) for s in da["site"].values], table, by_hour, by_site, overall)

    def at(self, sites, times) -> np.ndarray:
        """Climatology on a (site, time) grid; unseen sites/months fall back gracefully."""
        t = pd.DatetimeIndex(times)
        m, hr = t.month.to_numpy() - 1, t.hour.to_numpy()
        idx = {s: i for i, s in enumerate(self.sites)}
        out = np.full((len(sites), len(t)), self.overall, dtype=np.float32)
        for k, s in enumerate(sites):
            i = idx.get(str(s))
            if i is None:
                continue
            v = self.table[i][m, hr]
            fb = self.by_hour[i][hr]
            v = np.where(np.isnan(v), fb, v)
            v = np.where(np.isnan(v), self.by_site[i], v)
            out[k] = np.where(np.isnan(v), self.overall, v)
        return out

    def to_dict(self) -> dict:
        return dict(sites=self.sites, table=np.where(np.isnan(self.table), None, self.table).tolist(),
                    by_hour=np.where(np.isnan(self.by_hour), None, self.by_hour).tolist(),
                    by_site=np.where(np.isnan(self.by_site), None, self.by_site).tolist(), overall=self.overall)

    @classmethod
    def from_dict(cls, d: dict) -> "Climatology":
        f = lambda x: np.array(x, dtype=float)  # noqa: E731 — None → nan
        return cls(list(d["sites"]), f(d["table"]), f(d["by_hour"]), f(d["by_site"]), float(d["overall"]))
