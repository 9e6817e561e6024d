"""A weather forecast loaded into the console's forecast service (not only `lantian forecast run --met-file`)."""
import numpy as np
import pandas as pd
import pytest

from tests.forecasting.conftest import synthetic, write_gfs_run

ISSUE = "2020-03-01 12:00"
POLLUTANTS = ("PM2.5", "PM10", "SO2", "NO2", "CO", "O3")


@pytest.fixture(scope="module")
def world():
    """Two synthetic cities with meteorology (strong wind clears the air), a perfect-prog model trained on
    them, and the cities as the console holds them: adcodes, Chinese names, centres, pollutants only."""
    from forecasting.models import TrainConfig
    from forecasting.system import ForecastSystem

    ds = synthetic(n_days=75, sites=("甲城", "乙城"))
    cfg = TrainConfig(max_iter=40, learning_rate=0.15, max_leaf_nodes=15, min_samples_leaf=20, horizons_per_row=6,
                      max_rows=20_000, spread_max_iter=20, spread_max_rows=8_000)
    daily = TrainConfig(max_iter=20, issue_hours=(23,), min_samples_leaf=10, spread_max_iter=10,
                        hourly_input_rows=20_000, hourly_input_max_iter=30)
    met_model = ForecastSystem.train(ds, "2020-02-25", targets=["PM2.5"], met="observed", hourly_cfg=cfg,
                                     daily_cfg=daily)
    plain_model = ForecastSystem.train(ds, "2020-02-25", targets=["PM2.5"], met="none", hourly_cfg=cfg,
                                       daily_cfg=daily)
    city = ds[list(POLLUTANTS)].assign_coords(site=["990100", "990200"], name_zh=("site", ["甲城市", "乙城市"]),
                                               lon=("site", [116.40, 116.60]), lat=("site", [39.90, 40.10]))
    return met_model, plain_model, city


def _service(system, city):
    from console.forecast_service import ForecastService

    svc = ForecastService(system=system)
    svc.use_city_data(city, source="console data")
    return svc


def _gfs(tmp_path, name, wind, run="2020-03-01 00:00", last_step=84):
    return write_gfs_run(tmp_path / f"gfs.{name}.t00z.pgrb2", run=run, steps=tuple(range(0, last_step + 1, 3)),
                         constant={"10u": -wind, "10v": 0.0, "2t": 280.0, "2r": 60.0, "sp": 101500.0})


def test_a_loaded_weather_forecast_drives_the_console_forecast(world, tmp_path):
    met_model, _, city = world
    svc = _service(met_model, city)
    assert svc.uses_weather_forecast() and svc.weather is None
    before = svc.issue(ISSUE).forecast
    assert before.info["inputs"]["weather"].startswith("observed meteorology up to the issue time only")
    p50 = {}
    for name, wind in (("calm", 0.3), ("windy", 9.0)):
        w = svc.load_weather(_gfs(tmp_path, name, wind))
        assert w.used and w.valid == (pd.Timestamp("2020-03-01 08:00"), pd.Timestamp("2020-03-04 20:00"))
        assert {"TEMP", "DEWP", "PRES", "WS", "WD"} <= set(w.variables)
        fc = svc.issue(ISSUE).forecast
        inputs = fc.info["inputs"]
        assert inputs["weather_source"] == f"GRIB file gfs.{name}.t00z.pgrb2"
        assert inputs["weather_run"] == "2020-03-01 00:00" and inputs["weather_hours"] == [72, 72]
        assert inputs["weather_valid"] == ["2020-03-01 08:00", "2020-03-04 20:00"]
        assert set(fc.hourly["site"].values) == {"甲城", "乙城"}
        p50[name] = float(fc.hourly["PM2.5"].sel(level=0.5, method="nearest").mean())
    assert p50["windy"] < 0.8 * p50["calm"]
    # a later clock past the end of the run (03-03 13:00 … 03-04 20:00 covered): said plainly
    late = svc.issue("2020-03-03 12:00").forecast.info["inputs"]
    assert late["weather_hours"] == [32, 72] and "the other hours have NO weather input" in late["weather"]
    svc.clear_weather()
    assert svc.weather is None
    assert svc.issue(ISSUE).forecast.info["inputs"]["weather"].startswith("observed meteorology up to")


def test_a_model_without_weather_input_says_the_file_is_not_used(world, tmp_path):
    _, plain_model, city = world
    svc = _service(plain_model, city)
    plain = svc.issue(ISSUE).forecast
    w = svc.load_weather(_gfs(tmp_path, "calm", 0.3))
    assert not w.used
    fc = svc.issue(ISSUE).forecast
    assert fc.info["inputs"]["weather_not_used"] == "gfs.calm.t00z.pgrb2"
    assert fc.info["inputs"]["weather"].startswith("NO weather input")
    np.testing.assert_allclose(fc.hourly["PM2.5"].values, plain.hourly["PM2.5"].values)


def test_bad_weather_files_are_refused_with_the_file_and_reason(world, tmp_path):
    from console.errors import InputError

    met_model, _, city = world
    svc = _service(met_model, city)
    junk = tmp_path / "forecast.nc"
    junk.write_text("not a weather forecast\n")
    with pytest.raises(InputError, match="forecast.nc: cannot open as NetCDF"):
        svc.load_weather(junk)
    with pytest.raises(InputError, match="nothing.grib2: file not found"):
        svc.load_weather(tmp_path / "nothing.grib2")
    nowhere = _service(met_model, city.drop_vars(["lon", "lat"]))
    with pytest.raises(InputError, match=r"sites without coordinates \(甲城, 乙城\).*cities' coordinates"):
        nowhere.load_weather(_gfs(tmp_path, "calm", 0.3))
    assert svc.weather is None and nowhere.weather is None      # nothing half-loaded


def test_the_forecast_panel_loads_and_clears_a_weather_forecast(world, tmp_path, qtbot):
    """As an operator does it: Weather forecast ▸ Load…, the forecast is issued again with the fields and the
    statement line names them; a bad file is refused in the panel; Clear goes back to no weather forecast."""
    pytest.importorskip("pytestqt")
    from ui.panels.forecast_panel import ForecastPanel

    met_model, _, city = world
    panel = ForecastPanel(_service(met_model, city))
    qtbot.addWidget(panel)
    panel.resize(1000, 640)
    panel.show()
    try:
        with qtbot.waitSignal(panel.forecastReady, timeout=60_000):
            panel.set_clock(ISSUE)
        assert "observed meteorology up to the issue time only" in panel.weather.toolTip()
        assert not panel.clear_weather_action.isEnabled()
        with qtbot.waitSignal(panel.forecastReady, timeout=60_000):
            panel.load_weather_file(str(_gfs(tmp_path, "calm", 0.3)))
        said = panel.weather.toolTip()
        assert ("weather forecast gfs.calm.t00z.pgrb2, run 2020-03-01 00:00 UTC: valid 2020-03-01 08:00 … "
                "2020-03-04 20:00 (Beijing time), covering 72 of the 72 forecast hours") in said
        assert panel.weather_file.text() == "weather: gfs.calm.t00z.pgrb2"
        assert "valid 2020-03-01 08:00 … 2020-03-04 20:00" in panel.weather_file.toolTip()
        assert panel.clear_weather_action.isEnabled()
        assert panel.result.forecast.info["inputs"]["weather_file"] == "gfs.calm.t00z.pgrb2"

        junk = tmp_path / "forecast.nc"
        junk.write_text("not a weather forecast\n")
        panel.load_weather_file(str(junk))
        qtbot.waitUntil(lambda: panel._weather_job is None, timeout=30_000)
        assert panel.weather_file.toolTip().startswith("weather forecast not loaded — ")
        assert "forecast.nc: cannot open as NetCDF" in panel.weather_file.toolTip()
        assert "Error" not in panel.weather_file.toolTip()                   # the reason, not an exception name
        assert panel.service.weather.path.name == "gfs.calm.t00z.pgrb2"      # the loaded one stays in use

        with qtbot.waitSignal(panel.forecastReady, timeout=60_000):
            panel.clear_weather()
        assert "observed meteorology up to the issue time only" in panel.weather.toolTip()
        assert panel.weather_file.text() == "" and panel.service.weather is None
    finally:
        panel.close()
        assert panel.pool.waitForDone(10_000)


def test_briefings_forecast_with_the_session_weather_forecast(world, tmp_path, monkeypatch):
    """The weather forecast loaded in the console (or `lantian brief --weather`) drives the briefing's forecast,
    and the briefing note says which file, run and hours, in the report's language."""
    from datetime import date

    import console.forecast.report_provider as rp
    from console.reports.providers import ProviderRequest, ProviderUnavailable

    met_model, _, city = world
    monkeypatch.setattr(rp, "_service", _service(met_model, city))
    monkeypatch.setattr(rp, "_weather", None)
    day = date(2020, 3, 1)
    req = {lang: ProviderRequest("daily", day, day, day, (), lang) for lang in ("zh", "en")}
    assert "仅用截至发布时刻的气象观测（未加载天气预报）" in rp.forecast_provider(req["zh"]).notes
    rp.use_weather(str(_gfs(tmp_path, "calm", 0.3)))
    zh = rp.forecast_provider(req["zh"]).notes
    assert ("气象预报 gfs.calm.t00z.pgrb2，起报 2020-03-01 00:00（世界时）：有效时间 2020-03-01 08:00 … "
            "2020-03-04 20:00（北京时），覆盖 72 个预报时次中的 72 个") in zh
    en = rp.forecast_provider(req["en"]).notes
    assert "weather forecast gfs.calm.t00z.pgrb2, run 2020-03-01 00:00 UTC: valid 2020-03-01 08:00" in en
    junk = tmp_path / "forecast.nc"
    junk.write_text("not a weather forecast\n")
    rp.use_weather(str(junk))
    with pytest.raises(ProviderUnavailable, match="weather forecast not loaded: .*forecast.nc: cannot open"):
        rp.forecast_provider(req["en"])
    rp.use_weather(None)
    assert "仅用截至发布时刻的气象观测" in rp.forecast_provider(req["zh"]).notes


def test_brief_refuses_an_unreadable_weather_file_naming_it(tmp_path, capsys):
    from console.cli import main

    junk = tmp_path / "forecast.nc"
    junk.write_text("not a weather forecast\n")
    rc = main(["brief", "daily", "--date", "2019-01-27", "--out", str(tmp_path / "r.pdf"), "--weather", str(junk),
               "--db", f"sqlite:///{tmp_path / 'never.db'}"])
    err = capsys.readouterr().err
    assert rc == 2 and "forecast.nc: cannot open as NetCDF" in err and "Traceback" not in err
    assert not (tmp_path / "r.pdf").exists() and not (tmp_path / "never.db").exists()
