"""Episode detection and merging (models.episodes)."""
import numpy as np
import pandas as pd
import pytest
import xarray as xr

from models import episodes as E


def daily(values: dict[str, list[float]], start="2019-01-01") -> xr.DataArray:
    sites = list(values)
    n = len(next(iter(values.values())))
    return xr.DataArray(np.array([values[s] for s in sites], float), dims=("site", "time"),
                        coords={"site": sites, "time": pd.date_range(start, periods=n, freq="D")})


def test_rules_file_is_versioned_and_default_loads():
    r = E.load_rules()
    assert r.name == "guangxi-default" and r.version.startswith("2026.11-1:")
    assert r.daily_aqi_gt == 100 and r.regional_min_cities == 3
    with pytest.raises(KeyError, match="unknown episode rule set"):
        E.load_rules("nope")


def test_city_episode_start_peak_end_and_merge_of_short_gap():
    d = daily({"A": [50, 120, 180, 90, 130, 60, 40, 40, 110, 50]})
    rule = E.EpisodeRule("t", "t/1", daily_aqi_gt=100, hourly_aqi_gt=None, merge_gap_days=1, regional_min_cities=2)
    eps = E.detect(d, rule)
    city = [e for e in eps if e.kind == "city"]
    # days 1-4 merge across the one clean day 3; day 8 is separate (gap of 3 clean days)
    assert [(e.start.day, e.end.day, e.days, e.episode_days) for e in city] == [(2, 5, 4, 3), (9, 9, 1, 1)]
    assert city[0].peak_aqi == 180 and city[0].peak_time == pd.Timestamp("2019-01-03")
    assert city[0].rule_version == "t/1"
    no_merge = E.detect(d, E.EpisodeRule("t", "t/1", 100, None, merge_gap_days=0, regional_min_cities=2))
    assert len([e for e in no_merge if e.kind == "city"]) == 3


def test_hourly_criterion_and_peak_hour():
    d = daily({"A": [80, 90]})
    t = pd.date_range("2019-01-01 01:00", periods=48, freq="h")
    h = np.full(48, 60.0)
    h[30:37] = 170  # 7 hours > 150 on 2019-01-02 (labels 07:00..13:00)
    h[33] = 190
    hourly = xr.DataArray(h[None, :], dims=("site", "time"), coords={"site": ["A"], "time": t})
    rule = E.EpisodeRule("t", "t/1", daily_aqi_gt=100, hourly_aqi_gt=150, hourly_min_hours=6)
    eps = E.detect(d, rule, hourly_aqi=hourly)
    assert len(eps) == 1 and eps[0].start == pd.Timestamp("2019-01-02")
    assert eps[0].peak_time == t[33]
    rule7 = E.EpisodeRule("t", "t/1", daily_aqi_gt=100, hourly_aqi_gt=150, hourly_min_hours=8)
    assert E.detect(d, rule7, hourly_aqi=hourly) == []


def test_regional_episode_needs_k_cities_and_lists_primary_pollutants():
    d = daily({"A": [50, 120, 130, 50], "B": [50, 50, 140, 120], "C": [50, 50, 110, 50]})
    prim = xr.DataArray(np.array([["", "PM2.5", "PM2.5", ""], ["", "", "PM10", "PM10"], ["", "", "O3", ""]], dtype=object),
                        dims=d.dims, coords=d.coords)
    rule = E.EpisodeRule("t", "t/1", 100, None, merge_gap_days=0, regional_min_cities=3)
    eps = E.detect(d, rule, primary=prim)
    reg = [e for e in eps if e.kind == "regional"]
    assert len(reg) == 1 and reg[0].start == reg[0].end == pd.Timestamp("2019-01-03")
    assert set(reg[0].cities) == {"A", "B", "C"} and reg[0].peak_aqi == 140
    assert set(reg[0].primary_pollutants) == {"PM2.5", "PM10", "O3"}
    assert [e.primary_pollutants for e in eps if e.kind == "city" and e.cities == ["A"]] == [["PM2.5"]]
    assert E.to_frame(eps).shape[0] == len(eps)
    assert reg[0].to_dict()["duration_hours"] == 24
