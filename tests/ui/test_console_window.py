"""The console window on the real demo: opening hour, map colours, selection, replay, tooltips, language."""
from __future__ import annotations


import numpy as np
import pandas as pd
from PySide6.QtCore import QPointF, Qt
from PySide6.QtGui import QColor

from console import demo
from console.maprender import geometry
from console.store.repository import Repository
from models.aqi import POLLUTANTS, hourly_aqi, levels


def independent_aqi(store, code: str, when: pd.Timestamp) -> float:
    """AQI of one city at one hour, recomputed from the stored concentrations with models.aqi."""
    ds = Repository(store).load(sites=[code], variables=list(POLLUTANTS) + ["PM2.5_24h", "PM10_24h"],
                                start=when - pd.Timedelta(days=2), end=when)
    res = hourly_aqi(ds, convention="standard")  # the console default
    return float(res["aqi"].sel(site=code, time=when))


def test_window_opens_on_worst_episode_via_worker(make_window, demo_store):
    win = make_window(load="async")
    assert win.state.time() == demo.worst_episode_hour(Repository(demo_store))
    assert win.state.mode == "replay"
    assert len(win.state.data.codes) == 14
    assert win.ranking.model_.rowCount() == 14
    assert "HJ633-2012" in win.rules_label.text()
    assert "demo.db" in win.db_label.text()
    assert "2019-06-30 23:00" in win.fresh_label.text()


def test_map_fill_colours_are_the_aqi_level_colours(make_window, demo_store, qtbot):
    win = make_window()
    win.show()
    qtbot.waitExposed(win)
    # hide labels and station markers through the layer list, as a user would
    for i in range(win.layer_list.count()):
        item = win.layer_list.item(i)
        if item.data(Qt.ItemDataRole.UserRole) in ("labels", "stations"):
            item.setCheckState(Qt.CheckState.Unchecked)
    assert not win.layers.get("labels").visible and not win.layers.get("stations").visible
    when = win.state.time()
    img = win.map.grab().toImage()
    tf = win.map.transform()
    checked = 0
    for city in geometry().cities:
        expected = independent_aqi(demo_store, city.code, when)
        lv = int(np.digitize(expected, [0.5, 50.5, 100.5, 150.5, 200.5, 300.5]))  # AQI → level 1..6
        want = QColor(levels()[lv - 1].hex)
        p = tf.map(city.label)
        got = img.pixelColor(int(p.x()), int(p.y()) + 6)
        assert city.path.contains(tf.inverted()[0].map(QPointF(int(p.x()), int(p.y()) + 6)))
        assert got.rgb() == want.rgb(), f"{city.name_zh}: AQI {expected} → {want.name()}, map shows {got.name()}"
        assert win.state.data.aqi[win.state.data.site_index(city.code), win.state.index] == expected
        checked += 1
    assert checked == 14


def test_click_on_map_selects_city_everywhere(make_window, qtbot):
    win = make_window()
    win.show()
    qtbot.waitExposed(win)
    nanning = next(c for c in geometry().cities if c.name_zh == "南宁市")
    p = win.map.transform().map(nanning.label)
    qtbot.mouseClick(win.map, Qt.MouseButton.LeftButton, pos=p.toPoint() + QPointF(0, 14).toPoint())
    assert win.state.selected == "450100"
    assert win.layers.get("cities").selected == "450100"
    rows = win.ranking.selectionModel().selectedRows()
    assert rows and rows[0].data(Qt.ItemDataRole.UserRole + 2) == "450100"
    assert ("450100", "AQI") in win.timeseries.curves
    # and the other way round: a ranking row selects the city on the map and in the plot
    row = win.ranking.codes_in_order().index("450300")
    win.ranking.selectRow(row)
    assert win.state.selected == "450300"
    assert win.layers.get("cities").selected == "450300"
    assert list(win.timeseries.curves)[0][0] == "450300"


def test_station_click_selects_station_and_its_city(make_window, qtbot):
    win = make_window()
    st = win.state.data.stations
    s = st[st["city_code"] == "450100"].iloc[0]
    from console.maprender import project

    x, y = project(s["lon"], s["lat"])
    p = win.map.transform().map(QPointF(float(x), float(y)))
    hit = win.map.hit(p)
    assert hit is not None and hit.layer == "stations" and hit.key == s["code"]
    assert "城市AQI" in hit.text or "City AQI" in hit.text  # honest: the value shown is the city's
    win.state.select(hit.key)
    assert win.state.selected_city() == "450100"
    assert win.layers.get("cities").selected == "450100"


def test_city_tooltip_shows_concentrations_and_primary(make_window):
    win = make_window()
    d, i = win.state.data, win.state.index
    row = d.site_index("451300")
    city = next(c for c in geometry().cities if c.code == "451300")
    hit = win.map.hit(win.map.transform().map(city.label))
    assert hit.key == "451300"
    assert f"AQI <b>{d.aqi[row, i]:.0f}</b>" in hit.text
    assert d.primary[row, i] and d.primary[row, i] in hit.text
    assert f"PM2.5 {d.conc['PM2.5'][row, i]:.0f}" in hit.text


def test_replay_advances_the_clock_and_every_panel_follows(make_window, qtbot):
    win = make_window()
    start = win.state.index
    win.clock.set_speed(24)
    win.clock.set_playing(True)
    qtbot.waitUntil(lambda: win.state.index >= start + 4, timeout=5000)
    win.clock.set_playing(False)
    i = win.state.index
    d = win.state.data
    assert win.clock.slider.value() == i
    assert win.clock.time_label.text() == f"{d.time_at(i):%Y-%m-%d %H:00}"
    assert win.layers.get("cities").values["450100"] == d.aqi[0, i]
    assert win.timeseries.clock_line.value() == win.timeseries._x[i]
    top = win.ranking.codes_in_order()[0]
    assert d.aqi[d.site_index(top), i] == np.nanmax(d.aqi[:, i])


def test_step_buttons_and_live_mode(make_window, qtbot):
    win = make_window()
    i0 = win.state.index
    qtbot.mouseClick(win.clock.fwd_btn, Qt.MouseButton.LeftButton)
    assert win.state.index == i0 + 1
    win.day_back_act.trigger()
    assert win.state.index == i0 + 1 - 24
    win.opening_act.trigger()
    assert win.state.index == i0
    win.play_act.trigger()
    assert win.clock.is_playing()
    win.play_act.trigger()
    assert not win.clock.is_playing()
    qtbot.mouseClick(win.clock.live_btn, Qt.MouseButton.LeftButton)
    assert win.state.mode == "live"
    assert win.state.index == win.state.data.latest_index()
    assert win.state.time() == pd.Timestamp("2019-06-30 23:00")


def test_ranking_sorts_by_any_column(make_window):
    win = make_window()
    d, i = win.state.data, win.state.index
    codes = win.ranking.codes_in_order()
    aqi = [d.aqi[d.site_index(c), i] for c in codes]
    assert aqi == sorted(aqi, reverse=True)
    col = 4  # PM2.5
    win.ranking.sortByColumn(col, Qt.SortOrder.AscendingOrder)
    codes = win.ranking.codes_in_order()
    pm = [d.conc["PM2.5"][d.site_index(c), i] for c in codes]
    assert pm == sorted(pm)
    change_col = win.ranking.model_.columnCount() - 1
    v = win.ranking.model_.value(0, "change")
    assert v == d.aqi[0, i] - d.aqi[0, i - 24]
    assert win.ranking.model_.headerData(change_col, Qt.Orientation.Horizontal) == "24小时变化"


def test_timeseries_variables_and_crosshair(make_window, qtbot):
    win = make_window()
    win.state.select("450100")
    win.timeseries.set_variables(["AQI", "PM2.5"])
    assert set(win.timeseries.curves) == {("450100", "AQI"), ("450100", "PM2.5")}
    win.timeseries.set_extra_cities(["450200"])
    assert ("450200", "PM2.5") in win.timeseries.curves
    pi = win.timeseries.plot.getPlotItem()
    assert pi.ctrl.clipToViewCheck.isChecked() and pi.ctrl.autoDownsampleCheck.isChecked()
    win.show()
    qtbot.waitExposed(win)
    vb = pi.getViewBox()
    x = win.timeseries._x[win.state.index]
    scene_pos = vb.mapViewToScene(QPointF(x, 100))
    win.timeseries._mouse_moved((scene_pos,))
    text = win.timeseries.readout_text()
    assert f"{win.state.time():%Y-%m-%d %H:00}" in text and "南宁市 AQI" in text


def test_language_switch_retranslates(make_window):
    win = make_window(language="zh")
    assert win.ranking_dock.windowTitle() == "城市排名"
    win.choose_language("en")
    assert win.ranking_dock.windowTitle() == "City ranking"
    assert win.state.language == "en"
    assert win.ranking.model_.value(0, "city") == "Nanning"
    win.choose_language("zh")
    assert win.clock.live_btn.text() == "实时"


def test_alarm_panel_speaks_the_ui_language(make_window):
    """Operators read the alarm list in the UI language: filters, headers, states and buttons, switched live."""
    win = make_window(language="zh")
    p = win.command.alarm_dock.ensure()
    assert [p.state_filter.itemText(i) for i in range(4)] == ["未关闭", "未确认", "已搁置", "全部状态"]
    assert p.cat_filter.itemText(2) == "预报" and p.ack_btn.text() == "确认"
    assert p.model.headerData(1, Qt.Orientation.Horizontal) == "优先级" and p.count_label.text().startswith("未关闭")
    p.state_filter.setCurrentIndex(3)
    assert p.state_filter.currentData() == "all"                 # the filter logic reads codes, not the words
    win.choose_language("en")
    assert p.state_filter.itemText(0) == "open" and p.ack_btn.text() == "Acknowledge"
    assert p.model.headerData(2, Qt.Orientation.Horizontal) == "state" and p.state_filter.currentIndex() == 3


def test_worker_errors_become_readable_messages(qtbot, tmp_path):
    from console.store.db import Store
    from ui.data import load_console_data
    from ui.workers import Task, start

    empty = Store(f"sqlite:///{tmp_path / 'empty.db'}")
    task = Task(lambda progress, cancelled: load_console_data(empty, ensure_demo=False, progress=progress,
                                                               cancelled=cancelled))
    with qtbot.waitSignal(task.signals.failed, timeout=10000) as blocker:
        start(task)
    msg = blocker.args[0]
    assert "holds no city data" in msg and "Traceback" not in msg
    task.wait(5)
    empty.close()


def test_worker_can_be_cancelled(qtbot):
    import threading

    from ui.data import Cancelled
    from ui.workers import Task, start

    gate = threading.Event()

    def job(progress, cancelled):
        gate.wait(5)
        if cancelled():
            raise Cancelled()
        return 1

    task = Task(job)
    with qtbot.waitSignal(task.signals.cancelled, timeout=10000):
        start(task)
        task.cancel()
        gate.set()
    task.wait(5)


def test_long_replay_survives_pyside_none_refcount_bug(make_window, qtbot):
    """PySide6 6.12 on Python 3.11 drops a reference to None per void call (~2000 per painted tick here);
    unprotected, a few dozen ticks abort the interpreter (none_dealloc)."""
    import sys

    win = make_window()
    win.show()
    qtbot.waitExposed(win)
    before = sys.getrefcount(None)
    from PySide6.QtWidgets import QApplication

    for _ in range(60):
        win.state.set_index(win.state.index + 1)
        win.repaint()
        QApplication.processEvents()
    assert sys.getrefcount(None) > 1_000_000  # protected (a real count is a few 10⁴)
    assert before > 1_000_000 or sys.version_info >= (3, 12)


def test_live_mode_polls_for_new_data_only_while_live(make_window, qtbot):
    win = make_window()
    assert not win.live_timer.isActive()
    win.state.set_mode("live")
    assert win.live_timer.isActive()
    win.check_for_new_data()  # the demo has nothing newer: no reload starts
    qtbot.waitUntil(lambda: win._probe.wait(0), timeout=10000)
    qtbot.wait(50)
    assert win.task is None
    win.state.set_mode("replay")
    assert not win.live_timer.isActive()


def test_unexpected_errors_become_one_readable_line(make_window, monkeypatch, lantian_home):
    import sys

    from PySide6.QtWidgets import QMessageBox

    from ui.app import install_excepthook

    shown = []
    monkeypatch.setattr(QMessageBox, "warning", lambda *a: shown.append(a[2]))
    monkeypatch.setattr(sys, "excepthook", sys.excepthook)
    win = make_window()
    install_excepthook(win)
    try:
        raise ValueError("boom in a slot")
    except ValueError:
        sys.excepthook(*sys.exc_info())
    assert shown == ["ValueError: boom in a slot"]
    assert win.statusBar().currentMessage() == "ValueError: boom in a slot"
    assert "Traceback" in (lantian_home / "lantian-errors.log").read_text(encoding="utf-8")


def test_map_pan_zoom_and_reset(make_window, qtbot):
    from PySide6.QtCore import QPoint
    from PySide6.QtGui import QTransform

    win = make_window()
    win.show()
    qtbot.waitExposed(win)
    m = win.map
    anchor = QPointF(200, 150)
    before = m.transform().inverted()[0].map(anchor)  # the map point under the cursor
    m.zoom_at(anchor, 2.0)
    assert abs(m.view.m11() - 2.0) < 1e-9
    after = m.transform().inverted()[0].map(anchor)
    assert abs(before.x() - after.x()) < 1e-9 and abs(before.y() - after.y()) < 1e-9  # zoom keeps the cursor point
    dx0, dy0 = m.view.dx(), m.view.dy()
    qtbot.mousePress(m, Qt.MouseButton.LeftButton, pos=QPoint(100, 100))
    qtbot.mouseMove(m, QPoint(140, 130))
    qtbot.mouseMove(m, QPoint(160, 150))
    qtbot.mouseRelease(m, Qt.MouseButton.LeftButton, pos=QPoint(160, 150))
    assert (round(m.view.dx() - dx0), round(m.view.dy() - dy0)) == (60, 50)  # the map followed the mouse
    assert win.state.selected == ""  # a drag is not a click
    m.mouseDoubleClickEvent(None)
    assert m.view == QTransform()


def test_new_layers_plug_into_map_and_layer_list(make_window):
    """How later issues add data: a Layer (here a simulated raster) + an updater following the clock."""
    from console.maprender import RasterLayer

    win = make_window()
    seen = []

    def follow_clock(layer, state):
        seen.append(state.index)
        layer.data = np.full((4, 4), float(state.index))

    raster = RasterLayer("satellite", "卫星NO2柱浓度", "Satellite NO2 column", z=2, simulated=True,
                         lon_bounds=(104.5, 112.1), lat_bounds=(20.9, 26.4))
    win.layers.add(raster, follow_clock)
    texts = [win.layer_list.item(i).text() for i in range(win.layer_list.count())]
    assert "卫星NO2柱浓度（模拟数据）" in texts
    win.state.set_index(win.state.index + 1)
    assert seen[-1] == win.state.index and raster.data[0, 0] == win.state.index
    win.map.grab()  # paints with the new layer (and its simulated note in the legend)
    win.layers.remove("satellite")
    assert win.layer_list.count() == 4


def test_timeseries_zoom_to_period_keeps_y_fitted(make_window, qtbot):
    win = make_window()
    win.show()
    qtbot.waitExposed(win)
    ts = win.timeseries
    ts.zoom_to("2019-03-01", "2019-03-08")
    (x0, x1), _ = ts.plot.getPlotItem().getViewBox().viewRange()
    assert abs(x0 - ts._x[win.state.data.time_index("2019-03-01")]) < 1 and abs(x1 - x0 - 7 * 86400) < 1
    ts.box_button.setChecked(True)
    vb = ts.plot.getPlotItem().getViewBox()
    assert vb.state["mouseMode"] == vb.RectMode
    ts.box_button.setChecked(False)
    assert vb.state["mouseMode"] == vb.PanMode
    ts.show_all()
    (x0, x1), _ = vb.viewRange()
    assert x0 <= ts._x[0] and x1 >= ts._x[-1]
