"""The command-line surface as a user runs it: feed, episodes, warnings, users, alarms, audit, drill."""
import os
import time

import numpy as np
import pandas as pd
import xarray as xr

from tests.console.command_helpers import DATA, city_csv, realtime_text
from console.cli import main
from tests.console.command_helpers import LocalServer as _Server


def run(db, *args):
    return main(["--db", db, *args])


def test_feed_cli_once_from_url_and_folder(store, home, capsys, tmp_path):
    srv = _Server()
    try:
        srv.body = realtime_text("2022-02-01T05:00:00", aqi={"1403A": 205}).encode()
        assert run(store.url, "feed", "run", "--url", srv.url, "--once") == 0
        out = capsys.readouterr().out
        assert "1 new deliveries" in out and "120 new values" in out and ": ok; latest hour 2022-02-01 05:00" in out
    finally:
        srv.close()
    assert run(store.url, "feed", "run", "--url", srv.url, "--once", "--timeout", "0.5") == 1   # server gone
    out = capsys.readouterr().out
    assert "FAILED" in out and "stale since" in out
    inbox = tmp_path / "in"
    inbox.mkdir()
    (inbox / "h6.csv").write_text(realtime_text("2022-02-01T06:00:00"), encoding="utf-8")
    os.utime(inbox / "h6.csv", (time.time() - 5, time.time() - 5))
    assert run(store.url, "feed", "run", "--watch", str(inbox), "--once") == 0
    assert "1 new deliveries" in capsys.readouterr().out
    assert run(store.url, "feed", "status") == 0
    st = capsys.readouterr().out
    assert "http:" in st and "stale since" in st and "folder:" in st
    assert run(store.url, "alarms", "list", "--priority", "1") == 0
    assert "1403A" in capsys.readouterr().out


def test_warnings_episodes_decisions_and_audit_cli(store, home, capsys, tmp_path, monkeypatch):
    f = tmp_path / "city.csv"
    city_csv(f)
    assert run(store.url, "ingest", str(f)) == 0
    capsys.readouterr()
    assert run(store.url, "episodes") == 0
    out = capsys.readouterr().out
    assert "来宾市" in out and "2019-01-22" in out and "1 city episodes" in out
    # no forecast: persistence, said plainly
    assert run(store.url, "warnings", "evaluate") == 0
    out = capsys.readouterr().out
    assert "NO FORECAST GIVEN — persistence" in out and "national-2024/1" in out
    assert [ln.split()[1] for ln in out.splitlines() if ln.startswith("来宾市")] == ["orange"]
    assert "forecast alarms: 1 raised" in out
    assert run(store.url, "alarms", "list", "--category", "forecast") == 0
    al = capsys.readouterr().out
    assert "451300" in al and "recommend-orange" in al
    # a forecast file
    fc = tmp_path / "fc.csv"
    fc.write_text("city,date,aqi,p_gt_150\n来宾市,2019-01-26,160,0.7\n来宾市,2019-01-27,170,0.8\n来宾市,2019-01-28,90,0.1\n"
                  "南宁,2019-01-26,60,0\n南宁,2019-01-27,60,0\n南宁,2019-01-28,60,0\n", encoding="utf-8")
    assert run(store.url, "warnings", "evaluate", "--forecast", str(fc), "--scheme", "national-2018") == 0
    out = capsys.readouterr().out
    assert "basis: forecast file" in out and "national-2018/1" in out
    assert run(store.url, "warnings", "evaluate", "--forecast", str(fc), "--json") == 0
    import json

    doc = json.loads(capsys.readouterr().out)
    r = {x["city"]: x for x in doc["recommendations"]}
    assert r["451300"]["level"] == "yellow" and r["451300"]["evidence"][0]["probabilities"]["p_gt_150"] == [0.7, 0.8]
    nc = tmp_path / "fc.nc"
    xr.Dataset({"aqi": (("site", "time"), np.array([[210.0, 120, 100]]))},
               coords={"site": ["451300"], "time": pd.date_range("2019-01-26", periods=3)}).to_netcdf(nc)
    assert run(store.url, "warnings", "evaluate", "--forecast", str(nc), "--no-alarms") == 0
    out = capsys.readouterr().out
    assert "basis: forecast file" in out and [ln.split()[1] for ln in out.splitlines() if ln.startswith("来宾市")] == ["yellow"]
    bad = tmp_path / "bad.csv"
    bad.write_text("city,date,aqi\n火星,2019-01-26,100\n", encoding="utf-8")
    assert run(store.url, "warnings", "evaluate", "--forecast", str(bad)) == 2
    assert "line 2, column 'city': unknown city '火星'" in capsys.readouterr().err
    # editable UNCONFIRMED thresholds
    assert run(store.url, "warnings", "set-threshold", "guangxi-2024", "yellow", "2", "aqi_gt", "120") == 0
    assert run(store.url, "warnings", "schemes") == 0
    out = capsys.readouterr().out
    assert "yellow[2]: AQI>120 for 72 h   [USER]" in out and "guangxi-2024/1+user" in out
    # users and decisions with roles
    monkeypatch.setenv("LANTIAN_NEW_PASSWORD", "s3cret")
    assert run(store.url, "users", "add", "wang", "--role", "operator") == 0
    assert run(store.url, "users", "add", "li", "--role", "commander") == 0
    monkeypatch.setenv("LANTIAN_PASSWORD", "s3cret")
    assert run(store.url, "warnings", "propose", "来宾", "orange", "--reason", "persistent AQI>150", "--user", "wang") == 0
    assert "pending" in capsys.readouterr().out
    assert run(store.url, "warnings", "approve", "1", "--user", "wang") == 2
    assert "needs role commander" in capsys.readouterr().err
    assert run(store.url, "warnings", "approve", "1", "--user", "li") == 0
    assert run(store.url, "warnings", "list") == 0
    assert "451300 orange" in capsys.readouterr().out
    assert run(store.url, "audit", "show") == 0
    out = capsys.readouterr().out
    assert "wang (operator) warning.propose 451300" in out and "li (commander) warning.issue 451300" in out
    assert run(store.url, "handover", "create", "--note", "watch Laibin", "--user", "wang") == 0
    assert run(store.url, "handover", "sign", "--user", "wang") == 2
    assert "incoming operator must sign" in capsys.readouterr().err
    assert run(store.url, "handover", "sign", "--user", "li") == 0
    assert run(store.url, "handover", "show", "--latest") == 0
    out = capsys.readouterr().out
    assert "signed by li" in out and "来宾市: orange (II)" in out and "watch Laibin" in out   # city names from the store
    assert run(store.url, "audit", "verify") == 0


def test_drill_cli(home, capsys, tmp_path):
    score = tmp_path / "score.json"
    assert main(["drill", "run", str(DATA / "drill_short.json"), "--responses", str(DATA / "drill_short.responses.json"),
                 "--score-json", str(score)]) == 0
    out = capsys.readouterr().out
    assert out.startswith("DRILL test-short") and "score 41.7/100" in out and "[   late] laibin-yellow" in out
    assert score.exists()
    assert main(["drill", "list"]) == 0
    assert "guangxi_2019_01_episode" in capsys.readouterr().out
