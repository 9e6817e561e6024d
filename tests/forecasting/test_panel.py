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
