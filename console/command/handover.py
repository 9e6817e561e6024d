"""Shift handover: a note built from open alarms, active warnings, episodes and pending decisions.

The outgoing operator creates it (a snapshot of the open items plus free text); the incoming
operator signs it, which is an audited decision.  Open items are not closed by a handover: they stay
open in their own tables and therefore carry over to the next shift, and the signed note lists them.
"""
from __future__ import annotations

import json
from dataclasses import dataclass, field

from sqlalchemy import select

from console.command.alarms import AlarmService, UNACK_ACTIVE, UNACK_RTN
from console.command.decisions import decide, warnings_table
from console.command.mode import ConsoleClock
from console.command.users import Actor
from console.errors import LantianError
from console.store.command_schema import Handover
from console.store.db import Store


@dataclass
class HandoverItems:
    """The open items at handover time."""

    open_alarms: list[dict] = field(default_factory=list)
    active_warnings: list[dict] = field(default_factory=list)
    pending_decisions: list[dict] = field(default_factory=list)
    episodes: list[dict] = field(default_factory=list)

    def to_dict(self) -> dict:
        return {"open_alarms": self.open_alarms, "active_warnings": self.active_warnings,
                "pending_decisions": self.pending_decisions, "episodes": self.episodes}

    def summary(self) -> str:
        """Short text for the note header."""
        unack = sum(1 for a in self.open_alarms if a["state"] in (UNACK_ACTIVE, UNACK_RTN))
        return (f"{len(self.open_alarms)} open alarms ({unack} unacknowledged), {len(self.active_warnings)} warnings "
                f"in force, {len(self.pending_decisions)} decisions pending, {len(self.episodes)} ongoing episodes")


def _rows(df) -> list[dict]:
    return [{k: (v.isoformat() if hasattr(v, "isoformat") else (None if v != v else v)) if not isinstance(v, str) else v
             for k, v in r.items()} for r in df.to_dict("records")]


def collect(store: Store, episodes: list[dict] | None = None) -> HandoverItems:
    """Gather the open items now (``episodes``: ongoing episodes as dicts, from :mod:`models.episodes`)."""
    alarms = AlarmService(store).table()
    cols = ["id", "priority", "state", "category", "source", "condition", "message", "raised_at"]
    return HandoverItems(open_alarms=_rows(alarms[cols]),
                         active_warnings=_rows(warnings_table(store, "active")[["id", "city", "level", "decided_at",
                                                                               "decided_by", "scheme_version"]]),
                         pending_decisions=_rows(warnings_table(store, "pending")[["id", "city", "level", "action",
                                                                                  "proposed_by", "proposed_at", "reason"]]),
                         episodes=episodes or [])


def ongoing_episodes(store: Store, days: int = 10) -> list[dict]:
    """City and regional episodes (default episode rules) still running on the newest day of city data."""
    import pandas as pd

    from console.command.observed import observed_city_aqi
    from console.store.repository import Repository
    from models import episodes as E

    repo = Repository(store)
    tr = repo.time_range(kind="city")
    if tr is None:
        return []
    try:
        obs = observed_city_aqi(repo, start=tr[1] - pd.Timedelta(days=days), end=tr[1])
    except ValueError:
        return []
    last = pd.DatetimeIndex(obs.daily["time"].values)[-1]
    return [e.to_dict() for e in E.detect(obs.daily, None, obs.hourly, obs.primary) if e.end >= last - pd.Timedelta(days=1)]


def render(items: HandoverItems, note: str = "") -> str:
    """Plain-text handover note."""
    lines = ["交接班记录 / Shift handover", items.summary(), ""]
    if note:
        lines += ["Note: " + note, ""]
    lines.append("Warnings in force:")
    lines += [f"  {w['city']}: {w['level']} since {w['decided_at']} ({w['scheme_version']})" for w in items.active_warnings] or ["  none"]
    lines.append("Pending decisions:")
    lines += [f"  #{p['id']} {p['action']} {p['level']} for {p['city']} by {p['proposed_by']}: {p['reason']}"
              for p in items.pending_decisions] or ["  none"]
    lines.append("Open alarms:")
    lines += [f"  #{a['id']} P{a['priority']} {a['state']} {a['source']} {a['condition']} {a['message']}"
              for a in items.open_alarms[:50]] or ["  none"]
    if len(items.open_alarms) > 50:
        lines.append(f"  … and {len(items.open_alarms) - 50} more")
    lines.append("Episodes:")
    lines += [f"  {e.get('kind')} {','.join(e.get('cities', []))} since {e.get('start')} peak {e.get('peak_aqi')}"
              for e in items.episodes] or ["  none"]
    return "\n".join(lines)


def create(store: Store, actor: Actor, note: str = "", episodes: list[dict] | None = None,
           clock: ConsoleClock | None = None) -> int:
    """The outgoing operator writes a handover note (audited); returns its id."""
    items = collect(store, episodes if episodes is not None else ongoing_episodes(store))
    with decide(store, actor, "handover.create", clock) as tx:
        h = Handover(created_at=tx.clock.now(), outgoing=actor.name, note=note,
                     items=json.dumps(items.to_dict(), ensure_ascii=False, default=str), status="draft")
        tx.session.add(h)
        tx.session.flush()
        tx.record("handover.create", f"handover {h.id}", note or "handover prepared",
                  {"handover_id": h.id, "summary": items.summary()})
        return h.id


def sign(store: Store, actor: Actor, handover_id: int, reason: str = "handover accepted",
         clock: ConsoleClock | None = None) -> None:
    """The incoming operator signs; open items carry over (they stay open)."""
    with decide(store, actor, "handover.sign", clock) as tx:
        h = tx.session.get(Handover, handover_id)
        if h is None or h.status != "draft":
            raise LantianError(f"handover {handover_id} is not waiting for a signature")
        if h.outgoing == actor.name:
            raise LantianError("the incoming operator must sign, not the outgoing one")
        h.incoming, h.signed_at, h.status = actor.name, tx.clock.now(), "signed"
        items = json.loads(h.items)
        tx.record("handover.sign", f"handover {h.id}", reason,
                  {"handover_id": h.id, "outgoing": h.outgoing, "open_alarms": len(items["open_alarms"]),
                   "active_warnings": len(items["active_warnings"]), "pending": len(items["pending_decisions"])})


def latest(store: Store) -> dict | None:
    """The newest handover as a dict (items parsed)."""
    with store.session() as s:
        h = s.scalar(select(Handover).order_by(Handover.id.desc()))
        if h is None:
            return None
        return {"id": h.id, "created_at": h.created_at, "outgoing": h.outgoing, "incoming": h.incoming,
                "signed_at": h.signed_at, "status": h.status, "note": h.note, "items": json.loads(h.items)}
