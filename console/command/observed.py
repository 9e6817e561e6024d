"""Observed city AQI from the store, shaped for the episode and warning models."""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
import xarray as xr

from console.store.repository import Repository
from models.air_standard import daily_statistics
from models.aqi import daily_aqi, hourly_aqi, primary_labels


@dataclass
class ObservedAQI:
    """City hourly AQI (site × hour), daily-report AQI (site × day) and daily primary pollutants."""

    hourly: xr.DataArray
    daily: xr.DataArray
    primary: xr.DataArray
    rule_version: str


def observed_city_aqi(repo: Repository, start=None, end=None, cities=None) -> ObservedAQI:
    """Load city-level series and compute hourly and daily AQI (published hourly AQI when the store has it)."""
    ds = repo.load(kind="city", sites=cities, start=start, end=end)
    if ds.sizes.get("time", 0) == 0 or ds.sizes.get("site", 0) == 0:
        raise ValueError("the store has no city-level observations in this period")
    pol = [v for v in ("SO2", "NO2", "CO", "O3", "PM10", "PM2.5") if v in ds]
    hourly = ds["AQI"] if "AQI" in ds else hourly_aqi(ds[pol], convention="published")["aqi"]
    daily = daily_aqi(daily_statistics(ds[pol]))
    prim = xr.DataArray(primary_labels(np.asarray(daily["primary_mask"].values)), dims=("site", "time"),
                        coords={"site": daily["site"].values, "time": daily["time"].values})
    return ObservedAQI(hourly, daily["aqi"], prim, str(daily.attrs.get("rules", "")))


def city_names(repo: Repository) -> dict[str, str]:
    """{adcode: 中文名}."""
    df = repo.cities()
    return dict(zip(df["code"], df["name_zh"]))


def store_city_names(store) -> dict[str, str]:
    """{adcode: 中文名} of a store's cities (empty when it has none), for notes and alarm texts."""
    try:
        return city_names(Repository(store))
    except (KeyError, ValueError):
        return {}


def latest_city_aqi(repo: Repository, hours: int = 48) -> pd.DataFrame:
    """Newest hourly AQI per city (city, time, aqi) within the last ``hours`` of the store."""
    tr = repo.time_range(kind="city")
    if tr is None:
        return pd.DataFrame(columns=["city", "time", "aqi"])
    ds = repo.load(kind="city", variables=["AQI"], start=tr[1] - pd.Timedelta(hours=hours), end=tr[1])
    rows = []
    for site in ds["site"].values:
        s = ds["AQI"].sel(site=site).dropna("time")
        if s.size:
            rows.append((str(site), pd.Timestamp(s["time"].values[-1]), float(s.values[-1])))
    return pd.DataFrame(rows, columns=["city", "time", "aqi"])
