"""Drills: play a scenario file (versioned JSON) through the real feed, alarm and decision services,
then score the crew's response (timeliness, correctness, missed and extra decisions).

A scenario names a data stream (demo hours and a speed), injected faults (feed outage, station fault,
corrected data), the forecast the crew sees (``oracle``: the observed future daily AQI, clearly
labelled as a drill oracle; or ``persistence``) and the expected decisions with deadlines.  Drills
always run against their own store (a temporary SQLite file unless one is given), in DRILL mode,
so nothing reaches the live store.  Headless, the crew's responses can be scripted in a response file.
"""
from __future__ import annotations

import json
import tempfile
import time
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any, Callable

import numpy as np
import pandas as pd
import xarray as xr

from console.command import audit
from console.command.alarms import UNACK_ACTIVE, UNACK_RTN, AlarmService, forecast_conditions
from console.command.decisions import active_warnings, approve_warning, propose_warning, warnings_table
from console.command.feed import FeedService
from console.command.mode import ConsoleClock, Mode
from console.command.replay import ReplaySource
from console.command.users import Actor, add_user
from console.errors import LantianError
from console.store.db import Store
from models import warnings as wmodel
from models.air_standard import daily_statistics
from models.aqi import daily_aqi

SCHEMA, VERSION = "lantian-drill", 1
FAULT_TYPES = ("feed_outage", "station_fault", "corrected_data")
RESPONSE_ACTIONS = ("warning.propose", "warning.approve", "alarm.ack", "alarm.shelve")


# ------------------------------------------------------------------ scenario files
def _resolve(name: str) -> Path:
    p = Path(name)
    if p.exists():
        return p
    ref = resources.files("resources.drills").joinpath(name if name.endswith(".json") else f"{name}.json")
    if ref.is_file():
        return Path(str(ref))
    known = sorted(x.name[:-5] for x in resources.files("resources.drills").iterdir()
                   if x.name.endswith(".json") and not x.name.endswith(".responses.json"))
    raise LantianError(f"drill scenario '{name}' not found (built-in: {', '.join(known)})")


def at_time(start: pd.Timestamp, spec: str) -> pd.Timestamp:
    """'+30h' / '+2d' relative to the scenario start, or an absolute ISO time."""
    spec = str(spec).strip()
    if spec.startswith("+"):
        return start + pd.Timedelta(spec[1:])
    return pd.Timestamp(spec)


def load_scenario(name: str) -> dict[str, Any]:
    """Read and validate a scenario (path or built-in name); errors name the file and field."""
    path = _resolve(name)
    try:
        doc = json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as exc:
        raise LantianError(f"{path}: not valid JSON (line {exc.lineno}: {exc.msg})") from None
    def bad(field_: str, why: str):
        raise LantianError(f"{path}: field '{field_}': {why}")
    if doc.get("schema") != SCHEMA:
        bad("schema", f"expected '{SCHEMA}'")
    if doc.get("version") != VERSION:
        bad("version", f"this Lantian reads scenario version {VERSION}, the file has {doc.get('version')!r}")
    for k in ("id", "start", "end", "stream", "expected"):
        if k not in doc:
            bad(k, "missing")
    try:
        start, end = pd.Timestamp(doc["start"]), pd.Timestamp(doc["end"])
    except ValueError as exc:
        bad("start/end", str(exc))
    if end <= start:
        bad("end", "must be after start")
    for i, f in enumerate(doc.get("faults", [])):
        if f.get("type") not in FAULT_TYPES:
            bad(f"faults[{i}].type", f"one of {', '.join(FAULT_TYPES)}")
    for i, e in enumerate(doc["expected"]):
        if "action" not in e or "by" not in e:
            bad(f"expected[{i}]", "needs 'action' and 'by'")
    doc["_path"] = str(path)
    return doc


def load_responses(path: str | None) -> list[dict]:
    """Scripted crew responses (``{"responses": [{"at", "user", "action", …}]}``)."""
    if not path:
        return []
    try:
        doc = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as exc:
        raise LantianError(f"{path}: cannot read responses: {exc}") from None
    out = doc.get("responses", doc if isinstance(doc, list) else None)
    if not isinstance(out, list):
        raise LantianError(f"{path}: expected a list under 'responses'")
    for i, r in enumerate(out):
        if r.get("action") not in RESPONSE_ACTIONS:
            raise LantianError(f"{path}: responses[{i}].action must be one of {', '.join(RESPONSE_ACTIONS)}")
    return out


# ------------------------------------------------------------------ data
def stream_data(scn: dict) -> xr.Dataset:
    """The scenario's hourly city data (from the built-in demo) for start..end."""
    from console.demo import demo_file
    from console.ingest import read_file

    st = scn["stream"]
    if st.get("source", "demo") != "demo":
        raise LantianError("only the built-in demo stream is supported (stream.source = 'demo')")
    ds = read_file(demo_file(st.get("file", "guangxi_city_hourly.csv.gz"))).dataset
    ds = ds.assign_coords(kind=("site", np.array(["city"] * ds.sizes["site"], dtype=object)))
    start, end = pd.Timestamp(scn["start"]), pd.Timestamp(scn["end"])
    # the oracle forecast needs a few days after the end
    sl = ds.sel(time=slice(start - pd.Timedelta(days=2), end + pd.Timedelta(days=int(scn.get("forecast", {}).get("days", 3)) + 1)))
    if st.get("cities"):
        sl = sl.sel(site=[str(c) for c in st["cities"]])
    return sl


def oracle_daily(ds: xr.Dataset) -> xr.DataArray:
    """Observed daily AQI of the whole stream (the drill's 'perfect forecast')."""
    pol = [v for v in ("SO2", "NO2", "CO", "O3", "PM10", "PM2.5") if v in ds]
    return daily_aqi(daily_statistics(ds[pol]))["aqi"]


def forecast_at(daily: xr.DataArray, t: pd.Timestamp, days: int, method: str) -> xr.Dataset:
    """Forecast Dataset for D+1..D+days issued at ``t``."""
    d0 = t.normalize()
    if method == "persistence":
        return wmodel.persistence_forecast(daily.sel(time=slice(None, d0 - pd.Timedelta(days=1))), d0 - pd.Timedelta(days=1), days)
    fc = daily.sel(time=slice(d0 + pd.Timedelta(days=1), d0 + pd.Timedelta(days=days)))
    return xr.Dataset({"aqi": fc}, attrs={"source": "drill-oracle (observed future, not a real forecast)",
                                          "issued": t.isoformat()})


# ------------------------------------------------------------------ running
@dataclass
class DrillResult:
    """Outcome of a drill: the store it ran in, and its score."""

    scenario: str
    store_url: str
    hours: int
    score: dict[str, Any]
    log: list[str] = field(default_factory=list)


def _throwaway(store: Store) -> None:
    """A drill's temporary SQLite store needs no fsync per commit (it is thrown away)."""
    from sqlalchemy import event

    event.listen(store.engine, "connect", lambda c, _r: c.execute("PRAGMA synchronous=OFF"))
    store.engine.dispose()


def run_drill(scn: dict, store: Store | None = None, responses: list[dict] | None = None, speed: float | None = None,
              progress: Callable[[str], None] | None = None, sleep: Callable[[float], None] = time.sleep) -> DrillResult:
    """Play the scenario hour by hour through the feed, alarm and decision services; then score it.

    ``speed`` (simulated seconds per real second) paces the run like a live replay; None = as fast as possible.
    """
    start, end = pd.Timestamp(scn["start"]), pd.Timestamp(scn["end"])
    if store is None:
        tmp = Path(tempfile.mkdtemp(prefix="lantian-drill-"))
        store = Store(f"sqlite:///{tmp / 'drill.db'}")
        _throwaway(store)
    clk = ConsoleClock(Mode.DRILL, start.to_pydatetime())
    crew = {c["name"]: Actor(c["name"], c["role"]) for c in scn.get("crew", [])}
    for r in responses or []:
        crew.setdefault(r["user"], Actor(r["user"], r.get("role", "operator")))
    for a in crew.values():
        try:
            add_user(store, a.name, a.role, "drill")
        except LantianError:
            pass
    data = stream_data(scn)
    play = data.sel(time=slice(start, end))
    faults = scn.get("faults", [])
    src = ReplaySource(play, name=f"drill:{scn['id']}", kind="replay", tag=f"drill-{scn['id']}")
    for f in faults:
        t = at_time(start, f["at"])
        if f["type"] == "feed_outage":
            src.outages.append((t, t + pd.Timedelta(hours=f.get("hours", 2))))
        elif f["type"] == "station_fault":
            src.withheld.append((str(f["site"]), t, t + pd.Timedelta(hours=f.get("hours", 1) - 1)))
        elif f["type"] == "corrected_data":
            src.corrections.append({"at": t, "hour": at_time(start, f["hour"]), "site": str(f["site"]),
                                    "variable": f.get("variable", "PM2.5"), "factor": float(f.get("factor", 1.2)),
                                    "aqi_factor": float(f.get("factor", 1.2))})
    alarms = AlarmService(store, clk)
    feed = FeedService(store, [src], interval=3600, max_backoff=3600, stale_after=pd.Timedelta(hours=2), clock=clk,
                       alarms=alarms)
    fcfg = scn.get("forecast", {})
    method, fdays = fcfg.get("method", "oracle"), int(fcfg.get("days", 3))
    eval_hour, scheme = int(fcfg.get("evaluate_at_hour", 16)), fcfg.get("scheme")
    daily = oracle_daily(data)
    pending = sorted(responses or [], key=lambda r: at_time(start, r["at"]))
    log: list[str] = []
    hours = pd.date_range(start, end, freq="h")
    for t in hours:
        clk.sim_time = t.to_pydatetime()
        src.advance_to(t)
        for rep in feed.poll_once():
            if not rep.ok or rep.values_changed or rep.rejected_files:
                log.append(f"{t:%m-%d %H:%M} {rep}")
        alarms.expire_shelving()
        if t.hour == eval_hour:
            fc = forecast_at(daily, t, fdays, method)
            recs = wmodel.evaluate(fc, scheme)
            alarms.apply(forecast_conditions(recs, active_warnings(store), t.to_pydatetime()))
            for r in recs:
                if r.level != "none":
                    log.append(f"{t:%m-%d %H:%M} recommendation {r.city}: {r.level} ({r.basis}; {r.scheme_version})")
        while pending and at_time(start, pending[0]["at"]) <= t:
            r = pending.pop(0)
            try:
                msg = _respond(store, crew[r["user"]], r, clk, daily, t, fdays, method, scheme, alarms)
            except LantianError as exc:
                msg = f"response failed: {exc}"
            log.append(f"{t:%m-%d %H:%M} {r['user']}: {msg}")
        if progress:
            progress(f"{t:%Y-%m-%d %H:%M}")
        if speed:
            sleep(3600.0 / speed)
    score = score_drill(scn, store)
    return DrillResult(scn["id"], store.display_url, len(hours), score, log)


def _respond(store: Store, actor: Actor, r: dict, clk: ConsoleClock, daily, t, fdays, method, scheme,
             alarms: AlarmService) -> str:
    act = r["action"]
    if act == "warning.propose":
        recs = {x.city: x for x in wmodel.evaluate(forecast_at(daily, t, fdays, method), scheme)}
        wid = propose_warning(store, actor, str(r["city"]), r["level"], r.get("reason", "drill response"),
                              recommendation=recs.get(str(r["city"])), scheme=scheme, clock=clk,
                              override_lift_rule=bool(r.get("override")))
        return f"proposed {r['level']} for {r['city']} (#{wid})"
    if act == "warning.approve":
        df = warnings_table(store, "pending")
        df = df[df["city"] == str(r["city"])]
        if df.empty:
            raise LantianError(f"no pending warning for {r['city']}")
        approve_warning(store, actor, int(df["id"].iloc[0]), r.get("reason", "approved"), clock=clk)
        return f"approved #{int(df['id'].iloc[0])}"
    df = alarms.table(states=(UNACK_ACTIVE, UNACK_RTN) if act == "alarm.ack" else None)
    for k in ("category", "condition", "source"):
        if r.get(k):
            df = df[df[k] == r[k]]
    if df.empty:
        raise LantianError(f"no alarm matches {r}")
    aid = int(df["id"].iloc[0])
    if act == "alarm.ack":
        alarms.acknowledge(actor, aid, r.get("reason", "acknowledged"))
        return f"acknowledged alarm {aid}"
    alarms.shelve(actor, aid, r.get("reason", "shelved in drill"), float(r.get("hours", 4)))
    return f"shelved alarm {aid}"


# ------------------------------------------------------------------ scoring
def score_drill(scn: dict, store: Store) -> dict[str, Any]:
    """Match the audit log against the expected decisions.

    Each expected decision scores 1 if made by its deadline, 0.5 if late, 0 if missed; every warning
    decision not expected is an *extra* (−0.25).  Score = 100 × (points − 0.25 × extras) / expected.
    """
    start = pd.Timestamp(scn["start"])
    log = audit.entries(store)
    used: set[int] = set()
    items = []
    for e in scn["expected"]:
        deadline = at_time(start, e["by"])
        match = None
        for row in log.itertuples():
            if row.seq in used or row.action != e["action"]:
                continue
            p = row.payload
            if any(str(p.get(k)) != str(e[k]) for k in ("city", "level", "category", "condition") if k in e):
                continue
            match = row
            break
        if match is None:
            items.append({"id": e.get("id", e["action"]), "expected": e, "result": "missed", "points": 0.0})
            continue
        used.add(match.seq)
        t = pd.Timestamp(match.console_time)
        late_h = (t - deadline) / pd.Timedelta(hours=1)
        on_time = late_h <= 0
        items.append({"id": e.get("id", e["action"]), "expected": e, "result": "on time" if on_time else "late",
                      "at": t.isoformat(), "hours_vs_deadline": round(float(late_h), 2),
                      "by": match.user, "points": 1.0 if on_time else 0.5})
    decision_actions = ("warning.issue", "warning.upgrade", "warning.downgrade", "warning.lift")
    extras = [{"seq": int(r.seq), "action": r.action, "city": r.payload.get("city"), "level": r.payload.get("level"),
               "at": pd.Timestamp(r.console_time).isoformat()}
              for r in log.itertuples() if r.action in decision_actions and r.seq not in used]
    n = max(1, len(scn["expected"]))
    points = sum(i["points"] for i in items)
    matched = [i for i in items if i["result"] != "missed"]
    return {"scenario": scn["id"], "expected": len(scn["expected"]), "on_time": sum(i["result"] == "on time" for i in items),
            "late": sum(i["result"] == "late" for i in items), "missed": sum(i["result"] == "missed" for i in items),
            "extra": len(extras), "correctness": round(len(matched) / n, 3),
            "timeliness_hours_mean": round(float(np.mean([i["hours_vs_deadline"] for i in matched])), 2) if matched else None,
            "score": round(max(0.0, 100.0 * (points - 0.25 * len(extras)) / n), 1),
            "items": items, "extras": extras, "audit_ok": audit.verify(store).ok}


def format_score(score: dict) -> str:
    """Human-readable score sheet."""
    lines = [f"Drill {score['scenario']}: score {score['score']}/100 — {score['on_time']} on time, {score['late']} late, "
             f"{score['missed']} missed, {score['extra']} extra (correctness {score['correctness']:.0%}"
             + (f", mean {score['timeliness_hours_mean']:+.1f} h vs deadline" if score["timeliness_hours_mean"] is not None else "")
             + ")"]
    for i in score["items"]:
        e = i["expected"]
        what = " ".join(str(e[k]) for k in ("action", "city", "level", "category", "condition") if k in e)
        extra = f" at {i['at']} by {i['by']} ({i['hours_vs_deadline']:+.1f} h)" if "at" in i else ""
        lines.append(f"  [{i['result']:>7}] {i['id']}: {what} by {e['by']}{extra}")
    for x in score["extras"]:
        lines.append(f"  [  extra] {x['action']} {x['city']} {x['level']} at {x['at']}")
    lines.append(f"  audit chain: {'OK' if score['audit_ok'] else 'BROKEN'}")
    return "\n".join(lines)
