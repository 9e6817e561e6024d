"""The console's forecast service: which model, which data, issuing forecasts at a clock time.

Model: a bundle named by ``LANTIAN_FORECAST_MODEL`` (written by ``lantian forecast train``), else the
Guangxi demo model shipped in ``resources/forecast/guangxi_demo.zip``, else one trained on first use from
the demo data and cached in the user cache directory.  Always read through the safe loader
(:mod:`forecasting.store`).

Data: the city observations the console shows (:meth:`ForecastService.use_city_data`, from the store:
the demo, ingested files, live-feed hours), matched to the model's cities by adcode or name; without
them, the demo files.  Forecasts are issued at the console clock from observations at or before it only.
"""
from __future__ import annotations

import hashlib
import importlib.resources
import os
import threading
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Callable

import numpy as np
import pandas as pd
import xarray as xr

from forecasting.models import TrainConfig
from forecasting.system import Forecast, ForecastSystem
from forecasting.seasonal_prior import default_prior

Progress = Callable[[float, str], None]
SHIPPED = "guangxi_demo.zip"
MODEL_ENV = "LANTIAN_FORECAST_MODEL"
INPUT_VARIABLES = ("PM2.5", "PM10", "SO2", "NO2", "CO", "O3", "TEMP", "DEWP", "PRES", "RAIN", "WS", "WD")


class Cancelled(Exception):
    """Raised from a progress callback to stop long work."""


def demo_train_configs() -> tuple[TrainConfig, TrainConfig]:
    """Compact settings for the shipped demo model (fast to train, a few MB on disk)."""
    hourly = TrainConfig(max_iter=150, learning_rate=0.1, max_leaf_nodes=31, min_samples_leaf=60,
                         horizons_per_row=6, max_rows=60_000, spread_max_iter=80, spread_max_rows=30_000)
    daily = TrainConfig(max_iter=150, learning_rate=0.08, max_leaf_nodes=15, min_samples_leaf=20,
                        issue_hours=(23,), spread_max_iter=60)
    return hourly, daily


BRIEFING_HOUR = 20   # the briefings' issue hour: daily models specialised to it (benchmarks/README-forecast.md)


def evening_config(daily: TrainConfig) -> TrainConfig:
    """Daily models for the briefing hour: ``daily``'s settings, trained and issued at 20:00 only, each predicting the
    natural days (``TrainConfig.natural_day``), so a 20:00 outlook uses the day's data up to 20:00."""
    return replace(daily, issue_hours=(BRIEFING_HOUR,), train_issue_hours=None, natural_day=True)


def cache_dir() -> Path:
    try:
        import platformdirs

        return Path(platformdirs.user_cache_dir("lantian")) / "forecast"
    except ImportError:  # pragma: no cover
        return Path.home() / ".cache" / "lantian" / "forecast"


@dataclass
class WeatherForecast:
    """A weather-forecast file loaded for the forecasts (see :meth:`ForecastService.load_weather`)."""

    path: Path
    utc: bool                                  # NetCDF times given in UTC (GRIB always is)
    valid: tuple[pd.Timestamp, pd.Timestamp]   # first and last valid hour, Beijing time
    variables: list[str]                       # site meteorology it provides (TEMP, WS …)
    warnings: list[str]                        # parts of the file not read
    used: bool                                 # the model takes weather-forecast input


@dataclass
class IssuedForecast:
    forecast: Forecast
    observed: xr.Dataset          # observations up to the issue time (last 7 days), all sites


def _key(name) -> str:
    """Matching key of a city: its name or code without surrounding space and a trailing 市."""
    return str(name).strip().removesuffix("市")


@dataclass
class CityMatch:
    """Which of the loaded cities the model forecasts (and which feed it as neighbours)."""

    sites: dict[str, str]         # model site name → loaded site code
    labels: dict[str, str]        # model site name → the loaded city's Chinese name without 市 (what forecasts show)
    neighbours: dict[str, str]    # model neighbour name → loaded site code
    not_forecast: list[str]       # loaded cities the model was not trained for (Chinese names; a neighbour among
                                  # them still feeds the forecast as upwind input)


def match_cities(city: xr.Dataset, sites, neighbours=()) -> CityMatch:
    """Match the loaded cities (site = adcode, ``name_zh`` coordinate) to the model's site names.

    A model trained on CNEMC city files knows cities by name ("南宁"), the store by adcode ("450100")
    and name ("南宁市"); code, name and name without 市 all match."""
    codes = [str(c) for c in city["site"].values]
    names = [str(n) for n in city["name_zh"].values] if "name_zh" in city.coords else codes
    by_key: dict[str, str] = {}
    for c, n in zip(codes, names):
        by_key.setdefault(_key(c), c)
        by_key.setdefault(_key(n), c)
    hit = {str(s): by_key[_key(s)] for s in sites if _key(s) in by_key}
    nb = {str(s): by_key[_key(s)] for s in neighbours if _key(s) in by_key and by_key[_key(s)] not in hit.values()}
    forecast = set(hit.values())
    label = {c: _key(n) for c, n in zip(codes, names)}
    return CityMatch(hit, {s: label[c] for s, c in hit.items()}, nb,
                     [n for c, n in zip(codes, names) if c not in forecast])


def _rows(city: xr.Dataset, codes: list[str], names: list[str]) -> xr.Dataset:
    """The model's input variables of ``codes``, renamed to the model's site ``names``."""
    part = city.sel(site=codes)
    out = xr.Dataset({v: (("site", "time"), part[v].values.astype("float64")) for v in INPUT_VARIABLES if v in part},
                     coords={"site": names, "time": pd.DatetimeIndex(part["time"].values)})
    for c in ("lon", "lat"):
        if c in part.coords:
            out = out.assign_coords({c: ("site", part[c].values.astype(float))})
    return out


@dataclass
class ModelInputs:
    """Observations and neighbours in the model's layout, with what the forecast shows and leaves out."""

    ds: xr.Dataset
    neighbours: xr.Dataset | None
    labels: dict[str, str]        # model site name → city name shown (Chinese, without 市)
    not_forecast: list[str]


def model_inputs(city: xr.Dataset, system: ForecastSystem, fallback_neighbours: xr.Dataset | None = None
                 ) -> ModelInputs:
    """The loaded cities matched to the model (see :func:`match_cities`) in the model's layout.

    Neighbours the loaded data lack are taken from ``fallback_neighbours`` (the demo's 21 neighbouring
    cities) on the hours it covers; elsewhere they are missing, which the model tolerates."""
    m = match_cities(city, system.info.get("sites", []), system.info.get("neighbours", []))
    if not m.sites:
        known = "、".join(list(system.info.get("sites", []))[:6])
        raise ValueError(f"the forecast model knows none of the loaded cities (it was trained for {known} …); "
                         f"train one on these data with `lantian forecast train` and name it in {MODEL_ENV}")
    ds = _rows(city, list(m.sites.values()), list(m.sites))
    parts = []
    if m.neighbours:
        parts.append(_rows(city, list(m.neighbours.values()), list(m.neighbours)))
    rest = [str(s) for s in system.info.get("neighbours", []) if str(s) not in m.neighbours]
    if rest and fallback_neighbours is not None:
        have = [s for s in rest if s in fallback_neighbours["site"].values]
        if have:
            fb = fallback_neighbours.sel(site=have).reindex(time=ds["time"].values)
            parts.append(fb[[v for v in INPUT_VARIABLES if v in fb]])
    nb = (None if not parts else parts[0] if len(parts) == 1 else
          xr.concat(parts, dim="site", join="outer"))
    return ModelInputs(ds, nb.reindex(time=ds["time"].values) if nb is not None else None, m.labels, m.not_forecast)


def _relabel(fc: Forecast, obs: xr.Dataset, labels: dict[str, str]) -> tuple[Forecast, xr.Dataset]:
    """Forecast and observations under the cities' shown names (a model trained on adcodes shows 南宁, not 450100)."""
    if all(k == v for k, v in labels.items()):
        return fc, obs
    name = [labels.get(str(s), str(s)) for s in fc.hourly["site"].values]
    fc.hourly = fc.hourly.assign_coords(site=name)
    if not fc.daily.empty:
        fc.daily["site"] = fc.daily["site"].map(lambda s: labels.get(str(s), str(s)))
    fc.info["inputs"]["sites"] = name
    return fc, obs.assign_coords(site=[labels.get(str(s), str(s)) for s in obs["site"].values])


def input_gaps(inputs: dict, max_names: int = 8, sep: str = "、") -> tuple[tuple[int, int] | None, str]:
    """What an issued forecast's ``info["inputs"]`` lacks, for the panel's and the briefing's statements:
    (neighbours with data, neighbours wanted) when some upwind data are missing, else None; and the cities
    not forecast, at most ``max_names`` of them, then their count ("" when none)."""
    wanted, have = inputs.get("neighbours", []), inputs.get("neighbours_with_data")
    upwind = (len(have), len(wanted)) if wanted and have is not None and len(have) < len(wanted) else None
    missing = [str(c) for c in inputs.get("not_forecast", [])]
    names = sep.join(missing[:max_names]) + (f" … ({len(missing)})" if len(missing) > max_names else "")
    return upwind, names


class ForecastService:
    """Thread-safe holder of the data and the forecast system for the console."""

    def __init__(self, ds: xr.Dataset | None = None, neighbours: xr.Dataset | None = None,
                 system: ForecastSystem | None = None, model_path: str | Path | None = None):
        self._given = (ds, neighbours) if ds is not None else None
        self._ds, self._nb = ds, neighbours
        self._system = system
        path = model_path or os.environ.get(MODEL_ENV) or None
        self._model_path = Path(path) if path else None
        self._city: xr.Dataset | None = None
        self._labels: dict[str, str] = {}
        self._lock = threading.Lock()
        self.model_source = ""
        self.not_forecast: list[str] = []
        self.data_source = "demo files"
        self._weather: WeatherForecast | None = None
        self._site_met: tuple[tuple[str, ...], xr.Dataset] | None = None   # (model sites, their meteorology)

    # ---------------------------------------------------------------- data & model
    def use_city_data(self, city: xr.Dataset, source: str = "console data") -> None:
        """Forecast from these city observations (site = adcode, ``name_zh`` coordinate) from now on."""
        with self._lock:
            self._city = city
            self._ds = self._nb = None
            self.data_source = source

    def data(self) -> tuple[xr.Dataset, xr.Dataset | None]:
        """Observations and neighbours in the model's layout."""
        with self._lock:
            if self._ds is not None:
                return self._ds, self._nb
            city = self._city
        if city is None:
            ds, nb = self._training_data()
            labels, not_forecast = {}, []
        else:
            from console.forecast_io import demo_neighbours

            m = model_inputs(city, self.system(), demo_neighbours())
            ds, nb, labels, not_forecast = m.ds, m.neighbours, m.labels, m.not_forecast
        with self._lock:
            if self._city is city:  # not replaced meanwhile
                self._ds, self._nb, self._labels, self.not_forecast = ds, nb, labels, not_forecast
        return ds, nb

    # ---------------------------------------------------------------- weather forecast
    def uses_weather_forecast(self) -> bool:
        """Whether the model takes weather at the valid times (trained with meteorology as perfect prognosis)."""
        return any(m.spec.met in ("observed", "nwp") for m in self.system().models())

    @property
    def weather(self) -> WeatherForecast | None:
        return self._weather

    def load_weather(self, path: str | Path, utc: bool = False) -> WeatherForecast:
        """Use the weather-forecast fields of ``path`` (NetCDF or GRIB) in the forecasts from now on.

        Read at once, at the forecast cities, so that a bad file is reported now (:class:`InputError` naming the
        file); a model trained without weather keeps it loaded but unused, and the forecast says so."""
        from console.forecast_io import site_weather

        ds, _ = self.data()
        met, warnings = site_weather(path, ds, utc, locate_hint="the console needs the cities' coordinates "
                                                               "(station list) to place them on the grid")
        t = pd.DatetimeIndex(met["time"].values)
        if not len(t):
            from console.errors import InputError

            raise InputError(str(path), "the weather fields have no valid times")
        variables = [v for v in met.data_vars if met[v].notnull().any()]
        w = WeatherForecast(Path(path), utc, (t.min(), t.max()), variables, warnings, self.uses_weather_forecast())
        with self._lock:
            self._weather, self._site_met = w, (tuple(str(s) for s in ds["site"].values), met)
        return w

    def clear_weather(self) -> None:
        """Forecast without weather-forecast fields again."""
        with self._lock:
            self._weather, self._site_met = None, None

    def _weather_at(self, ds: xr.Dataset) -> xr.Dataset | None:
        """The loaded weather at the sites of ``ds`` (read again when the forecast cities changed)."""
        with self._lock:
            w, cached = self._weather, self._site_met
        if w is None:
            return None
        sites = tuple(str(s) for s in ds["site"].values)
        if cached is not None and cached[0] == sites:
            return cached[1]
        from console.forecast_io import site_weather

        met, _ = site_weather(w.path, ds, w.utc)
        with self._lock:
            if self._weather is w:
                self._site_met = (sites, met)
        return met

    def _training_data(self) -> tuple[xr.Dataset, xr.Dataset | None]:
        if self._given is not None:
            return self._given
        from console.forecast_io import demo_guangxi

        return demo_guangxi()

    def system(self, progress: Progress | None = None) -> ForecastSystem:
        with self._lock:
            if self._system is not None:
                return self._system
            if self._model_path is not None:
                if not self._model_path.is_file():
                    raise ValueError(f"{self._model_path}: forecast model not found ({MODEL_ENV})")
                self._system = ForecastSystem.load(self._model_path)
                self.model_source = str(self._model_path)
                return self._system
            shipped = importlib.resources.files("resources.forecast").joinpath(SHIPPED)
            if shipped.is_file():
                self._system = ForecastSystem.load(shipped.read_bytes())
                self.model_source = f"resources/forecast/{SHIPPED}"
                return self._system
            ds, nb = self._training_data()
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
                                                evening_cfg=evening_config(d),
                                                progress=(lambda f, m: progress(0.8 * f, f"training: {m}"))
                                                if progress else None)
            self._system.save(cached)
            self.model_source = f"trained on first use, cached in {cached}"
            return self._system

    def observed_range(self) -> tuple[pd.Timestamp, pd.Timestamp]:
        """First and last hour with any observation (a store's day blocks run to 23:00 of the last day)."""
        ds, _ = self.data()
        ok = np.zeros(ds.sizes["time"], bool)
        for v in ds.data_vars:
            ok |= np.isfinite(ds[v].transpose("site", "time").values).any(axis=0)
        t = pd.DatetimeIndex(ds["time"].values)
        return (t[ok][0], t[ok][-1]) if ok.any() else (t[0], t[-1])

    # ---------------------------------------------------------------- forecasts
    def issue(self, clock, progress: Progress | None = None) -> IssuedForecast:
        """Forecast issued at ``clock`` (floored to the hour) from data up to it."""
        system = self.system(progress)
        ds, nb = self.data()
        t = pd.Timestamp(clock).floor("h")
        t0, t1 = self.observed_range()
        if t < t0 + pd.Timedelta(days=2) or t > t1 + pd.Timedelta(days=1):
            raise ValueError(f"clock {t:%Y-%m-%d %H:%M} is outside the data ({t0:%Y-%m-%d} … {t1:%Y-%m-%d})")
        weather = self._weather
        fmet = self._weather_at(ds) if weather is not None and weather.used else None
        fc = system.forecast(ds, t, neighbours=nb, future_met=fmet, prior=default_prior(),
                             progress=(lambda f, m: progress(0.8 + 0.2 * f, m)) if progress else None)
        fc.info["model_source"] = self.model_source
        if fmet is not None:
            fc.info["inputs"]["weather_file"] = weather.path.name
        if weather is not None and not weather.used:
            fc.info["inputs"]["weather_not_used"] = weather.path.name   # loaded, but the model has no weather input
        fc.info["inputs"]["data_source"] = self.data_source
        fc.info["inputs"]["not_forecast"] = list(self.not_forecast)
        obs = ds.sel(time=slice(t - pd.Timedelta(days=7), t))
        return IssuedForecast(*_relabel(fc, obs, self._labels))
