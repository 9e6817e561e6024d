"""HJ 633-2012 and HJ 633-2026 AQI: breakpoints, special rules, rounding, missing data, primary pollutants."""
import numpy as np
import pandas as pd
import xarray as xr

from models import aqi


def one_hour(t="2019-01-10T08:00", **conc) -> xr.Dataset:
    """A 1-site dataset whose last hour carries ``conc`` (24 h of history so moving means exist)."""
    times = pd.date_range(end=pd.Timestamp(t), periods=24, freq="h")
    data = {}
    for k, v in conc.items():
        data[k] = (("site", "time"), np.full((1, 24), float(v)))
    return xr.Dataset(data, coords={"site": ["s"], "time": times})


def last(res, var):
    return float(res[var].isel(site=0, time=-1))


def test_iaqi_interpolation_and_ceiling_2012():
    # PM2.5 24-h 80 → 100 + (80-75)/(115-75)*50 = 106.25 → 107 (全部进位取整)
    r = aqi.hourly_aqi(one_hour(**{"PM2.5": 80, "PM10": 10, "SO2": 5, "NO2": 5, "CO": 0.5, "O3": 20}), "hj633-2012")
    assert last(r, "iaqi_PM2.5") == 107
    assert last(r, "aqi") == 107
    assert aqi.primary_names(int(r["primary_mask"].isel(site=0, time=-1))) == ["PM2.5"]
    assert int(r["level"].isel(site=0, time=-1)) == 3


def test_breakpoint_values_are_exact_not_rounded_up():
    # exactly on a breakpoint must not become 101 through floating-point noise
    r = aqi.hourly_aqi(one_hour(**{"PM2.5": 75, "PM10": 150}), "hj633-2012")
    assert last(r, "iaqi_PM2.5") == 100 and last(r, "iaqi_PM10") == 100


def test_2026_pm_tightened_worked_example():
    # standards.md worked example: PM2.5 = 75 → 113.6 → 114 under HJ 633-2026 (100 under 2012)
    ds = one_hour("2026-05-01T10:00", **{"PM2.5": 75})
    assert last(aqi.hourly_aqi(ds, "hj633-2026"), "iaqi_PM2.5") == 114
    assert last(aqi.hourly_aqi(ds, "auto"), "iaqi_PM2.5") == 114
    old = one_hour("2019-05-01T10:00", **{"PM2.5": 75})
    assert last(aqi.hourly_aqi(old, "auto"), "iaqi_PM2.5") == 100


def test_auto_switches_on_2026_03_01_within_one_series():
    times = pd.date_range("2026-02-28T20:00", periods=10, freq="h")
    ds = xr.Dataset({"PM2.5": (("site", "time"), np.full((1, 10), 75.0)),
                     "PM2.5_24h": (("site", "time"), np.full((1, 10), 75.0))},
                    coords={"site": ["s"], "time": times})
    r = aqi.hourly_aqi(ds)
    versions = list(r["rule_version"].values)
    assert versions[:4] == ["hj633-2012"] * 4 and versions[4:] == ["hj633-2026"] * 6
    assert r["iaqi_PM2.5"].values[0, 0] == 100 and r["iaqi_PM2.5"].values[0, -1] == 114


def test_so2_1h_above_800_special_rules():
    # 2012: fall back to the 24-h IAQI; 2026: IAQI = 200
    ds = one_hour(**{"SO2": 900, "SO2_24h": 100})
    r12 = aqi.hourly_aqi(ds, "hj633-2012")
    assert last(r12, "iaqi_SO2") == 50 + np.ceil((100 - 50) / 100 * 50)  # 24-h 100 → 75
    r26 = aqi.hourly_aqi(ds, "hj633-2026")
    assert last(r26, "iaqi_SO2") == 200


def test_o3_8h_above_800_special_rules():
    # daily report: O3 8-h > 800 → 2012 uses the 1-h IAQI; 2026 sets 300
    daily = xr.Dataset({"O3_8h": (("site", "time"), [[850.0]]), "O3": (("site", "time"), [[1000.0]])},
                       coords={"site": ["s"], "time": pd.to_datetime(["2019-07-01"])})
    assert float(aqi.daily_aqi(daily, "hj633-2012")["iaqi_O3"][0, 0]) == 400
    assert float(aqi.daily_aqi(daily, "hj633-2026")["iaqi_O3"][0, 0]) == 300


def test_2026_pre_rounding_half_even_and_co_one_decimal():
    # PM2.5 60.5 → 60 (half-even) → IAQI 100; unrounded it would be 101
    r = aqi.hourly_aqi(one_hour("2026-06-01T10:00", **{"PM2.5": 60.5}), "hj633-2026")
    assert last(r, "iaqi_PM2.5") == 100
    # CO 4.04 mg/m3 1-h → 4.0 → IAQI 40 (5→50: 4.0/5*50 = 40)
    r = aqi.hourly_aqi(one_hour("2026-06-01T10:00", CO=4.04), "hj633-2026")
    assert last(r, "iaqi_CO") == 40
    assert aqi.round_half_even(np.array([2.5, 3.5, 0.25]), 0).tolist() == [2.0, 4.0, 0.0]
    assert aqi.round_half_even(np.array([0.25, 0.35]), 1).tolist() == [0.2, 0.4]


def test_primary_pollutant_ties_and_threshold():
    # PM2.5 24-h 75 and PM10 24-h 150 both → 100: both primary
    r = aqi.hourly_aqi(one_hour(**{"PM2.5": 75, "PM10": 150, "NO2": 10}), "hj633-2012")
    assert aqi.primary_names(int(r["primary_mask"].isel(site=0, time=-1))) == ["PM10", "PM2.5"]
    # AQI <= 50: no primary pollutant
    r = aqi.hourly_aqi(one_hour(**{"PM2.5": 20, "NO2": 10}), "hj633-2012")
    assert int(r["primary_mask"].isel(site=0, time=-1)) == 0


def test_2026_na_rule_with_missing_pollutant():
    # a pollutant missing and AQI <= 100 → AQI not published ("NA"); AQI > 100 → published
    low = aqi.hourly_aqi(one_hour("2026-06-01T10:00", **{"PM2.5": 40, "PM10": 50, "SO2": 5, "NO2": 10, "CO": 0.5}),
                         "hj633-2026")
    assert not bool(low["publishable"].isel(site=0, time=-1))
    frame = aqi.to_frame(low.isel(time=[-1]))
    assert frame["level"].iloc[0] == "NA" and np.isnan(frame["aqi"].iloc[0])
    high = aqi.hourly_aqi(one_hour("2026-06-01T10:00", **{"PM2.5": 90, "PM10": 50}), "hj633-2026")
    assert bool(high["publishable"].isel(site=0, time=-1))
    # 2012 keeps publishing from the available pollutants
    r12 = aqi.hourly_aqi(one_hour(**{"PM2.5": 40, "PM10": 50}), "hj633-2012")
    assert bool(r12["publishable"].isel(site=0, time=-1))


def test_aqi_range_2026_starts_at_1_and_caps_at_500():
    r = aqi.hourly_aqi(one_hour("2026-06-01T10:00", **{"PM2.5": 0, "PM10": 0, "SO2": 0, "NO2": 0, "CO": 0, "O3": 0}),
                       "hj633-2026")
    assert last(r, "aqi") == 1
    r = aqi.hourly_aqi(one_hour(**{"PM2.5": 900}), "hj633-2012")
    assert last(r, "aqi") == 500 and int(r["level"].isel(site=0, time=-1)) == 6


def test_levels_colours_and_advice_tables():
    lv = aqi.levels()
    assert [x.category_zh for x in lv] == ["优", "良", "轻度污染", "中度污染", "重度污染", "严重污染"]
    assert aqi.level_colours() == ["#00E400", "#FFFF00", "#FF7E00", "#FF0000", "#99004C", "#7E0023"]
    assert "青少年儿童" in lv[2].advice["2026"] and "儿童" in lv[2].advice["2012"]
    assert aqi.aqi_level(np.array([0, 50, 51, 100, 101, 150, 151, 200, 201, 300, 301, np.nan])).tolist() == \
        [1, 1, 2, 2, 3, 3, 4, 4, 5, 5, 6, 0]
    assert "哮喘" in aqi.sensitive_groups(["SO2"])["SO2"]


def test_moving_means_need_enough_hours():
    times = pd.date_range("2019-01-01", periods=30, freq="h")
    v = np.full((1, 30), 50.0)
    v[0, 5:15] = np.nan  # 10 missing hours: windows with < 20 valid hours stay missing
    ds = xr.Dataset({"PM2.5": (("site", "time"), v)}, coords={"site": ["s"], "time": times})
    out = aqi.add_moving_means(ds)
    assert np.isnan(out["PM2.5_24h"].values[0, 23])
    assert out["PM2.5_24h"].values[0, 29] == 50.0 or np.isnan(out["PM2.5_24h"].values[0, 29])


def test_published_convention_matches_the_national_platform_on_shipped_demo():
    """The published AQI in the demo file is reproduced exactly by convention='published'."""
    from console.demo import demo_file
    from console.ingest import read_file

    ds = read_file(demo_file("guangxi_city_hourly.csv.gz")).dataset
    pub = ds["AQI"]
    conc = ds[["SO2", "NO2", "PM10", "PM2.5", "CO", "O3", "PM10_24h", "PM2.5_24h", "SO2_24h", "O3_8h"]]
    r = aqi.hourly_aqi(conc, "hj633-2012", "published")["aqi"].reindex_like(pub)
    both = pub.notnull() & r.notnull()
    assert int(both.sum()) > 68000
    assert float((r == pub).where(both).sum() / both.sum()) == 1.0
    assert int((pub.notnull() ^ r.notnull()).sum()) == 0
    # the standard's text differs from the published numbers for most hours
    s = aqi.hourly_aqi(conc, "hj633-2012", "standard")["aqi"].reindex_like(pub)
    assert float((s == pub).where(both).sum() / both.sum()) < 0.2


def test_national_scale_shapes_vectorised():
    rng = np.random.default_rng(0)
    times = pd.date_range("2025-12-01", periods=24 * 120, freq="h")  # spans the 2026 switch
    ds = xr.Dataset({p: (("site", "time"), rng.gamma(2, 20, (50, len(times)))) for p in aqi.POLLUTANTS},
                    coords={"site": [f"s{i}" for i in range(50)], "time": times})
    r = aqi.hourly_aqi(ds)
    assert r["aqi"].shape == (50, len(times))
    assert set(np.unique(r["rule_version"].values)) == {"hj633-2012", "hj633-2026"}
    assert float(r["aqi"].min()) >= 0
