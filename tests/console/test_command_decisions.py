"""Warnings decisions (propose → commander approves; lifting follows the scheme), handover, mode."""
from datetime import datetime

import pytest

from console.command import audit, decisions, handover
from console.command.alarms import AlarmService, Condition
from console.command.mode import BANNER, ConsoleClock, Mode
from console.command.users import PermissionDenied
from console.errors import LantianError
from models import warnings as W


def rec(city, values, scheme=None):
    import numpy as np
    import pandas as pd
    import xarray as xr

    fc = xr.Dataset({"aqi": (("site", "time"), np.array([values], float))},
                    coords={"site": [city], "time": pd.date_range("2019-01-25", periods=len(values))},
                    attrs={"source": "forecast:test"})
    return W.evaluate(fc, scheme)[0]


@pytest.fixture
def clk():
    return ConsoleClock(Mode.REPLAY, datetime(2019, 1, 24, 17))


def test_operator_proposes_commander_approves_upgrade_and_lift(store, crew, clk):
    op, cmd, an = crew["operator"], crew["commander"], crew["analyst"]
    r = rec("451300", [160, 170, 120])
    wid = decisions.propose_warning(store, op, "451300", r.level, "AQI>150 for 48 h forecast", recommendation=r, clock=clk)
    assert decisions.warnings_table(store, "pending")["id"].tolist() == [wid]
    assert decisions.active_warnings(store) == {}
    with pytest.raises(PermissionDenied, match="needs role commander"):
        decisions.approve_warning(store, an, wid, "ok", clock=clk)
    decisions.approve_warning(store, cmd, wid, "agreed", clock=clk)
    assert decisions.active_warnings(store) == {"451300": "yellow"}
    # a commander's own proposal takes effect at once (upgrade)
    decisions.propose_warning(store, cmd, "451300", "orange", "worse forecast", clock=clk)
    assert decisions.active_warnings(store) == {"451300": "orange"}
    with pytest.raises(LantianError, match="already has level orange"):
        decisions.propose_warning(store, op, "451300", "orange", "again", clock=clk)
    # lifting follows the scheme: not while the forecast stays above 150 for the next 36 h
    bad = rec("451300", [140, 160, 100])
    with pytest.raises(LantianError, match="does not follow scheme national-2024"):
        decisions.propose_warning(store, op, "451300", "none", "looks better", recommendation=bad, clock=clk)
    good = rec("451300", [120, 110, 100])
    lid = decisions.propose_warning(store, op, "451300", "none", "improving below 150 for 72 h", recommendation=good, clock=clk)
    decisions.approve_warning(store, cmd, lid, "lift approved", clock=clk)
    assert decisions.active_warnings(store) == {}
    log = audit.entries(store)
    assert log["action"].tolist() == ["warning.propose", "warning.issue", "warning.propose", "warning.upgrade",
                                      "warning.propose", "warning.lift"]
    assert log["payload"].iloc[1]["scheme_version"] == "national-2024/1"
    assert set(log["mode"]) == {"REPLAY"} and log["console_time"].iloc[0] == datetime(2019, 1, 24, 17)
    assert audit.verify(store).ok
    periods = decisions.warning_periods(store)
    assert set(periods["level"]) == {"yellow", "orange"} and periods["end"].notna().all()


def test_commander_may_override_lift_rule_with_record(store, crew, clk):
    cmd = crew["commander"]
    decisions.propose_warning(store, cmd, "450200", "yellow", "issue", clock=clk)
    bad = rec("450200", [160, 160, 100])
    decisions.propose_warning(store, cmd, "450200", "none", "provincial order", recommendation=bad,
                              override_lift_rule=True, clock=clk)
    assert decisions.active_warnings(store) == {}
    wt = decisions.warnings_table(store)
    assert "lift" in wt["action"].tolist()


def test_reason_required(store, crew, clk):
    with pytest.raises(LantianError, match="reason is required"):
        decisions.propose_warning(store, crew["operator"], "450100", "yellow", " ", clock=clk)


def test_handover_lists_open_items_and_incoming_signs(store, crew, clk):
    op, cmd = crew["operator"], crew["commander"]
    AlarmService(store, clk).apply([Condition("S1", "aqi>200", "exceedance", 1, True, "S1 high", "450100", 220,
                                              datetime(2019, 1, 24, 16))])
    decisions.propose_warning(store, cmd, "451300", "yellow", "issue", clock=clk)
    decisions.propose_warning(store, op, "450200", "yellow", "pending one", clock=clk)
    hid = handover.create(store, op, "watch Laibin", episodes=[{"kind": "city", "cities": ["451300"],
                                                               "start": "2019-01-22", "peak_aqi": 183}], clock=clk)
    h = handover.latest(store)
    assert h["status"] == "draft" and len(h["items"]["open_alarms"]) == 1
    assert [w["city"] for w in h["items"]["active_warnings"]] == ["451300"]
    assert [p["city"] for p in h["items"]["pending_decisions"]] == ["450200"]
    items = handover.HandoverItems(**h["items"])
    text = handover.render(items, h["note"])
    assert "451300: yellow (III)" in text and "watch Laibin" in text and "#1 high unacknowledged, active S1" in text
    assert "1 open alarms (1 unacknowledged), 1 warnings in force, 1 decisions pending, 1 ongoing episodes" in text
    zh = handover.render(items, h["note"], lang="zh")      # the note in the operators' language
    assert zh.startswith("交接班记录\n未关闭报警 1 条（未确认 1 条），生效预警 1 个，待决事项 1 项，进行中的污染过程 1 个")
    assert "451300：黄色" in zh and "备注：watch Laibin" in zh and "450200 发布黄色" in zh
    assert "#1【高优先级·未确认·报警中】S1 小时AQI 220，超过 200（01-24 16:00）" in zh and "城市 451300，自 2019-01-22 起，峰值 AQI 183" in zh
    assert not any(w in zh for w in ("Warnings", "none", "Pending", "since"))
    named = handover.render(items, lang="zh", names={"451300": "来宾市", "450200": "柳州市"})
    assert "来宾市：黄色" in named and "柳州市 发布黄色" in named and "城市 来宾市，自" in named
    from console.command.observed import store_city_names

    assert store_city_names(store) == {}                  # this store has no city table rows: codes stay
    with pytest.raises(LantianError, match="incoming operator must sign"):
        handover.sign(store, op, hid)
    with pytest.raises(PermissionDenied):
        handover.sign(store, crew["analyst"], hid)
    handover.sign(store, cmd, hid, "taken over")
    assert handover.latest(store)["incoming"] == "commander1"
    # open items carry over: still open after the signature
    assert len(AlarmService(store).table()) == 1 and len(decisions.warnings_table(store, "pending")) == 1
    assert audit.entries(store)["action"].tolist()[-2:] == ["handover.create", "handover.sign"]


def test_mode_banner_is_unmistakable():
    clk = ConsoleClock()
    assert clk.mode is Mode.LIVE and clk.banner()[0].startswith("实时 LIVE")
    seen = []
    clk.listeners.append(lambda c: seen.append(c.mode))
    clk.set_mode("DRILL", datetime(2019, 1, 21, 1))
    text, bg, fg = clk.banner()
    assert "演练 DRILL" in text and "2019-01-21 01:00" in text and clk.now() == datetime(2019, 1, 21, 1)
    assert len({v[2] for v in BANNER.values()}) == 3  # three distinct colours
    clk.set_mode(Mode.LIVE)
    clk.move_to(datetime(2019, 1, 22))
    assert clk.mode is Mode.REPLAY and seen == [Mode.DRILL, Mode.LIVE, Mode.REPLAY]
