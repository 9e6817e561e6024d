"""ISA-18.2 alarm lifecycle, de-duplication, shelving, filters and roles."""
from datetime import datetime, timedelta

import pytest

from console.command.alarms import (ACK_ACTIVE, NORMAL, SHELVED, UNACK_ACTIVE, UNACK_RTN, AlarmService, Condition,
                                    forecast_conditions)
from console.command.mode import ConsoleClock, Mode
from console.command.users import PermissionDenied
from console.errors import LantianError
from console.store.command_schema import Alarm


def cond(active, t, source="S1", c="aqi>150", prio=2, cat="exceedance"):
    return Condition(source, c, cat, prio, active, f"{source} {c}", "450100", 160.0 if active else 90.0, t)


@pytest.fixture
def clk():
    return ConsoleClock(Mode.REPLAY, datetime(2019, 1, 25, 10))


def state(store, aid):
    with store.session() as s:
        return s.get(Alarm, aid).state


def test_lifecycle_ack_then_clear(store, crew, clk):
    svc = AlarmService(store, clk)
    t = datetime(2019, 1, 25, 9)
    assert svc.apply([cond(True, t)])["raised"] == 1
    assert svc.apply([cond(True, t + timedelta(hours=1))])["raised"] == 0   # de-duplicated
    df = svc.table()
    assert len(df) == 1 and df["state"].iloc[0] == UNACK_ACTIVE
    aid = int(df["id"].iloc[0])
    assert svc.acknowledge(crew["operator"], aid, "seen") == ACK_ACTIVE
    with pytest.raises(LantianError, match="only unacknowledged"):
        svc.acknowledge(crew["operator"], aid)
    svc.apply([cond(False, t + timedelta(hours=2))])
    assert state(store, aid) == NORMAL and svc.table().empty
    # the condition comes back: a NEW alarm (the old one is history)
    svc.apply([cond(True, t + timedelta(hours=3))])
    df = svc.table()
    assert len(df) == 1 and int(df["id"].iloc[0]) != aid


def test_return_to_normal_unacknowledged_then_ack(store, crew, clk):
    svc = AlarmService(store, clk)
    t = datetime(2019, 1, 25, 9)
    svc.apply([cond(True, t)])
    aid = int(svc.table()["id"].iloc[0])
    svc.apply([cond(False, t + timedelta(hours=1))])
    assert state(store, aid) == UNACK_RTN
    svc.apply([cond(True, t + timedelta(hours=2))])       # returns while unacknowledged → active again, same alarm
    assert state(store, aid) == UNACK_ACTIVE and int(svc.table()["occurrences"].iloc[0]) == 2
    svc.apply([cond(False, t + timedelta(hours=3))])
    assert svc.acknowledge(crew["commander"], aid) == NORMAL


def test_late_older_evaluation_never_overrides_newer(store, clk):
    svc = AlarmService(store, clk)
    svc.apply([cond(True, datetime(2019, 1, 25, 9))])
    svc.apply([cond(False, datetime(2019, 1, 25, 8))])   # an older hour arriving late
    assert svc.table()["state"].tolist() == [UNACK_ACTIVE]


def test_shelve_needs_reason_and_expires(store, crew, clk):
    svc = AlarmService(store, clk)
    svc.apply([cond(True, datetime(2019, 1, 25, 9)), cond(True, datetime(2019, 1, 25, 9), source="S2")])
    a1, a2 = sorted(int(x) for x in svc.table()["id"])
    with pytest.raises(LantianError, match="reason"):
        svc.shelve(crew["operator"], a1, "  ")
    until = svc.shelve(crew["operator"], a1, "sensor maintenance", hours=2)
    svc.shelve(crew["operator"], a2, "known local fire", hours=2)
    assert until == clk.now() + timedelta(hours=2) and state(store, a1) == SHELVED
    svc.apply([cond(False, datetime(2019, 1, 25, 10), source="S2")])   # S2 clears while shelved
    clk.sim_time += timedelta(hours=1)
    assert svc.expire_shelving() == 0
    clk.sim_time += timedelta(hours=1, minutes=1)
    assert svc.expire_shelving() == 2
    assert state(store, a1) == UNACK_ACTIVE and state(store, a2) == NORMAL  # still active → comes back as new


def test_roles_and_filters(store, crew, clk):
    svc = AlarmService(store, clk)
    t = datetime(2019, 1, 25, 9)
    svc.apply([cond(True, t), cond(True, t, "S9", "aqi>200", 1), cond(True, t, "feed:x", "feed-stale", 1, "feed")])
    aid = int(svc.table()["id"].iloc[0])
    with pytest.raises(PermissionDenied, match="needs role operator or commander"):
        svc.acknowledge(crew["analyst"], aid)
    assert len(svc.table(priority=1)) == 2
    assert svc.table(category="feed")["source"].tolist() == ["feed:x"]
    assert svc.table(text="S9")["condition"].tolist() == ["aqi>200"]
    assert svc.table(city="450100").shape[0] == 3
    assert svc.counts()["unack_high"] == 2


def test_forecast_alarm_until_a_matching_warning_is_in_force():
    from models.warnings import Recommendation

    r = Recommendation("451300", "orange", "national-2024", "national-2024/1", "persistence", [], [], [], False, "")
    c = {x.condition: x for x in forecast_conditions([r], {})}
    assert c["recommend-orange"].active and c["recommend-orange"].priority == 1 and not c["recommend-yellow"].active
    c = {x.condition: x for x in forecast_conditions([r], {"451300": "orange"})}
    assert not any(x.active for x in c.values())
