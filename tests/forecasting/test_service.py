"""The console's forecast service forecasts from the store's city data (demo, ingested, live-fed hours)."""
import numpy as np
import pandas as pd
import pytest
import xarray as xr


@pytest.fixture(scope="module")
def store_cities(demo_store):
    """The demo's city observations as the store returns them: site = adcode, name_zh = 南宁市 …"""
    from console.store.repository import Repository

    return Repository(demo_store).load(kind="city")


def test_store_data_give_the_same_forecast_as_the_demo_files(demo_system, store_cities):
    from console.forecast_service import ForecastService

    system, gx, nb = demo_system
    files = ForecastService(gx, nb, system=system).issue("2019-01-25 16:00").forecast
    svc = ForecastService(system=system)
    svc.use_city_data(store_cities, source="store")
    res = svc.issue("2019-01-25 16:00")
    fc = res.forecast
    assert sorted(fc.hourly["site"].values) == sorted(files.hourly["site"].values)   # adcodes → model names
    a = files.hourly["PM2.5"].values
    b = fc.hourly["PM2.5"].sel(site=files.hourly["site"]).values
    np.testing.assert_allclose(a, b)
    assert fc.info["inputs"]["data_source"] == "store" and fc.info["inputs"]["not_forecast"] == []
    assert len(fc.info["inputs"]["neighbours_with_data"]) == len(nb["site"]) == 21


def test_new_hours_unknown_cities_and_missing_upwind_data_are_said(demo_system, store_cities):
    """Hours after the demo (a live feed): forecast from them; the neighbours' demo file does not cover them,
    so the forecast says it has no upwind data; a city the model was not trained for is named, not forecast."""
    from console.forecast_service import ForecastService

    system, _, _ = demo_system
    later = store_cities.assign_coords(time=store_cities["time"].values + np.timedelta64(365, "D"))
    extra = later.isel(site=[0]).assign_coords(site=["999999"], name_zh=("site", ["外地市"]))
    city = xr.concat([later, extra], dim="site")
    svc = ForecastService(system=system)
    svc.use_city_data(city)
    issue = pd.Timestamp(later["time"].values[-1])
    fc = svc.issue(issue).forecast
    assert fc.issue_time == issue and len(fc.hourly["site"]) == 14
    assert np.isfinite(fc.hourly["PM2.5"].values).all()
    assert fc.info["inputs"]["not_forecast"] == ["外地市"]
    assert fc.info["inputs"]["neighbours_with_data"] == [] and len(fc.info["inputs"]["neighbours"]) == 21


def test_a_model_for_other_cities_says_so(demo_system, store_cities):
    from console.forecast_service import ForecastService

    system, _, _ = demo_system
    other = store_cities.assign_coords(site=[f"99{i:04d}" for i in range(14)],
                                       name_zh=("site", [f"外地{i}市" for i in range(14)]))
    svc = ForecastService(system=system)
    svc.use_city_data(other)
    with pytest.raises(ValueError, match="knows none of the loaded cities.*lantian forecast train"):
        svc.issue("2019-01-25 16:00")


def test_model_named_in_the_environment(monkeypatch, tmp_path):
    from console.forecast_service import MODEL_ENV, ForecastService

    monkeypatch.setenv(MODEL_ENV, str(tmp_path / "missing.zip"))
    with pytest.raises(ValueError, match=f"missing.zip: forecast model not found \\({MODEL_ENV}\\)"):
        ForecastService().system()


def test_a_model_trained_on_adcodes_shows_city_names(store_cities):
    """`lantian forecast train` on national city files names sites by adcode; the console shows 南宁, and the
    forecast keys the same cities as the shipped model does (the panel and the briefings rely on it)."""
    from console.forecast_service import ForecastService
    from forecasting.models import TrainConfig
    from forecasting.system import ForecastSystem

    train = store_cities[["PM2.5", "PM10"]].drop_vars([c for c in store_cities.coords if c not in ("site", "time")])
    cfg = TrainConfig(max_iter=15, learning_rate=0.3, max_leaf_nodes=7, horizons_per_row=2, max_rows=5_000,
                      spread_max_iter=10, spread_max_rows=3_000)
    dcfg = TrainConfig(max_iter=15, learning_rate=0.3, max_leaf_nodes=7, issue_hours=(23,), spread_max_iter=10)
    system = ForecastSystem.train(train, "2019-01-20", targets=["PM2.5"], met="none", hourly_cfg=cfg, daily_cfg=dcfg)
    assert system.info["sites"][0] == "450100"
    svc = ForecastService(system=system)
    svc.use_city_data(store_cities)
    res = svc.issue("2019-01-25 16:00")
    names = sorted(str(s) for s in res.forecast.hourly["site"].values)
    assert "南宁" in names and "柳州" in names and len(names) == 14
    assert set(res.forecast.daily["site"]) == set(names) and set(map(str, res.observed["site"].values)) == set(names)
