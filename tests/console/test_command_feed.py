"""Live feed: watched folder and a real local HTTP server; late, duplicated, out-of-order, corrected data;
timeouts, outages, back-off and the persisted 'stale since' state."""
from __future__ import annotations

import os
import threading
import time
from datetime import datetime, timedelta

import pytest

from tests.console.command_helpers import LocalServer, realtime_text
from console.command.alarms import AlarmService
from console.command.feed import FeedService, FolderSource, HttpSource
from console.command.mode import ConsoleClock, Mode
from console.store.repository import Repository


def drop(folder, name, text):
    """Write atomically (as a well-behaved producer does) and age the file past the settle time."""
    tmp = folder / f".{name}.part"
    tmp.write_text(text, encoding="utf-8")
    os.replace(tmp, folder / name)
    t = time.time() - 10
    os.utime(folder / name, (t, t))


def n_values(store, var="PM2.5"):
    ds = Repository(store).load(kind="station", variables=[var])
    return int(ds[var].notnull().sum()), ds


def test_folder_late_duplicate_out_of_order_and_corrected(store, tmp_path):
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    feed = FeedService(store, [FolderSource(inbox)], interval=60)
    drop(inbox, "h01.csv", realtime_text("2022-02-01T01:00:00"))
    drop(inbox, "h03.csv", realtime_text("2022-02-01T03:00:00"))
    r = feed.poll_once(force=True)[0]
    assert r.ok and r.deliveries == 2 and r.values_new == 2 * 8 * 15
    assert n_values(store)[0] == 16
    # out of order / late: hour 2 arrives after hour 3
    drop(inbox, "h02.csv", realtime_text("2022-02-01T02:00:00"))
    # duplicated: the same bytes under another name, and the same file polled again
    drop(inbox, "h01-again.csv", realtime_text("2022-02-01T01:00:00"))
    r = feed.poll_once(force=True)[0]
    assert r.deliveries == 1 and r.values_new == 8 * 15
    n, ds = n_values(store)
    filled = ds["PM2.5"].notnull().any("site")
    assert n == 24 and list(ds["time"].dt.hour.values[filled.values]) == [1, 2, 3]
    assert feed.poll_once(force=True)[0].deliveries == 0
    assert n_values(store)[0] == 24  # never double-counted
    # corrected: hour 2 re-sent with a changed AQI for one station → updated in place and flagged
    drop(inbox, "h02-corrected.csv", realtime_text("2022-02-01T02:00:00", aqi={"1401A": 155}))
    r = feed.poll_once(force=True)[0]
    assert r.deliveries == 1 and r.values_new == 0 and r.values_changed == 1
    ds = Repository(store).load(kind="station", variables=["AQI"], flags=True)
    assert ds["AQI"].sel(site="1401A", time="2022-02-01T02:00").item() == 155
    assert ds["AQI_flag"].sel(site="1401A", time="2022-02-01T02:00").item() & 2
    assert int(ds["AQI"].notnull().sum()) == 24
    st = feed.states()[0]
    assert st["status"] == "ok" and st["latest_hour"] == datetime(2022, 2, 1, 3)
    # the corrected late hour is older than hour 3's evaluation → does not touch alarms of newer data
    assert AlarmService(store).table(category="exceedance").empty


def test_unreadable_file_is_named_not_retried_and_alarmed(store, tmp_path):
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    drop(inbox, "bad.csv", "this is not,a national file\n1,2\n")
    feed = FeedService(store, [FolderSource(inbox)])
    r = feed.poll_once(force=True)[0]
    assert r.ok and r.deliveries == 0 and "bad.csv" in r.rejected_files[0]
    alarms = AlarmService(store).table(category="feed")
    assert (alarms["condition"] == "bad-file").any()
    assert feed.poll_once(force=True)[0].rejected_files == []  # remembered, not retried every poll


def test_files_still_being_written_wait_for_the_settle_time(store, tmp_path):
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    (inbox / "h01.csv").write_text(realtime_text("2022-02-01T01:00:00"), encoding="utf-8")  # fresh mtime
    feed = FeedService(store, [FolderSource(inbox, settle_seconds=30)])
    assert feed.poll_once(force=True)[0].deliveries == 0
    os.utime(inbox / "h01.csv", (time.time() - 60, time.time() - 60))
    assert feed.poll_once(force=True)[0].deliveries == 1


@pytest.fixture
def server():
    s = LocalServer()
    yield s
    s.close()


def test_http_source_outage_backoff_stale_and_recovery(store, server, home):
    clk = ConsoleClock(Mode.REPLAY, datetime(2022, 2, 1, 1, 5))
    src = HttpSource(server.url, timeout=0.5)
    feed = FeedService(store, [src], interval=60, max_backoff=300, clock=clk)
    server.body = realtime_text("2022-02-01T01:00:00", aqi={"1401A": 210}).encode()
    r = feed.poll_once()[0]
    assert r.ok and r.deliveries == 1 and server.hits == 1
    high = AlarmService(store).table(priority=1)
    assert list(high["source"]) == ["1401A"] and high["condition"].iloc[0] == "aqi>200"
    # same payload again: nothing new
    clk.sim_time += timedelta(minutes=1)
    assert feed.poll_once()[0].duplicates + feed.poll_once(force=True)[0].deliveries == 0
    # outage: HTTP 503, then a timeout — failures counted, back-off doubles, stale since the last new data
    server.status = 503
    clk.sim_time += timedelta(minutes=5)
    r = feed.poll_once(force=True)[0]
    assert not r.ok and "503" in r.error
    st = feed.states()[0]
    assert st["consecutive_failures"] == 1 and st["status"].startswith("stale since")
    assert st["next_attempt"] == clk.sim_time + timedelta(seconds=60)
    assert feed.poll_once()[0].skipped_backoff  # not due yet
    server.status, server.delay = 200, 2.0
    clk.sim_time += timedelta(seconds=61)
    t0 = time.monotonic()
    r = feed.poll_once()[0]
    assert time.monotonic() - t0 < 1.9 and not r.ok and "timed out" in r.error
    st = feed.states()[0]
    assert st["consecutive_failures"] == 2 and st["next_attempt"] == clk.sim_time + timedelta(seconds=120)
    feed_alarms = AlarmService(store).table(category="feed")
    assert set(feed_alarms["condition"]) == {"feed-fault", "feed-stale"}
    # recovery: a new hour arrives → stale cleared, failures reset, feed alarms return to normal (unacked)
    server.delay = 0
    server.body = realtime_text("2022-02-01T02:00:00").encode()
    clk.sim_time += timedelta(seconds=121)
    r = feed.poll_once()[0]
    assert r.ok and r.deliveries == 1
    st = feed.states()[0]
    assert st["status"] == "ok" and st["consecutive_failures"] == 0 and st["latest_hour"] == datetime(2022, 2, 1, 2)
    fa = AlarmService(store).table(category="feed")
    assert set(fa["state"]) == {"UNACK_RTN"} and not fa["active"].any()
    # the exceedance at 1401A cleared with hour 2 (AQI back to normal)
    ex = AlarmService(store).table(category="exceedance")
    assert sorted(ex["condition"]) == ["aqi>150", "aqi>200"] and set(ex["state"]) == {"UNACK_RTN"}
    assert n_values(store)[0] == 16


def test_connection_refused_is_a_feed_fault(store):
    s = LocalServer()
    url = s.url
    s.close()  # nothing listens there any more
    feed = FeedService(store, [HttpSource(url, timeout=0.5)], interval=10)
    r = feed.poll_once()[0]
    assert not r.ok and "refused" in r.error.lower()


def test_run_loop_polls_on_schedule_and_stops(store, tmp_path):
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    drop(inbox, "h01.csv", realtime_text("2022-02-01T01:00:00"))
    feed = FeedService(store, [FolderSource(inbox)], interval=0.01)
    seen = []
    n = feed.run(iterations=3, sleep=lambda s: time.sleep(0.02), report=seen.append)
    assert n == 3 and seen[0].deliveries == 1 and all(r.deliveries == 0 for r in seen[1:])


def test_truncated_http_body_is_a_feed_fault(store):
    import socket

    srv = socket.socket()
    srv.bind(("127.0.0.1", 0))
    srv.listen(1)
    port = srv.getsockname()[1]

    def serve_once():
        conn, _ = srv.accept()
        conn.recv(4096)
        conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: 5000\r\n\r\ntimepoint,stationcode\n")
        conn.close()   # promised 5000 bytes, sent a few
    t = threading.Thread(target=serve_once, daemon=True)
    t.start()
    feed = FeedService(store, [HttpSource(f"http://127.0.0.1:{port}/x.csv", timeout=2)])
    r = feed.poll_once()[0]
    t.join(5)
    srv.close()
    assert not r.ok and "IncompleteRead" in r.error
    assert feed.states()[0]["consecutive_failures"] == 1


def test_unexpected_store_error_is_reported_and_the_loop_survives(store, tmp_path, monkeypatch):
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    drop(inbox, "h01.csv", realtime_text("2022-02-01T01:00:00"))
    feed = FeedService(store, [FolderSource(inbox)])
    monkeypatch.setattr(feed.repo, "ingest", lambda *a, **k: (_ for _ in ()).throw(RuntimeError("database is locked")))
    r = feed.poll_once(force=True)[0]
    assert not r.ok and "database is locked" in r.error
    monkeypatch.undo()
    feed.repo = Repository(store)
    assert feed.poll_once(force=True)[0].deliveries == 1   # retried: nothing was lost


def test_no_new_data_for_too_long_is_stale_without_failures(store, tmp_path):
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    clk = ConsoleClock(Mode.REPLAY, datetime(2022, 2, 1, 1, 10))
    feed = FeedService(store, [FolderSource(inbox)], interval=60, stale_after=timedelta(minutes=90), clock=clk)
    drop(inbox, "h01.csv", realtime_text("2022-02-01T01:00:00"))
    assert feed.poll_once()[0].deliveries == 1 and feed.states()[0]["status"] == "ok"
    clk.sim_time += timedelta(minutes=60)
    assert feed.poll_once()[0].ok and feed.states()[0]["status"] == "ok"
    clk.sim_time += timedelta(minutes=40)          # 100 min without a new hour
    feed.poll_once()
    st = feed.states()[0]
    assert st["consecutive_failures"] == 0 and st["status"] == "stale since 2022-02-01 01:10"
    assert AlarmService(store).table(category="feed")["condition"].tolist() == ["feed-stale"]
    drop(inbox, "h02.csv", realtime_text("2022-02-01T02:00:00"))
    clk.sim_time += timedelta(minutes=5)
    feed.poll_once()
    assert feed.states()[0]["status"] == "ok"
    assert AlarmService(store).table(category="feed")["state"].tolist() == ["UNACK_RTN"]
