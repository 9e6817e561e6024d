"""The built-in demo: real Guangxi data (resources/demo) loaded into the store at first start."""
from __future__ import annotations

from contextlib import ExitStack
from importlib import resources
from pathlib import Path

import pandas as pd

from console.ingest import read_file
from console.store.db import Store
from console.store.repository import IngestReport, Repository

DEMO_FILES = ("guangxi_stations.csv", "guangxi_city_hourly.csv.gz")
NEIGHBOUR_FILES = ("neighbour_stations.csv", "neighbour_city_hourly.csv.gz")
META_KEY = "demo_loaded"


def demo_file(name: str) -> Path:
    """Filesystem path of a demo resource (package data)."""
    ref = resources.files("resources.demo").joinpath(name)
    with ExitStack() as stack:  # resources in a wheel/zip are extracted; in a checkout this is the file itself
        path = stack.enter_context(resources.as_file(ref))
        stack.pop_all()
    return Path(path)


def load_demo(store: Store, neighbours: bool = False) -> list[IngestReport]:
    """Load the demo files (idempotent: the same bytes are never loaded twice)."""
    repo = Repository(store)
    reports = []
    for name in DEMO_FILES + (NEIGHBOUR_FILES if neighbours else ()):
        reports.append(repo.ingest(read_file(demo_file(name)), source="demo"))
    store.set_meta(META_KEY, "1")
    return reports


def ensure_demo(store: Store) -> bool:
    """Load the demo into an empty store on first start; True if it loaded something now."""
    if store.get_meta(META_KEY):
        return False
    repo = Repository(store)
    if repo.counts()["observation_blocks"]:
        return False
    load_demo(store)
    return True


def worst_episode_hour(repo: Repository) -> pd.Timestamp | None:
    """The hour the demo opens on: peak hour of the day with the highest mean city AQI.

    Uses the published hourly AQI when the store has it, otherwise recomputes AQI from concentrations.
    """
    ds = repo.load(kind="city", variables=None)
    if "AQI" in ds:
        a = ds["AQI"]
    else:
        from models.aqi import hourly_aqi

        a = hourly_aqi(ds[[v for v in ("SO2", "NO2", "CO", "O3", "PM10", "PM2.5") if v in ds]],
                       convention="published")["aqi"]
    if a.size == 0 or bool(a.isnull().all()):
        return None
    regional = a.mean("site")
    daily = regional.resample(time="1D").mean()
    day = pd.Timestamp(daily.idxmax("time").values)
    within = regional.sel(time=slice(day, day + pd.Timedelta(hours=23)))
    return pd.Timestamp(within.idxmax("time").values)
