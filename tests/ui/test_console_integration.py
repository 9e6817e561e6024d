"""The console as one window: command/analysis docks, mode banner, glue via ConsoleState, sign-in,
alarm cue, settings v3 migration (AQI convention default)."""
from __future__ import annotations

import importlib.machinery
import json
import sys
import types
from datetime import datetime

import pandas as pd
import pytest

DOCKS = {"alarmsDock", "warningsDock", "timelineDock", "sourcesDock", "briefingDock"}


@pytest.fixture
def own_store(tmp_path):
    """An empty store of this test (users and alarms stay out of the session's demo store)."""
    from console.store.db import Store

    st = Store(f"sqlite:///{tmp_path / 'cmd.db'}")
    yield st
    st.close()


@pytest.fixture
def command_window(qtbot, own_store, demo_data):
    """A window on ``own_store`` showing the demo snapshot (the command panels read ``own_store``)."""
    from ui import i18n
    from ui.mainwindow import MainWindow
    from ui.settings import Settings

    i18n.install("en")  # messages are checked in English
    settings = Settings()
    settings.set("language", "en")
    win = MainWindow(own_store, settings)
    qtbot.addWidget(win)
    win._loaded(demo_data)
    yield win
    win.close()


def test_window_has_all_docks_listed_in_the_view_menu(make_window):
    from PySide6.QtWidgets import QDockWidget

    win = make_window()
    names = {d.objectName() for d in win.findChildren(QDockWidget)}
    assert DOCKS | {"rankingDock", "layersDock", "timeseriesDock"} <= names
    menu = {a.text() for a in win.panels_menu.actions() if a.text()}
    for d in win.findChildren(QDockWidget):
        assert d.toggleViewAction().text() in menu, d.objectName()
    # default layout: analysis docks tabbed with the time series, alarms tabbed with warnings
    tabbed = {d.objectName() for d in win.tabifiedDockWidgets(win.ts_dock)}
    assert {"timelineDock", "sourcesDock", "briefingDock"} <= tabbed
    assert set(win.tabifiedDockWidgets(win.command.alarm_dock)) == {win.command.warnings_dock, win.layers_dock}
    assert win.command.alarm_dock.panel is not None  # alarms are built as soon as the store is open
    assert win.command.pmf_dock.panel is None  # heavy analysis panels wait until first shown


def test_timeline_click_moves_the_console_clock(make_window):
    win = make_window()
    tl = win.command.timeline_dock.ensure()
    assert tl is not None and len(tl.curves) == 14
    t = tl.click_at(pd.Timestamp("2019-01-20 05:10").tz_localize("UTC").timestamp())
    assert t == datetime(2019, 1, 20, 5)
    assert win.state.time() == pd.Timestamp("2019-01-20 05:00")
    assert win.state.mode == "replay"
    assert win.command.clock.sim_time == datetime(2019, 1, 20, 5)
    win.state.set_time("2019-01-22 08:00")  # and the timeline's cursor follows the clock
    assert tl.cursor.value() == pd.Timestamp("2019-01-22 08:00").tz_localize("UTC").timestamp()


def test_mode_banner_follows_live_and_replay(make_window):
    win = make_window()
    banner = win.command.banner
    assert win.state.mode == "replay"
    assert "REPLAY" in banner.label.text() and "2019-01-27 10:00" in banner.label.text()
    assert "#0D47A1" in banner.label.styleSheet()
    win.state.set_mode("live")
    assert banner.label.text().startswith("实时 LIVE") and "#1B5E20" in banner.label.styleSheet()
    assert win.command.clock.mode.value == "LIVE"
    win.clock.step(-5)  # stepping back leaves live: the banner says REPLAY again
    assert win.state.mode == "replay" and "REPLAY" in banner.label.text()
    from PySide6.QtCore import Qt

    bar = win.command.banner_bar  # top row, cannot be moved or hidden from the toolbar menu
    assert win.toolBarArea(bar) == Qt.ToolBarArea.TopToolBarArea and not bar.isMovable()
    assert bar.toggleViewAction().isVisible() is False


def test_sign_in_sets_the_actor_the_warnings_panel_uses(qtbot, command_window, own_store):
    from console.command.users import add_user
    from ui.signin import SignInDialog

    win = command_window
    assert "create the first commander" in win.actor_btn.text()  # offered, not created
    first = SignInDialog(own_store)
    assert first.first_run  # no users: the dialog offers the first commander, nothing is created silently
    assert first.create_commander("li", "pw1", "pw2") is None and "differ" in first.last_error
    assert first.create_commander("li", "s3cret", "s3cret").role == "commander"
    add_user(own_store, "wang", "analyst", "pw")
    dlg = SignInDialog(own_store, last_user="wang")
    assert not dlg.first_run and dlg.user_box.currentData() == "wang"
    assert dlg.sign_in("wang", "wrong") is None and "wrong password" in dlg.last_error  # readable, no traceback
    actor = dlg.sign_in("wang", "pw")
    win.state.set_actor(actor)
    panel = win.command.warnings_dock.ensure()
    assert panel.actor == actor and panel.decide_btn.isEnabled() and not panel.approve_btn.isEnabled()
    assert "wang (analyst)" in win.actor_btn.text()
    assert win.command.alarm_dock.panel.actor == actor and not win.command.alarm_dock.panel.ack_btn.isEnabled()
    win.state.set_actor(None)
    assert panel.actor is None and not panel.decide_btn.isEnabled()
    # the panel's first recommendations load the forecast model in the background (seconds when cold, as when
    # this test runs alone): let that work finish inside the test, not in the teardown's 5 s
    qtbot.waitUntil(lambda: panel.both is not None, timeout=60000)


def test_new_high_priority_alarm_cues_and_mute(command_window, own_store, monkeypatch):
    from PySide6.QtWidgets import QApplication

    from console.command.alarms import AlarmService, Condition

    beeps = []
    monkeypatch.setattr(QApplication, "beep", staticmethod(lambda: beeps.append(1)))
    win = command_window
    svc = AlarmService(own_store, win.command.clock)
    t = datetime(2019, 1, 27, 10)
    svc.apply([Condition("451300", "aqi>200", "exceedance", 1, True, "来宾市 AQI 218 > 200", "451300", 218.0, t)])
    win.state.set_time("2019-01-27 11:00")  # the clock moves; alarms are re-read when it rests
    assert win.command.refresh_timer.isActive()
    win.command.settle()
    assert beeps == [1]
    assert not win.alarm_label.isHidden() and "1" in win.alarm_label.text()
    assert win.command.alarm_dock.windowTitle().startswith("⚠")
    win.mute_act.setChecked(True)  # muted: the visual cue stays, the sound does not
    svc.apply([Condition("450200", "aqi>200", "exceedance", 1, True, "柳州市 AQI 205 > 200", "450200", 205.0, t)])
    win.state.notify_command("test")
    assert beeps == [1] and "1" in win.alarm_label.text()
    assert win.settings.get("alarms", "muted") is True


def test_forecast_hook_follows_clock_and_city(make_window, monkeypatch, qtbot):
    """The forecast dock exists whenever ui.panels.forecast_panel imports; it follows clock and city."""
    from PySide6.QtWidgets import QWidget

    from ui import command_docks

    calls = []

    class FakeForecastPanel(QWidget):
        def set_clock(self, t):
            calls.append(("clock", pd.Timestamp(t)))

        def set_city(self, name):
            calls.append(("city", name))

        def set_language(self, language, names):
            pass

        def set_city_data(self, city):
            calls.append(("data", tuple(str(c) for c in city["site"].values)))

    if not command_docks.forecast_available():
        mod = types.ModuleType(command_docks.FORECAST_MODULE)
        mod.__spec__ = importlib.machinery.ModuleSpec(command_docks.FORECAST_MODULE, None)
        mod.ForecastPanel = FakeForecastPanel
        monkeypatch.setitem(sys.modules, command_docks.FORECAST_MODULE, mod)
    else:
        monkeypatch.setattr(sys.modules.get(command_docks.FORECAST_MODULE) or
                            __import__(command_docks.FORECAST_MODULE, fromlist=["x"]),
                            "ForecastPanel", FakeForecastPanel)
    win = make_window()
    dock = win.command.forecast_dock
    assert dock is not None and dock in win.tabifiedDockWidgets(win.ts_dock)
    win.show()
    qtbot.waitExposed(win)
    win.command.raise_panels(["forecast"])
    qtbot.waitUntil(lambda: dock.panel is not None, timeout=5000)
    win.state.select("450200")
    assert ("city", "柳州市") in calls
    assert ("data", tuple(win.state.data.codes)) in calls        # the forecast reads the console's own data
    win.state.set_time("2019-01-25 16:00")
    win.command.settle()
    assert calls[-1] == ("clock", pd.Timestamp("2019-01-25 16:00"))


def test_briefing_defaults_to_clock_day_and_selected_city(make_window):
    win = make_window()
    win.state.select("451300")
    p = win.command.brief_dock.ensure()
    assert p.params()["day"].isoformat() == "2019-01-27" and p.params()["cities"] == ["来宾市"]
    win.state.set_time("2019-01-29 00:00")  # hour-ending: 00:00 closes the 28th
    assert p.params()["day"].isoformat() == "2019-01-28"


def test_warnings_recommend_for_the_clock_day(make_window, qtbot):
    win = make_window()
    p = win.command.warnings_dock.ensure()
    qtbot.waitUntil(lambda: p.both is not None, timeout=60000)
    # persistence of the last complete day at 01-27 10:00 (the default), the model's outlook issued then beside it
    assert p.basis_choice() == "persistence" and "依据：2019-01-26 观测日AQI外推3天（持续性，非预报）" in p.basis.text()
    assert "对照：预报模型" in p.basis.text() and "2019-01-26 20:00 发布" in p.basis.text()
    assert p.table.rowCount() == 14 and p.table.horizontalHeaderItem(2).text() == "预报模型"
    assert all(r.forecast_days[0] == "2019-01-27" for r in p.recs.values())


def test_handover_needs_a_signed_in_user(command_window, monkeypatch):
    from PySide6.QtWidgets import QMessageBox

    shown = []
    monkeypatch.setattr(QMessageBox, "information", lambda *a: shown.append(a[2]))
    assert command_window.handover() is None and "Sign in first" in shown[0]


def test_v2_settings_migrate_the_aqi_default_but_keep_a_choice(lantian_home):
    from ui.settings import Settings, settings_path

    old = {"version": 2, "window": {"geometry": "Z2VvbQ==", "state": "c3RhdGU="},
           "aqi": {"standard": "auto", "convention": "published"}}
    settings_path().write_text(json.dumps(old), encoding="utf-8")
    s = Settings()
    assert s.get("aqi", "convention") == "standard" and s.get("aqi", "convention_chosen") is False
    assert "AQI convention" in s.problem and "dock layout reset" in s.problem
    assert s.get("window", "state") == "" and s.get("window", "geometry") == "Z2VvbQ=="
    old["aqi"] = {"standard": "hj633-2026", "convention": "published"}  # the user was in the AQI menu
    settings_path().write_text(json.dumps(old), encoding="utf-8")
    s = Settings()
    assert s.get("aqi", "convention") == "published" and s.get("aqi", "convention_chosen") is True
    s.save()  # a v3 file with an explicit choice is never migrated again
    assert Settings().get("aqi", "convention") == "published" and Settings().problem is None


def test_a_drill_store_shows_drill_not_replay(qtbot, own_store, demo_data):
    """A store whose decisions were made in a drill opens with the DRILL banner."""
    from console.command import decisions
    from console.command.mode import ConsoleClock, Mode
    from console.command.users import add_user
    from ui.mainwindow import MainWindow
    from ui.settings import Settings

    cmd = add_user(own_store, "c1", "commander", "pw")
    decisions.propose_warning(own_store, cmd, "451300", "yellow", "drill decision",
                              clock=ConsoleClock(Mode.DRILL, datetime(2019, 1, 25, 10)))
    win = MainWindow(own_store, Settings())
    qtbot.addWidget(win)
    win._loaded(demo_data)
    assert win.command.clock.mode is Mode.DRILL and win.command.banner.label.text().startswith("DRILL")
    win.state.set_time("2019-01-27 12:00")  # stays DRILL while the clock moves
    assert "DRILL" in win.command.banner.label.text() and "2019-01-27 12:00" in win.command.banner.label.text()
    win.close()


def test_a_decision_carries_the_signed_in_user_and_refreshes_the_console(command_window, own_store):
    """Analyst proposes (audited as that user, in REPLAY at the clock hour); approval needs a commander."""
    import numpy as np
    import xarray as xr

    from console.command import audit
    from console.command.users import add_user, authenticate
    from models import warnings as W

    win = command_window
    add_user(own_store, "wang", "analyst", "pw")
    win.state.set_actor(authenticate(own_store, "wang", "pw"))
    panel = win.command.warnings_dock.ensure()
    win.command.settle()  # (the recommendation worker finds no data in this store: a message, no crash)
    fc = xr.Dataset({"aqi": (("site", "time"), np.array([[160.0, 170.0, 120.0]]))},
                    coords={"site": ["451300"], "time": pd.date_range("2019-01-28", periods=3)})
    panel.set_recommendations(W.evaluate(fc), "forecast file test.csv")
    panel.table.selectRow(0)
    seen = []
    win.state.commandChanged.connect(seen.append)
    assert panel.decide_selected("yellow", "forecast AQI>150 for 48 h") is not None
    assert seen  # the decision reached the hub: every command panel refreshed
    entry = audit.entries(own_store).iloc[-1]
    assert (entry["user"], entry["role"], entry["mode"]) == ("wang", "analyst", "REPLAY")
    assert pd.Timestamp(entry["console_time"]) == pd.Timestamp("2019-01-27 10:00")  # the console clock's hour
    tl = win.command.timeline_dock.ensure()  # the decision is a marker on the timeline
    assert [m["kind"] for m in tl.marker_info] == ["decision"] and "wang (analyst)" in tl.marker_info[0]["text"]
    panel.pending.selectRow(0)
    assert not panel.approve_selected(True) and "needs role commander" in panel.last_error  # readable refusal


def _shown_forecast_panel(win, qtbot):
    """Show the window, bring the forecast dock forward and return its (real) panel."""
    from ui import command_docks

    if not command_docks.forecast_available():
        pytest.skip("ui.panels.forecast_panel is not installed")
    win.show()
    qtbot.waitExposed(win)
    win.command.raise_panels(["forecast"])
    dock = win.command.forecast_dock
    qtbot.waitUntil(lambda: dock.panel is not None, timeout=5000)
    return dock.panel


def test_real_forecast_panel_follows_the_clock_and_city(make_window, qtbot):
    win = make_window()
    p = _shown_forecast_panel(win, qtbot)
    win.state.set_time("2019-01-25 16:00")
    win.command.settle()  # the forecast is issued once the clock rests
    qtbot.waitUntil(lambda: not p.is_busy() and p.result is not None, timeout=90_000)
    assert p.result.forecast.issue_time == pd.Timestamp("2019-01-25 16:00")
    win.state.select("450200")
    assert p.city_box.currentText().startswith("柳州")
    # the panel speaks the console's language: city names, categories, texts and the weather statement
    from models.aqi import levels

    win.choose_language("en")
    assert p.city_box.currentText() == "Liuzhou"
    assert "Liuzhou" in p.plot.plotItem.titleLabel.text and p.status.text().startswith("Issued 2019-01-25 16:00")
    english = {lv.category_en for lv in levels()}
    assert any(name in p.cards[0].category.text() for name in english)
    assert p.weather.toolTip().startswith("NO weather input")
    win.choose_language("zh")
    assert p.city_box.currentText() == "柳州市" and p.status.text().startswith("起报 2019-01-25 16:00")
    assert any(lv.category_zh in p.cards[0].category.text() for lv in levels())
    assert p.weather.toolTip().startswith("无气象输入")


def _until(data, t):
    """The console snapshot as a live store held it at hour ``t`` (later hours not yet delivered)."""
    import dataclasses

    n = data.time_index(t) + 1
    return dataclasses.replace(data, times=data.times[:n], conc={k: v[:, :n] for k, v in data.conc.items()},
                               aqi=data.aqi[:, :n], level=data.level[:, :n], primary=data.primary[:, :n],
                               rule_version=data.rule_version[:n])


def test_live_forecast_follows_new_hours(make_window, demo_data, qtbot):
    """Live mode: when the feed brings new hours the console reloads, and the forecast is issued again from the
    newest hour of the console's own data (not from files of its own)."""
    from ui.state import LIVE

    win = make_window(load="none")
    win.state.set_mode(LIVE)
    win._loaded(_until(demo_data, "2019-01-25 16:00"))
    p = _shown_forecast_panel(win, qtbot)
    win.command.settle()
    qtbot.waitUntil(lambda: not p.is_busy() and p.result is not None, timeout=90_000)
    assert p.result.forecast.issue_time == pd.Timestamp("2019-01-25 16:00")
    assert p.result.forecast.info["inputs"]["data_source"] == "console data"
    assert pd.Timestamp(p.result.observed["time"].values[-1]) == pd.Timestamp("2019-01-25 16:00")
    win._loaded(_until(demo_data, "2019-01-26 10:00"))             # the feed delivered 18 more hours
    assert win.state.time() == pd.Timestamp("2019-01-26 10:00")
    win.command.settle()
    qtbot.waitUntil(lambda: not p.is_busy() and p.result.forecast.issue_time == pd.Timestamp("2019-01-26 10:00"),
                    timeout=90_000)
    assert "10:00" in p.status.text()
