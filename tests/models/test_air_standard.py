"""GB 3095: limits by date, daily validity (>= 20 h), MDA8 windows, exceedances."""
import numpy as np
import pandas as pd
import xarray as xr

from models import air_standard as A


def hourly(values, start="2019-01-01T01:00", var="PM2.5"):
    values = np.asarray(values, float)[None, :]
    times = pd.date_range(start, periods=values.shape[1], freq="h")
    return xr.Dataset({var: (("site", "time"), values)}, coords={"site": ["s"], "time": times})


def test_limits_switch_by_date_and_grade():
    assert A.limits_for("2019-06-01").limit("PM2.5", "24h") == 75
    assert A.limits_for("2026-03-01").limit("PM2.5", "24h") == 60
    assert A.limits_for("2031-01-01").limit("PM2.5", "24h") == 50
    assert A.limits_for("2031-01-01").limit("PM2.5", "24h", grade=1) == 25
    assert A.limits_for("2020-01-01").limit("O3", "8h") == 160


def test_daily_mean_needs_20_hours_and_uses_natural_day():
    # hour-ending labels 01:00 … 24:00 (next day 00:00) form one natural day
    v = np.arange(1, 25, dtype=float)
    d = A.daily_statistics(hourly(v, "2019-01-01T01:00"))
    assert d.sizes["time"] == 1 and pd.Timestamp(d["time"].values[0]) == pd.Timestamp("2019-01-01")
    assert d["PM2.5_24h"].values[0, 0] == v.mean()
    v[:5] = np.nan  # 19 valid hours → invalid, flagged, never averaged
    d = A.daily_statistics(hourly(v, "2019-01-01T01:00"))
    assert np.isnan(d["PM2.5_24h"].values[0, 0]) and not bool(d["valid_PM2.5"].values[0, 0])
    assert int(d["n_PM2.5"].values[0, 0]) == 19
    v[0] = 1.0  # 20 valid → valid
    d = A.daily_statistics(hourly(v, "2019-01-01T01:00"))
    assert bool(d["valid_PM2.5"].values[0, 0])


def test_label_date_convention_groups_00_to_23():
    v = np.arange(48, dtype=float)
    d = A.daily_statistics(hourly(v, "2019-01-01T00:00"), convention="label-date")
    assert d["PM2.5_24h"].values[0].tolist() == [np.mean(v[:24]), np.mean(v[24:])]


def test_mda8_windows_end_08_to_24_and_need_6_of_8():
    o3 = np.full(48, 50.0)
    o3[10:14] = 300.0   # labels 11..14 of day 1 → raises windows ending 11..21
    d = A.daily_statistics(hourly(o3, "2019-07-01T01:00", var="O3"))
    assert d["O3_8h"].values[0, 0] == (4 * 300 + 4 * 50) / 8
    assert int(d["n_O3_8h"].values[0, 0]) == 17
    assert d["O3"].values[0, 0] == 300.0
    # an early-morning peak (labels 01..04) only reaches windows ending before 08:00 partially
    o3 = np.full(24, 50.0)
    o3[:4] = 400.0
    d = A.daily_statistics(hourly(o3, "2019-07-01T01:00", var="O3"))
    assert d["O3_8h"].values[0, 0] == (4 * 400 + 4 * 50) / 8  # window ending 08:00 holds labels 01..08
    # too many gaps → windows invalid → day invalid unless the max exceeds the limit
    o3 = np.full(24, 50.0)
    o3[::2] = np.nan
    d = A.daily_statistics(hourly(o3, "2019-07-01T01:00", var="O3"))
    assert np.isnan(d["O3_8h"].values[0, 0]) and not bool(d["valid_O3_8h"].values[0, 0])


def test_exceedances_use_limits_in_force():
    days = pd.to_datetime(["2019-01-01", "2026-06-01"])
    daily = xr.Dataset({"PM2.5_24h": (("site", "time"), [[70.0, 70.0]])}, coords={"site": ["s"], "time": days})
    ex = A.exceedances(daily)
    assert ex["PM2.5"].values[0].tolist() == [False, True]
