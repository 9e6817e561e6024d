"""Shared server: two consoles on one real PostgreSQL database see each other's decisions, and concurrent
appends keep the audit chain linear.  Skipped (with the reason) when no PostgreSQL server can be started."""
import threading
from datetime import datetime

import pytest

from console.command import audit, decisions
from console.command.alarms import AlarmService, Condition
from console.command.decisions import decide
from console.command.users import add_user, authenticate
from console.store.db import Store


@pytest.fixture
def consoles(pg_db):
    a, b = Store(pg_db), Store(pg_db)
    yield a, b
    a.close()
    b.close()


def test_two_consoles_see_each_others_decisions(consoles):
    a, b = consoles
    assert a.dialect == "postgresql" and a.revision() == "0002"
    add_user(a, "op", "operator", "pw")
    add_user(a, "boss", "commander", "pw")
    op = authenticate(b, "op", "pw")           # users are shared: created on A, used on B
    boss = authenticate(a, "boss", "pw")
    wid = decisions.propose_warning(b, op, "451300", "yellow", "forecast AQI>150 48 h")
    assert decisions.warnings_table(a, "pending")["id"].tolist() == [wid]
    decisions.approve_warning(a, boss, wid, "approved on console A")
    assert decisions.active_warnings(b) == {"451300": "yellow"}
    AlarmService(a).apply([Condition("S1", "aqi>200", "exceedance", 1, True, "S1", "451300", 230.0,
                                     datetime(2019, 1, 25, 9))])
    aid = int(AlarmService(b).table()["id"].iloc[0])
    AlarmService(b).acknowledge(op, aid, "seen on B")
    assert AlarmService(a).table()["acked_by"].tolist() == ["op"]
    for st in (a, b):
        res = audit.verify(st)
        assert res.ok and res.entries == 3


def test_feed_on_one_console_is_seen_by_the_other(consoles, tmp_path, home):
    import os
    import time

    from tests.console.command_helpers import realtime_text
    from console.command.feed import FeedService, FolderSource
    from console.store.repository import Repository

    a, b = consoles
    inbox = tmp_path / "in"
    inbox.mkdir()
    for h, aqi in ((1, 40), (2, 230)):
        p = inbox / f"h{h}.csv"
        p.write_text(realtime_text(f"2022-02-01T0{h}:00:00", aqi={"1401A": aqi}), encoding="utf-8")
        os.utime(p, (time.time() - 10 + h, time.time() - 10 + h))
    feed = FeedService(a, [FolderSource(inbox)])
    assert feed.poll_once(force=True)[0].values_new == 2 * 8 * 15
    p = inbox / "h2-corrected.csv"
    p.write_text(realtime_text("2022-02-01T02:00:00", aqi={"1401A": 240}), encoding="utf-8")
    os.utime(p, (time.time() - 5, time.time() - 5))
    assert feed.poll_once(force=True)[0].values_changed == 1
    ds = Repository(b).load(kind="station", variables=["AQI"])
    assert int(ds["AQI"].notnull().sum()) == 16 and ds["AQI"].sel(site="1401A", time="2022-02-01T02:00").item() == 240
    assert sorted(AlarmService(b).table()["condition"]) == ["aqi>150", "aqi>200"]


def test_concurrent_appends_keep_the_chain_linear(consoles):
    a, b = consoles
    add_user(a, "op", "operator", "pw")
    op = authenticate(a, "op", "pw")
    errors = []

    def work(store, tag):
        try:
            for i in range(15):
                with decide(store, op, "alarm.ack") as tx:
                    tx.record("test.note", f"{tag}{i}", "concurrent")
        except Exception as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=work, args=(s, t)) for s, t in ((a, "A"), (b, "B"))]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert not errors
    res = audit.verify(b)
    assert res.ok and res.entries == 30, str(res)
    log = audit.entries(a)
    assert list(log["seq"]) == list(range(1, 31))
    assert {s[0] for s in log["subject"]} == {"A", "B"}
