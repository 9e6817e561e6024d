"""The console's data snapshot: the city hourly series and their AQI, computed once and indexed by hour.

No Qt here: a worker thread builds a :class:`ConsoleData` (``load_console_data``) and the GUI thread
only indexes into its numpy arrays, so a replay tick never touches the database.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable

import numpy as np
import pandas as pd
import xarray as xr

from models.aqi import POLLUTANTS, hourly_aqi, primary_labels

Progress = Callable[[int, str], None]
VARIABLES = ("AQI",) + POLLUTANTS  # what the panels can show


class Cancelled(Exception):
    """Raised inside a worker when the user cancelled."""


@dataclass
class ConsoleData:
    """City-level hourly data and AQI for the whole period in the store (site × time numpy arrays)."""

    codes: list[str]
    names_zh: list[str]
    names_en: list[str]
    times: np.ndarray  # datetime64[ns], regular hourly, hour-ending Beijing time
    conc: dict[str, np.ndarray]  # pollutant → (site, time)
    aqi: np.ndarray  # (site, time) float, NaN when not computable
    level: np.ndarray  # (site, time) int8 0..6
    primary: np.ndarray  # (site, time) object: "PM2.5,PM10" or ""
    rule_version: np.ndarray  # (time,) str
    standard: str
    convention: str
    stations: pd.DataFrame = field(default_factory=pd.DataFrame)
    db_url: str = ""
    opening: pd.Timestamp | None = None  # the demo's opening hour (worst real episode)
    lon: np.ndarray | None = None  # (site,) city centre longitude (NaN unknown); None when the store gave none
    lat: np.ndarray | None = None

    @property
    def n_time(self) -> int:
        return int(self.times.size)

    def site_index(self, code: str | None) -> int | None:
        """Row of a city code (or None)."""
        try:
            return self.codes.index(code) if code is not None else None
        except ValueError:
            return None

    def time_index(self, when) -> int:
        """Index of the hour nearest to ``when`` (clamped to the period)."""
        t = np.datetime64(pd.Timestamp(when).to_datetime64(), "ns")
        i = int(np.searchsorted(self.times, t))
        return max(0, min(self.n_time - 1, i))

    def time_at(self, i: int) -> pd.Timestamp:
        return pd.Timestamp(self.times[i])

    def series(self, variable: str, row: int) -> np.ndarray:
        """Hourly values of ``variable`` ('AQI' or a pollutant) for one city."""
        return self.aqi[row] if variable == "AQI" else self.conc[variable][row]

    def latest_index(self) -> int:
        """Last hour with any AQI value (the 'live' hour)."""
        ok = np.where(np.isfinite(self.aqi).any(axis=0))[0]
        return int(ok[-1]) if ok.size else self.n_time - 1

    def name(self, row: int, language: str) -> str:
        return self.names_zh[row] if language == "zh" else (self.names_en[row] or self.names_zh[row])

    def city_dataset(self) -> xr.Dataset:
        """The city concentrations as a Dataset (site = adcode, ``name_zh`` coordinate): what the forecast
        service reads, so forecasts are issued from exactly the data the console shows."""
        coords = {"site": list(self.codes), "time": self.times, "name_zh": ("site", list(self.names_zh))}
        if self.lon is not None and self.lat is not None:   # where a weather forecast's grid points are picked
            coords.update(lon=("site", self.lon), lat=("site", self.lat))
        return xr.Dataset({p: (("site", "time"), a) for p, a in self.conc.items()}, coords=coords)

    def city_of_station(self, code: str) -> str | None:
        """City adcode of a station code (None if unknown)."""
        if self.stations.empty:
            return None
        hit = self.stations[self.stations["code"] == code]
        return None if hit.empty else str(hit.iloc[0]["city_code"])


def compute_aqi(ds: xr.Dataset, standard: str, convention: str) -> xr.Dataset:
    """AQI of the stored series through the core (models.aqi) — the only AQI computation in the console."""
    keep = [v for v in ds.data_vars if v != "AQI"]
    return hourly_aqi(ds[keep], standard=standard, convention=convention)


def build_data(ds: xr.Dataset, result: xr.Dataset, stations: pd.DataFrame, standard: str, convention: str,
               db_url: str = "") -> ConsoleData:
    """Assemble the numpy snapshot from a city dataset and its hourly AQI result."""
    result = result.reindex(site=ds["site"].values, time=result["time"].values)
    ds = ds.reindex(time=result["time"].values)
    conc = {p: (ds[p].values.astype(float) if p in ds else np.full(result["aqi"].shape, np.nan)) for p in POLLUTANTS}
    return ConsoleData(
        codes=[str(c) for c in ds["site"].values],
        names_zh=[str(x) for x in ds["name_zh"].values],
        names_en=[str(x) if x is not None else "" for x in ds["name_en"].values],
        times=result["time"].values.astype("datetime64[ns]"),
        conc=conc,
        aqi=result["aqi"].values.astype(float),
        level=result["level"].values.astype(np.int8),
        primary=primary_labels(result["primary_mask"].values),
        rule_version=result["rule_version"].values.astype(str),
        standard=standard, convention=convention, stations=stations, db_url=db_url,
        lon=ds["lon"].values.astype(float) if "lon" in ds.coords else None,
        lat=ds["lat"].values.astype(float) if "lat" in ds.coords else None)


class _Loaded:
    """Stands in for a Repository whose ``load`` returns a dataset already read (saves a second DB read)."""

    def __init__(self, ds: xr.Dataset):
        self.ds = ds

    def load(self, sites=None, variables=None, start=None, end=None, kind=None, flags=False) -> xr.Dataset:
        return self.ds


class Preload:
    """Open the store and load the console data in a plain thread, started before Qt is even imported.

    The GUI thread meanwhile imports Qt/pyqtgraph and builds the window; a worker Task then waits for
    :meth:`result`.  This overlaps the database work with the start-up imports.
    """

    def __init__(self, url: str | None, standard: str = "auto", convention: str = "standard"):
        import threading

        self.url, self.standard, self.convention = url, standard, convention
        self.store = None
        self.data: ConsoleData | None = None
        self.error: BaseException | None = None
        self.progress: tuple[int, str] = (0, "")
        self._cancel = threading.Event()
        self._thread = threading.Thread(target=self._run, name="lantian-preload", daemon=True)
        self._thread.start()

    def _run(self) -> None:
        try:
            from console.store.db import Store

            self.store = Store(self.url)
            self.data = load_console_data(self.store, self.standard, self.convention,
                                          progress=lambda p, t: setattr(self, "progress", (p, t)),
                                          cancelled=self._cancel.is_set)
        except BaseException as exc:  # noqa: BLE001 - handed to the GUI as a readable message
            self.error = exc

    def cancel(self) -> None:
        self._cancel.set()

    def result(self, progress: Progress | None = None, cancelled: Callable[[], bool] = lambda: False) -> ConsoleData:
        """Wait for the data (re-raising the loader's error); honours ``cancelled``."""
        last = None
        while self._thread.is_alive():
            self._thread.join(0.05)
            if cancelled():
                self.cancel()
                raise Cancelled()
            if progress and self.progress != last:
                last = self.progress
                progress(*last)
        if self.error is not None:
            raise self.error
        return self.data


def load_console_data(store, standard: str = "auto", convention: str = "standard", *,
                      ensure_demo: bool = True, progress: Progress | None = None,
                      cancelled: Callable[[], bool] = lambda: False) -> ConsoleData:
    """Open the demo (first start) and load city data + AQI; raises :class:`Cancelled` when asked to stop."""
    from console import demo
    from console.store.repository import Repository

    def step(pct: int, msg: str) -> None:
        if cancelled():
            raise Cancelled()
        if progress:
            progress(pct, msg)

    repo = Repository(store)
    if ensure_demo:
        step(5, "demo")
        demo.ensure_demo(store)
    step(40, "load")
    ds = repo.load(kind="city")
    if ds.sizes.get("site", 0) == 0 or ds.sizes.get("time", 0) == 0:
        from console.errors import LantianError

        raise LantianError(f"the database {store.display_url} holds no city data; load some with `lantian ingest`")
    step(70, "aqi")
    result = compute_aqi(ds, standard, convention)
    step(85, "episode")
    opening = demo.worst_episode_hour(_Loaded(ds))  # the core's rule, on the data already in memory
    step(90, "stations")
    try:
        stations = repo.sites("station")
    except Exception:  # noqa: BLE001 - stations are optional decoration
        stations = pd.DataFrame()
    step(100, "done")
    data = build_data(ds, result, stations, standard, convention, store.display_url)
    data.opening = opening
    return data
