"""The forecast panel follows the clock in a worker thread and shows a fan chart and outlook."""
import pandas as pd
import pytest

pytest.importorskip("pytestqt")


@pytest.fixture
def panel(qtbot, demo_system):
    from console.forecast_service import ForecastService
    from ui.panels.forecast_panel import ForecastPanel

    system, gx, nb = demo_system
    p = ForecastPanel(ForecastService(gx, nb, system=system))
    qtbot.addWidget(p)
    p.resize(900, 640)
    p.show()
    yield p
    p.close()
    assert p.pool.waitForDone(10_000)
    assert p.pool.activeThreadCount() == 0


def test_fan_chart_at_clock_time(panel, qtbot):
    with qtbot.waitSignal(panel.forecastReady, timeout=60_000) as blocker:
        panel.set_clock(pd.Timestamp("2019-01-10 12:00"))
        assert panel.is_busy()                      # the GUI thread returned while the worker runs
    res = blocker.args[0]
    assert res.forecast.issue_time == pd.Timestamp("2019-01-10 12:00")
    assert pd.Timestamp(res.observed["time"].values[-1]) <= pd.Timestamp("2019-01-10 12:00")
    panel.set_city("柳州市")
    assert panel.city_box.currentText() == "柳州"
    items = panel.plot.plotItem.listDataItems()
    assert len(items) >= 5                           # bands, median and observed
    assert panel.cards[0].category.text() not in ("—", "")
    panel.var_box.setCurrentText("AQI")
    assert panel.plot.plotItem.listDataItems()
    qtbot.waitUntil(lambda: not panel.is_busy(), timeout=10_000)


def test_clock_changes_are_coalesced(panel, qtbot):
    panel.set_clock("2019-01-10 12:00")
    panel.set_clock("2019-01-12 08:00")
    qtbot.waitUntil(lambda: not panel.is_busy() and panel.result is not None, timeout=60_000)
    assert panel.result.forecast.issue_time == pd.Timestamp("2019-01-12 08:00")
    panel.set_clock("2030-01-01")                   # outside the data: reported, no crash
    qtbot.waitUntil(lambda: not panel.is_busy(), timeout=30_000)
    assert "outside the data" in panel.status.text()


def test_short_dock_keeps_chart_and_outlook_in_view(panel, qtbot):
    """On a 768-px screen the dock is short: the outlook moves beside the chart as compact cards, and the
    panel fits the dock's scroll view without scrolling; a tall dock puts the outlook back below."""
    from PySide6.QtWidgets import QScrollArea

    with qtbot.waitSignal(panel.forecastReady, timeout=60_000):
        panel.set_clock(pd.Timestamp("2019-01-10 12:00"))
    area = QScrollArea()
    qtbot.addWidget(area)
    area.setWidgetResizable(True)
    area.setWidget(panel)
    area.resize(1366, 290)
    area.show()
    qtbot.waitUntil(lambda: panel.side_by_side, timeout=5_000)
    qtbot.waitUntil(lambda: panel.height() <= area.viewport().height(), timeout=5_000)
    assert not area.verticalScrollBar().isVisible()
    for c in panel.cards:
        assert c.compact and c.isVisible() and "P(>100)" in c.detail.text() and "D+" in c.title.text()
        assert c.geometry().bottom() <= panel.height()
    assert panel.weather.toolTip() == panel._weather_text != ""       # the whole statement stays readable
    area.resize(1366, 700)
    qtbot.waitUntil(lambda: not panel.side_by_side, timeout=5_000)
    assert not panel.cards[0].compact and panel.cards[0].detail.text().count("\n") == 2   # three full lines
    area.takeWidget()   # the fixture closes the panel


def test_export_writes_what_the_panel_shows(panel, qtbot, tmp_path):
    """Export… writes every city's hourly quantiles, the 3-day outlook and the forecast's record."""
    import json

    assert not panel.export_button.isEnabled() and panel.export_forecast(str(tmp_path)) == []
    with qtbot.waitSignal(panel.forecastReady, timeout=60_000):
        panel.set_clock(pd.Timestamp("2019-01-24 12:00"))
    assert panel.export_button.isEnabled()
    paths = panel.export_forecast(str(tmp_path))
    assert [p.name for p in paths] == ["forecast_2019012412_hourly.csv", "forecast_2019012412_daily.csv",
                                       "forecast_2019012412_forecast_info.json"]
    hourly = pd.read_csv(paths[0])
    assert list(hourly.columns[:10]) == ["site", "variable", "issue_time", "valid_time", "horizon",
                                         "p10", "p25", "p50", "p75", "p90"]
    assert hourly["site"].nunique() == 14 and hourly["horizon"].max() == 72
    aqi = hourly[hourly["variable"] == "AQI"]
    assert aqi["p_aqi_gt_100"].between(0, 1).all() and (aqi["p25"] <= aqi["p50"]).all()
    shown = panel.result.forecast.hourly["PM2.5"].sel(site="南宁").sel(level=0.5, method="nearest").values
    pm = hourly[(hourly["variable"] == "PM2.5") & (hourly["site"] == "南宁")].sort_values("horizon")
    assert abs(pm["p50"].to_numpy() - shown).max() < 0.01
    daily = pd.read_csv(paths[1])
    assert daily["site"].nunique() == 14 and sorted(daily["lead_days"].unique()) == [1, 2, 3]
    info = json.loads(paths[2].read_text(encoding="utf-8"))
    assert info["model_version"] == panel.result.forecast.info["model_version"]
    assert info["issued"] == "2019-01-24 12:00:00" and "Exported to" in panel.status.text()
    qtbot.waitUntil(lambda: not panel.is_busy(), timeout=10_000)


def test_panel_says_when_the_seasonal_prior_moved_the_forecast(panel, qtbot):
    """The test model was trained to 20 January: in March the shipped prior moves the PM2.5 odds, and the panel
    says so; in January it says nothing about it."""
    with qtbot.waitSignal(panel.forecastReady, timeout=60_000) as blocker:
        panel.set_clock(pd.Timestamp("2019-03-10 20:00"))
    info = blocker.args[0].forecast.info
    assert info["seasonal_prior"]["pollutants"]["PM2.5"]["unseen_months"] == [3]
    assert "seasonal prior guangxi-2017-v1: exceedance odds of month(s) 3 moved for PM2.5" in panel._weather_text
    with qtbot.waitSignal(panel.forecastReady, timeout=60_000):
        panel.set_clock(pd.Timestamp("2019-01-12 08:00"))
    assert "seasonal prior" not in panel._weather_text
    qtbot.waitUntil(lambda: not panel.is_busy(), timeout=10_000)
