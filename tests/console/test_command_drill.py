"""Replay at a chosen speed, and drills: scenario validation, faults through the real services, scoring."""
import json
from datetime import datetime

import numpy as np
import pandas as pd
import pytest
import xarray as xr

from tests.console.command_helpers import DATA, city_csv
from console.command import audit, drill as D
from console.command.feed import FeedService
from console.command.mode import ConsoleClock, Mode
from console.command.replay import ReplaySource
from console.errors import LantianError
from console.store.repository import Repository


def hours_ds(n=6):
    t = pd.date_range("2019-01-22 01:00", periods=n, freq="h")
    return xr.Dataset({"AQI": (("site", "time"), np.arange(2 * n, dtype=float).reshape(2, n) + 50),
                       "PM2.5": (("site", "time"), np.full((2, n), 40.0))},
                      coords={"site": ["451300", "450100"], "time": t, "kind": ("site", ["city", "city"])})


def test_replay_plays_hours_at_speed(store):
    wall = {"t": 100.0}
    clk = ConsoleClock(Mode.REPLAY, datetime(2019, 1, 22, 1))
    src = ReplaySource(hours_ds(), speed=3600, wall=lambda: wall["t"], on_time=clk.move_to)
    feed = FeedService(store, [src], interval=0, clock=clk)
    assert feed.poll_once(force=True)[0].deliveries == 1          # t0: the first hour only
    wall["t"] += 2.5                                               # 2.5 s × 3600 = 2.5 simulated hours
    assert feed.poll_once(force=True)[0].deliveries == 2
    assert clk.now() == datetime(2019, 1, 22, 3, 30) and clk.mode is Mode.REPLAY
    wall["t"] += 100
    assert feed.poll_once(force=True)[0].deliveries == 3 and src.finished
    ds = Repository(store).load(kind="city", variables=["AQI"])
    assert int(ds["AQI"].notnull().sum()) == 12
    assert feed.poll_once(force=True)[0].deliveries == 0


def test_scenario_validation_names_field(tmp_path):
    assert D.load_scenario("guangxi_2019_01_episode")["id"] == "guangxi-2019-01-episode"
    bad = json.loads((DATA / "drill_short.json").read_text())
    bad["version"] = 2
    p = tmp_path / "s.json"
    p.write_text(json.dumps(bad))
    with pytest.raises(LantianError, match="field 'version'"):
        D.load_scenario(str(p))
    bad["version"], bad["faults"] = 1, [{"type": "meteor"}]
    p.write_text(json.dumps(bad))
    with pytest.raises(LantianError, match=r"faults\[0\].type"):
        D.load_scenario(str(p))
    with pytest.raises(LantianError, match="built-in: guangxi_2019_01_episode"):
        D.load_scenario("nope")


def test_short_drill_runs_faults_and_scores(home):
    scn = D.load_scenario(str(DATA / "drill_short.json"))
    res = D.run_drill(scn, responses=D.load_responses(str(DATA / "drill_short.responses.json")))
    s = res.score
    items = {i["id"]: i for i in s["items"]}
    assert items["ack-feed"]["result"] == "on time"
    assert items["ack-gap"]["result"] == "missed"
    assert items["laibin-yellow"]["result"] == "late" and items["laibin-yellow"]["hours_vs_deadline"] == 1.0
    assert s["extra"] == 1 and s["extras"][0]["city"] == "450100"
    assert s["score"] == pytest.approx(100 * (1 + 0.5 - 0.25) / 3, abs=0.1) and s["audit_ok"]
    log = "\n".join(res.log)
    assert "feed outage (simulated)" in log and "corrected" in log and "recommendation 451300: yellow" in log
    text = D.format_score(s)
    assert "[ missed] ack-gap" in text and "[  extra]" in text
    # the drill ran against its own store, in DRILL mode, and every hour arrived despite the outage
    from console.store.db import Store

    st = Store(res.store_url)
    ds = Repository(st).load(kind="city", variables=["AQI"], start="2019-01-22 01:00", end="2019-01-23 00:00")
    assert int(ds["AQI"].notnull().sum()) == 24 * 2 - 2   # Nanning's two withheld hours stay missing
    assert set(audit.entries(st)["mode"]) == {"DRILL"}


def test_replay_period_from_one_store_into_another(store, tmp_path):
    from console.command.mode import ConsoleClock
    from console.command.replay import replay_period
    from console.ingest import read_file
    from console.store.db import Store

    f = tmp_path / "city.csv"
    city_csv(f)
    Repository(store).ingest(read_file(f))
    target = Store(f"sqlite:///{tmp_path / 'replay.db'}")
    clk = ConsoleClock()
    seen = []
    n = replay_period(store, target, "2019-01-22T01:00", "2019-01-22T06:00", speed=None, clock=clk,
                      report=lambda c, rep: seen.append(c.now()))
    assert n == 6 and clk.mode is Mode.REPLAY and seen[-1] == datetime(2019, 1, 22, 6)
    a = Repository(target).load(kind="city", variables=["AQI"], start="2019-01-22T01:00", end="2019-01-22T06:00")
    b = Repository(store).load(kind="city", variables=["AQI"], start="2019-01-22T01:00", end="2019-01-22T06:00")
    assert int(a["AQI"].notnull().sum()) == 12 and (a["AQI"].values == b["AQI"].values).all()
    with pytest.raises(LantianError, match="nothing to replay"):
        replay_period(store, target, "2030-01-01", "2030-01-02", speed=None)
    target.close()
