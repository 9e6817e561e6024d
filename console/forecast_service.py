"""The console's forecast service: which model, which data, issuing forecasts at a clock time.

The Guangxi demo model is shipped in ``resources/forecast/guangxi_demo.zip`` when present; otherwise
it is trained on first use from the demo data and cached in the user cache directory.  Either way it
is read through the safe loader (:mod:`forecasting.store`).  Forecasts are issued at the console
clock from observations at or before it only.
"""
from __future__ import annotations

import hashlib
import importlib.resources
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

import pandas as pd
import xarray as xr

from forecasting.models import TrainConfig
from forecasting.system import Forecast, ForecastSystem

Progress = Callable[[float, str], None]
SHIPPED = "guangxi_demo.zip"


class Cancelled(Exception):
    """Raised from a progress callback to stop long work."""


def demo_train_configs() -> tuple[TrainConfig, TrainConfig]:
    """Compact settings for the shipped demo model (fast to train, a few MB on disk)."""
    hourly = TrainConfig(max_iter=150, learning_rate=0.1, max_leaf_nodes=31, min_samples_leaf=60,
                         horizons_per_row=6, max_rows=60_000, spread_max_iter=80, spread_max_rows=30_000)
    daily = TrainConfig(max_iter=150, learning_rate=0.08, max_leaf_nodes=15, min_samples_leaf=20,
                        issue_hours=(23,), spread_max_iter=60)
    return hourly, daily


def cache_dir() -> Path:
    try:
        import platformdirs

        return Path(platformdirs.user_cache_dir("lantian")) / "forecast"
    except ImportError:  # pragma: no cover
        return Path.home() / ".cache" / "lantian" / "forecast"


@dataclass
class IssuedForecast:
    forecast: Forecast
    observed: xr.Dataset          # observations up to the issue time (last 7 days), all sites


class ForecastService:
    """Thread-safe holder of the data and the forecast system for the console."""

    def __init__(self, ds: xr.Dataset | None = None, neighbours: xr.Dataset | None = None,
                 system: ForecastSystem | None = None, model_path: str | Path | None = None):
        self._ds, self._nb, self._system = ds, neighbours, system
        self._model_path = Path(model_path) if model_path else None
        self._lock = threading.Lock()
        self.model_source = ""

    # ---------------------------------------------------------------- data & model
    def data(self) -> tuple[xr.Dataset, xr.Dataset | None]:
        with self._lock:
            if self._ds is None:
                from console.forecast_io import demo_guangxi

                self._ds, self._nb = demo_guangxi()
            return self._ds, self._nb

    def system(self, progress: Progress | None = None) -> ForecastSystem:
        ds, nb = self.data()
        with self._lock:
            if self._system is not None:
                return self._system
            if self._model_path is not None:
                self._system = ForecastSystem.load(self._model_path)
                self.model_source = str(self._model_path)
                return self._system
            shipped = importlib.resources.files("resources.forecast").joinpath(SHIPPED)
            if shipped.is_file():
                self._system = ForecastSystem.load(shipped.read_bytes())
                self.model_source = f"resources/forecast/{SHIPPED}"
                return self._system
            key = hashlib.sha256(repr((ds.sizes, str(ds["time"].values[[0, -1]]), list(ds["site"].values)))
                                 .encode()).hexdigest()[:10]
            cached = cache_dir() / f"guangxi_demo_{key}.zip"
            if cached.is_file():
                try:
                    self._system = ForecastSystem.load(cached)
                    self.model_source = str(cached)
                    return self._system
                except Exception:  # noqa: BLE001 — a broken cache is retrained, never trusted
                    cached.unlink(missing_ok=True)
            h, d = demo_train_configs()
            self._system = ForecastSystem.train(ds, neighbours=nb, met="none", hourly_cfg=h, daily_cfg=d,
                                                progress=(lambda f, m: progress(0.8 * f, f"training: {m}"))
                                                if progress else None)
            self._system.save(cached)
            self.model_source = f"trained on first use, cached in {cached}"
            return self._system

    # ---------------------------------------------------------------- forecasts
    def issue(self, clock, progress: Progress | None = None) -> IssuedForecast:
        """Forecast issued at ``clock`` (floored to the hour) from data up to it."""
        system = self.system(progress)
        ds, nb = self.data()
        t = pd.Timestamp(clock).floor("h")
        t0, t1 = pd.Timestamp(ds["time"].values[0]), pd.Timestamp(ds["time"].values[-1])
        if t < t0 + pd.Timedelta(days=2) or t > t1 + pd.Timedelta(days=1):
            raise ValueError(f"clock {t:%Y-%m-%d %H:%M} is outside the data ({t0:%Y-%m-%d} … {t1:%Y-%m-%d})")
        fc = system.forecast(ds, t, neighbours=nb,
                             progress=(lambda f, m: progress(0.8 + 0.2 * f, m)) if progress else None)
        fc.info["model_source"] = self.model_source
        obs = ds.sel(time=slice(t - pd.Timedelta(days=7), t))
        return IssuedForecast(fc, obs)
