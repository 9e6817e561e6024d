"""Forecast system: issue at a clock time from data up to it; daily outlook; meteorology fields."""
import numpy as np
import pandas as pd
import xarray as xr

from forecasting.daily import daily_statistics, natural_day


def test_forecast_uses_only_data_up_to_issue(demo_system):
    system, gx, nb = demo_system
    t = pd.Timestamp("2019-01-10 15:00")
    a = system.forecast(gx, t, neighbours=nb, n_levels=9)
    later = gx.copy(deep=True)
    for v in later.data_vars:
        later[v].loc[dict(time=slice(t + pd.Timedelta(hours=1), None))] = 999.0
    b = system.forecast(later, t, neighbours=nb, n_levels=9)
    np.testing.assert_allclose(a.hourly["PM2.5"].values, b.hourly["PM2.5"].values)
    assert a.info["inputs"]["observations_until"] == str(t)
    q = a.hourly["PM2.5"].values
    assert np.all(np.diff(q, axis=-1) >= -1e-9)                     # quantiles ordered
    assert a.hourly["valid_time"].values[0] == np.datetime64(t + pd.Timedelta(hours=1))
    d = a.daily
    assert set(d["lead_days"]) == {1, 2, 3}
    assert np.allclose(d[[f"p_level{c}" for c in range(1, 7)]].sum(axis=1), 1.0)
    assert d["date"].min() == pd.Timestamp("2019-01-11").date()
    assert d["level"].between(1, 6).all()


def test_natural_day_and_daily_statistics():
    t = pd.date_range("2021-01-01 01:00", periods=48, freq="h")
    assert natural_day(t)[23] == pd.Timestamp("2021-01-01")          # label 2021-01-02 00:00 closes day 1
    vals = np.r_[np.full(24, 10.0), np.full(24, 30.0)]
    ds = xr.Dataset({"PM2.5": (("site", "time"), vals[None]), "O3": (("site", "time"), vals[None])},
                    coords={"site": ["x"], "time": t})
    st = daily_statistics(ds)
    assert list(st["PM2.5_24h"].values[0][:2]) == [10.0, 30.0]
    assert st["O3_8h"].values[0][1] == 30.0


def test_meteorology_from_gridded_fields():
    from forecasting.meteorology import site_meteorology

    vt = pd.date_range("2019-01-10 00:00", periods=5, freq="3h")
    lat, lon = np.array([22.0, 23.0]), np.array([108.0, 109.0])
    shp = (5, 2, 2)
    f = xr.Dataset({"t2m": (("time", "latitude", "longitude"), np.full(shp, 288.15), {"units": "K"}),
                    "d2m": (("time", "latitude", "longitude"), np.full(shp, 283.15), {"units": "K"}),
                    "sp": (("time", "latitude", "longitude"), np.full(shp, 101000.0), {"units": "Pa"}),
                    "u10": (("time", "latitude", "longitude"), np.full(shp, 3.0)),
                    "v10": (("time", "latitude", "longitude"), np.full(shp, 0.0)),
                    "tp": (("time", "latitude", "longitude"), np.full(shp, 0.003), {"units": "m"})},
                   coords={"time": vt, "latitude": lat, "longitude": lon})
    m = site_meteorology(f, ["南宁", "柳州"], lon=[108.3, 109.1], lat=[22.8, 23.2])
    assert m.sizes["time"] == 13                                           # 3-hourly → hourly
    assert np.allclose(m["TEMP"], 15.0) and np.allclose(m["PRES"], 1010.0)
    assert np.allclose(m["WS"], 3.0) and np.allclose(m["WD"], 270.0)       # westerly: from the west
    assert np.allclose(m["RAIN"].values[:, 1:], 1.0)                       # 3 mm per 3 h step
