"""Command panels offscreen: alarm panel (filters, ack/shelve through the services, cue for new high alarms),
warnings panel (recommendations, role-checked decisions), timeline (bands, markers, click moves the clock),
handover dialog and the mode banner."""
from __future__ import annotations

from datetime import datetime

import numpy as np
import pandas as pd
import pytest
import xarray as xr

pytest.importorskip("pytestqt")

from console.command import audit, decisions  # noqa: E402
from console.command.alarms import AlarmService, Condition  # noqa: E402
from console.command.mode import ConsoleClock, Mode  # noqa: E402
from console.command.users import add_user  # noqa: E402
from models import warnings as W  # noqa: E402


@pytest.fixture(autouse=True)
def english(qapp):
    """These panels' texts are checked in English unless a test switches (an earlier module may leave zh)."""
    from ui import i18n

    i18n.install("en")
    yield
    i18n.install("en")


@pytest.fixture
def store(tmp_path, monkeypatch):
    from console.store.db import Store

    monkeypatch.setenv("LANTIAN_HOME", str(tmp_path))
    st = Store(f"sqlite:///{tmp_path / 'ui.db'}")
    yield st
    st.close()


@pytest.fixture
def crew(store):
    return {r: add_user(store, f"{r}1", r, "pw") for r in ("operator", "analyst", "commander")}


@pytest.fixture
def clk():
    return ConsoleClock(Mode.REPLAY, datetime(2019, 1, 25, 10))


def cond(source, c, prio, active=True, t=datetime(2019, 1, 25, 9), cat="exceedance"):
    return Condition(source, c, cat, prio, active, f"{source} {c}", "451300", 210.0, t)


def test_alarm_panel_filters_ack_shelve_and_cue(qtbot, store, crew, clk):
    from ui.panels.alarm_panel import AlarmPanel

    svc = AlarmService(store, clk)
    svc.apply([cond("S1", "aqi>200", 1), cond("S2", "aqi>150", 2), cond("feed:x", "feed-stale", 1, cat="feed")])
    panel = AlarmPanel(store, crew["analyst"], clk, audible=True)
    qtbot.addWidget(panel)
    assert panel.model.rowCount() == 3 and panel.beeps == 0          # existing alarms are not "new"
    assert not panel.ack_btn.isEnabled()                               # analyst may not acknowledge
    panel.set_actor(crew["operator"])
    assert panel.ack_btn.isEnabled()
    panel.prio_filter.setCurrentIndex(1)
    assert panel.model.rowCount() == 2
    panel.cat_filter.setCurrentIndex(3)
    assert panel.model.rowCount() == 1 and panel.model.rows[0][4] == "feed:x"
    panel.cat_filter.setCurrentIndex(0)
    panel.prio_filter.setCurrentIndex(0)
    # a new high-priority alarm: signal, flashing banner and a beep
    panel._flash_timer.setInterval(20)
    with qtbot.waitSignal(panel.newHighPriority, timeout=2000) as sig:
        svc.apply([cond("S7", "aqi>200", 1, t=datetime(2019, 1, 25, 10))])
        panel.refresh()
    assert len(sig.args[0]) == 1 and panel.beeps == 1 and not panel.banner.isHidden()
    assert "NEW HIGH-PRIORITY" in panel.banner.text()
    qtbot.waitUntil(lambda: not panel._flash_timer.isActive(), timeout=5000)
    # acknowledge the selected row through the audited service
    panel.table.selectRow(0)
    assert panel.acknowledge_selected() == 1
    assert audit.entries(store)["action"].tolist() == ["alarm.ack"]
    panel.table.selectRow(1)
    assert panel.shelve_selected("maintenance", 2) == 1
    panel.state_filter.setCurrentIndex(2)   # shelved
    assert panel.model.rowCount() == 1 and panel.model.states[0] == "SHELVED"
    assert panel.model.rows[0][2] == "shelved"          # the state's name in the UI language, the code underneath
    panel.shutdown()


def test_alarm_messages_in_the_ui_language(qtbot, store, crew, clk):
    """In Chinese the panel words each alarm from its stored fields; the stored (English) message is unchanged."""
    from ui import i18n
    from ui.panels.alarm_panel import AlarmPanel

    t = datetime(2019, 1, 25, 9)
    AlarmService(store, clk).apply([
        Condition("451300", "aqi>200", "exceedance", 1, True, "city 451300: hourly AQI 217 > 200", "451300", 217.0, t),
        Condition("451300", "recommend-orange", "forecast", 1, True,
                  "451300: persistence recommends orange warning (national-2024/1); in force: yellow",
                  "451300", None, t),
        Condition("cnemc", "feed-stale", "feed", 1, True, "feed cnemc: no new data since 2019-01-25 06:00"),
        Condition("S9", "no-data", "station", 3, True, "station S9: no pollutant values", "", None, t)])
    assert i18n.install("zh")
    panel = AlarmPanel(store, crew["operator"], clk, audible=False)
    qtbot.addWidget(panel)
    panel.names = {"451300": "来宾市"}
    panel.refresh()
    shown = {r[5]: (r[4], r[-1]) for r in panel.model.rows}          # condition → (source, message)
    assert shown["AQI>200"] == ("来宾市", "来宾市 小时AQI 217，超过 200（01-25 09:00）")
    assert shown["建议橙色预警"][1] == "来宾市：持续性外推建议发布橙色（Ⅱ级）预警（national-2024/1）；现行：黄色（Ⅲ级）"
    assert shown["数据中断"][1] == "数据源 cnemc：自 2019-01-25 06:00 起无新数据"
    assert shown["无数据"][1].startswith("S9：最新时次无任何污染物数据")
    assert "hourly AQI 217" in AlarmService(store, clk).table()["message"].str.cat()   # the store keeps its text
    panel.text_filter.setText("来宾")                                    # filters what the operator reads …
    assert {r[5] for r in panel.model.rows} == {"AQI>200", "建议橙色预警"}
    panel.text_filter.setText("persistence")                             # … and the stored text
    assert [r[5] for r in panel.model.rows] == ["建议橙色预警"]
    panel.text_filter.setText("")
    i18n.install("en")
    panel.refresh()
    assert {r[-1] for r in panel.model.rows} >= {"city 451300: hourly AQI 217 > 200"}
    panel.shutdown()


def test_warnings_panel_recommendations_and_role_checked_decisions(qtbot, store, crew, clk):
    from ui.panels.warnings_panel import WarningsPanel

    fc = xr.Dataset({"aqi": (("site", "time"), np.array([[160, 170, 120], [60, 70, 80]], float))},
                    coords={"site": ["451300", "450100"], "time": pd.date_range("2019-01-26", periods=3)},
                    attrs={"source": "forecast:test"})
    panel = WarningsPanel(store, crew["operator"], clk, city_names={"451300": "来宾市", "450100": "南宁市"})
    qtbot.addWidget(panel)
    panel.set_recommendations(W.evaluate(fc), "forecast file test.csv")
    assert panel.table.rowCount() == 2 and panel.table.item(0, 0).text() == "来宾市"
    assert panel.table.item(0, 1).text().startswith("yellow") and "AQI>150 for 48 h" in panel.table.item(0, 5).text()
    assert panel.table.isColumnHidden(2) and not panel.basis_box.isEnabled()   # one given basis: nothing to compare
    assert not panel.approve_btn.isEnabled() and panel.decide_btn.isEnabled()
    panel.table.selectRow(0)
    assert panel.decide_selected("yellow", "") is None and "reason is required" in panel.last_error
    wid = panel.decide_selected("yellow", "forecast AQI>150 for 48 h")
    assert panel.pending.rowCount() == 1
    panel.set_actor(crew["commander"])
    panel.pending.selectRow(0)
    assert panel.approve_selected(True)
    assert decisions.active_warnings(store) == {"451300": "yellow"} and panel.pending.rowCount() == 0
    assert panel.table.item(0, 3).text().startswith("yellow")
    assert [a for a in audit.entries(store)["action"]] == ["warning.propose", "warning.issue"]
    assert wid is not None


def test_warnings_panel_compares_model_and_persistence_in_the_ui_language(qtbot, store, crew, clk):
    """Both bases side by side: the chosen one drives level, action and dialog; the other is shown next to it,
    in bold where they disagree; every text in Chinese, switched live; the basis choice is reported."""
    from console.command.schemes import BothBases
    from ui import i18n
    from ui.panels.warnings_panel import IssueDialog, WarningsPanel

    days = pd.date_range("2019-01-28", periods=3)

    def recs(aqi, source):
        fc = xr.Dataset({"aqi": (("site", "time"), np.array(aqi, float))},
                        coords={"site": ["450200", "450100"], "time": days}, attrs={"source": source})
        return W.evaluate(fc)

    both = BothBases(day="2019-01-27", model=recs([[115, 102, 80], [76, 69, 66]], "forecast:m"), model_id="a2bb",
                     model_trained=("2018-12-01", "2019-06-30"), model_issued="2019-01-27 20:00",
                     persistence=recs([[205, 205, 205], [90, 90, 90]], "persistence"), observed_day="2019-01-27")
    try:
        assert i18n.install("zh")
        panel = WarningsPanel(store, crew["operator"], clk, city_names={"450200": "柳州市", "450100": "南宁市"})
        qtbot.addWidget(panel)
        chosen = []
        panel.basisChanged.connect(chosen.append)
        assert panel.basis_choice() == "persistence"                                # the product default
        panel.set_basis("model")
        panel.set_both(both)
        header = [panel.table.horizontalHeaderItem(c).text() for c in range(panel.table.columnCount())]
        assert header == ["城市", "建议", "持续性", "当前", "动作", "依据", "方案"]
        row = [panel.table.item(0, c).text() for c in range(5)]
        assert row == ["柳州市", "无", "橙色（Ⅱ级）", "无", "维持"]   # model: none; persistence: orange
        assert panel.table.item(0, 2).font().bold() and "不一致" in panel.table.item(0, 2).toolTip()
        assert not panel.table.item(1, 2).font().bold()                             # 南宁: both say none
        assert "预报模型 a2bb" in panel.basis.text() and "2019-01-27 观测日AQI外推3天" in panel.basis.text()
        panel.set_basis("persistence")                                              # the operator switches
        assert chosen == ["model", "persistence"]
        assert [panel.table.item(0, c).text() for c in (1, 2, 4)] == ["橙色（Ⅱ级）", "无", "发布"]
        assert panel.table.horizontalHeaderItem(2).text() == "预报模型"
        assert panel.table.item(0, 5).text() == "AQI>200 持续48小时：01-28, 01-29, 01-30"  # the rule in Chinese
        panel.table.selectRow(0)
        dlg = IssueDialog("450200", "柳州市", "none", panel.recs["450200"], panel, basis="x")
        qtbot.addWidget(dlg)
        assert dlg.level.currentData() == "orange" and dlg.windowTitle() == "预警决策 — 柳州市"
        assert {b.text() for b in dlg.buttons.buttons()} == {"确定", "取消"}        # Qt's own words too
        i18n.install("en")                                                          # live switch
        panel.retranslate()
        assert [panel.table.item(0, c).text() for c in (1, 4)] == ["orange (II)", "issue"]
        assert panel.table.item(0, 5).text() == "AQI>200 for 48 h: 01-28, 01-29, 01-30"
        assert panel.basis.text().startswith("Basis: observed daily AQI of 2019-01-27 repeated for 3 days")
    finally:
        i18n.install("en")


def test_issue_dialog_defaults_to_recommendation(qtbot):
    from ui.panels.warnings_panel import IssueDialog

    fc = xr.Dataset({"aqi": (("site", "time"), np.array([[210, 210, 120]], float))},
                    coords={"site": ["451300"], "time": pd.date_range("2019-01-26", periods=3)})
    rec = W.evaluate(fc)[0]
    dlg = IssueDialog("451300", "来宾市", "yellow", rec)
    qtbot.addWidget(dlg)
    assert dlg.level.currentData() == "orange"


def test_timeline_bands_markers_and_click_moves_clock(qtbot, store, crew, clk):
    from ui.panels.timeline_panel import TimelinePanel

    t = pd.date_range("2019-01-22 01:00", periods=96, freq="h")
    aqi = xr.DataArray(np.vstack([100 + 80 * np.sin(np.arange(96) / 10), 60 + np.arange(96) * 0.5]),
                       dims=("site", "time"), coords={"site": ["451300", "450100"], "time": t})
    decisions.propose_warning(store, crew["commander"], "451300", "yellow", "issue",
                              clock=ConsoleClock(Mode.REPLAY, datetime(2019, 1, 23, 17)))
    panel = TimelinePanel(clk)
    qtbot.addWidget(panel)
    panel.set_aqi(aqi, {"451300": "来宾市", "450100": "南宁市"})
    panel.set_warnings(decisions.warning_periods(store), end=datetime(2019, 1, 25, 0))
    log = audit.entries(store)
    panel.set_markers([{"time": r.console_time, "kind": "decision", "text": r.action} for r in log.itertuples()]
                      + [{"time": datetime(2019, 1, 23, 9), "kind": "alarm", "text": "aqi>200"}])
    assert len(panel.curves) == 2 and len(panel.bands) == 1 and len(panel.markers.points()) == 3
    r = panel.bands[0].boundingRect()
    assert r.width() == pytest.approx((datetime(2019, 1, 25) - datetime(2019, 1, 23, 17)).total_seconds(), abs=1)
    assert r.bottom() <= 0 and len(panel.band_labels) == 1   # a lane below the AQI curves, labelled with the city
    with qtbot.waitSignal(panel.timeClicked, timeout=1000) as sig:
        from ui.panels.timeline_panel import _secs

        panel.click_at(_secs(datetime(2019, 1, 24, 6, 20)))
    assert sig.args[0] == datetime(2019, 1, 24, 6) and clk.now() == datetime(2019, 1, 24, 6)


def test_handover_dialog_create_and_sign(qtbot, store, crew, clk):
    from ui.panels.handover_dialog import HandoverDialog

    AlarmService(store, clk).apply([cond("S1", "aqi>200", 1)])
    dlg = HandoverDialog(store, crew["operator"], clk)
    qtbot.addWidget(dlg)
    assert "1 open alarms" in dlg.preview.toPlainText()
    dlg.note.setPlainText("watch Laibin")
    hid = dlg.create_note()
    assert hid and dlg.sign_btn.isEnabled()
    dlg.user.setText("commander1")
    dlg.password.setText("wrong")
    assert not dlg.sign() and "wrong password" in dlg.last_error
    dlg.password.setText("pw")
    assert dlg.sign() and "signed by commander1" in dlg.status.text()
    from ui import i18n

    assert i18n.install("zh")                                           # the dialog in the UI language
    zh = HandoverDialog(store, crew["operator"], clk)
    qtbot.addWidget(zh)
    assert zh.windowTitle() == "交接班" and zh.sign_btn.text() == "接班签字" and zh.status.text().startswith("交班人：")
    assert zh.preview.toPlainText().startswith("交接班记录\n未关闭报警 1 条（未确认 1 条）")   # the note itself too


def test_mode_banner_follows_clock(qtbot):
    from ui.panels.mode_banner import ModeBanner

    clk = ConsoleClock()
    b = ModeBanner(clk)
    qtbot.addWidget(b)
    assert "LIVE" in b.label.text() and "#1B5E20" in b.label.styleSheet()
    with qtbot.waitSignal(b.modeChanged, timeout=1000):
        clk.set_mode(Mode.DRILL, datetime(2019, 1, 21, 1))
    assert "演练 DRILL" in b.label.text() and "#FF6F00" in b.label.styleSheet()
    b.detach()
    assert not clk.listeners
