"""Crash safety: a real subprocess ingests and decides in a loop and is killed (SIGKILL) at random moments;
after each restart nothing committed is lost and nothing is duplicated."""
import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from sqlalchemy import func, select

from tests.console.command_helpers import realtime_text
from console.command import audit
from console.command.users import add_user
from console.store.command_schema import Alarm, Warning_
from console.store.repository import Repository
from console.store.schema import Dataset

WORKER = Path(__file__).with_name("crash_worker.py")
HOURS, TARGET = 6, 24


def start(url, inbox):
    return subprocess.Popen([sys.executable, str(WORKER), url, str(inbox), str(TARGET)], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)


@pytest.mark.skipif(not hasattr(signal, "SIGKILL"), reason="needs POSIX SIGKILL")
def test_kill_at_random_points_loses_and_duplicates_nothing(store, tmp_path):
    add_user(store, "op", "operator", "pw")
    add_user(store, "cmd", "commander", "pw")
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    for h in range(1, HOURS + 1):   # station 1401A alternates high/normal so alarms rise and clear
        aqi = {"1401A": 230 if h % 2 else 60, "1402A": 160 if h % 3 == 0 else 40}
        p = inbox / f"h{h:02d}.csv"
        p.write_text(realtime_text(f"2022-02-01T{h:02d}:00:00", aqi=aqi), encoding="utf-8")
        os.utime(p, (1_000_000 + h, 1_000_000 + h))
    rng = random.Random(20190125)
    committed = {"ACK": set(), "DECIDED": set(), "INGESTED": []}
    kills = 0
    for attempt in range(8):
        proc = start(store.url, inbox)
        lines = []
        ready = proc.stdout.readline()
        assert ready.strip() == "READY", proc.stderr.read()
        if attempt < 3:   # three kills at random points of its work (after k committed steps + a random delay)
            early = []
            for _ in range(rng.randint(1, 4)):
                ln = proc.stdout.readline()
                early.append(ln)
                if not ln or ln.startswith("DONE"):
                    break
            time.sleep(rng.uniform(0.0, 0.01))
            proc.send_signal(signal.SIGKILL)
            rest, _ = proc.communicate(timeout=30)
            out = "".join(early) + rest
            kills += 1
        else:
            out, err = proc.communicate(timeout=60)
            assert proc.returncode == 0, err[-2000:]
        for ln in out.splitlines():
            kind, _, rest = ln.partition(" ")
            if kind in ("ACK", "DECIDED"):
                committed[kind].add(int(rest))
            elif kind == "INGESTED":
                committed[kind].append(rest.split()[0])
            lines.append(ln)
        if "DONE" in out:
            break
    assert kills == 3 and "DONE" in out
    # the audit chain verifies and has no gaps
    res = audit.verify(store)
    assert res.ok, str(res)
    log = audit.entries(store)
    with store.session() as s:
        acked = {a.id: a for a in s.scalars(select(Alarm).where(Alarm.acked_at.is_not(None)))}
        warnings = {w.id: w for w in s.scalars(select(Warning_))}
        datasets = s.execute(select(Dataset.sha256, func.count()).group_by(Dataset.sha256)).all()
        keys = s.execute(select(Alarm.source, Alarm.condition, func.count()).where(Alarm.active_key.is_not(None))
                         .group_by(Alarm.source, Alarm.condition)).all()
    # every acknowledgement printed as committed survived, with exactly one audit entry each, and vice versa
    ack_entries = [p["alarm_id"] for p in log.loc[log["action"] == "alarm.ack", "payload"]]
    assert committed["ACK"] <= set(acked) and sorted(ack_entries) == sorted(acked)
    # every decision printed as committed survived; each approved warning has one approval entry and one proposal
    assert committed["DECIDED"] <= set(warnings)
    approvals = [p["warning_id"] for a, p in zip(log["action"], log["payload"]) if a in ("warning.issue", "warning.lift")]
    proposals = [p["warning_id"] for a, p in zip(log["action"], log["payload"]) if a == "warning.propose"]
    assert sorted(approvals) == sorted(proposals) == sorted(warnings)
    assert len(approvals) == TARGET
    # every hour ingested exactly once, all values present, no alarm duplicated
    assert len(datasets) == HOURS and all(n == 1 for _, n in datasets)
    ds = Repository(store).load(kind="station", variables=["AQI", "PM2.5"])
    assert int(ds["AQI"].notnull().sum()) == HOURS * 8 and int(ds["PM2.5"].notnull().sum()) == HOURS * 8
    assert all(n == 1 for *_, n in keys)
