"""Shift handover: a note built from open alarms, active warnings, episodes and pending decisions.

The outgoing operator creates it (a snapshot of the open items plus free text); the incoming
operator signs it, which is an audited decision.  Open items are not closed by a handover: they stay
open in their own tables and therefore carry over to the next shift, and the signed note lists them.
"""
from __future__ import annotations

import json
from dataclasses import dataclass, field

from sqlalchemy import select

from console.command.alarm_words import alarm_message, priority_words, state_words
from console.command.alarms import UNACK_ACTIVE, UNACK_RTN, AlarmService
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

    def summary(self, lang: str = "en") -> str:
        """Short text for the note header, in ``lang`` ("zh" or "en")."""
        unack = sum(1 for a in self.open_alarms if a["state"] in (UNACK_ACTIVE, UNACK_RTN))
        n = (len(self.open_alarms), unack, len(self.active_warnings), len(self.pending_decisions), len(self.episodes))
        if lang == "zh":
            return "未关闭报警 {} 条（未确认 {} 条），生效预警 {} 个，待决事项 {} 项，进行中的污染过程 {} 个".format(*n)
        return ("{} open alarms ({} unacknowledged), {} warnings in force, {} decisions pending, "
                "{} ongoing episodes").format(*n)


def _rows(df) -> list[dict]:
    return [{k: (v.isoformat() if hasattr(v, "isoformat") else (None if v != v else v)) if not isinstance(v, str) else v
             for k, v in r.items()} for r in df.to_dict("records")]


def collect(store: Store, episodes: list[dict] | None = None) -> HandoverItems:
    """Gather the open items now (``episodes``: ongoing episodes as dicts, from :mod:`models.episodes`)."""
    alarms = AlarmService(store).table()
    cols = ["id", "priority", "state", "category", "source", "condition", "message", "raised_at", "value", "data_time"]
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


# Words of the note for the stored codes (actions, levels and episode kinds read as themselves in English).
_ZH = {
    "title": "交接班记录", "note": "备注：", "warnings": "生效中的预警：", "pending": "待决事项：",
    "alarms": "未关闭报警：", "episodes": "污染过程：", "none": "  无", "more": "  …… 另有 {n} 条",
    "warning": "  {city}：{level}，自 {since} 起（{version}）",
    "decision": "  #{id} {city} {action}{level}，{by} 提出：{reason}",
    "alarm": "  #{id}【{priority}·{state}】{message}",   # the worded message names the place and condition
    "episode": "  {kind} {cities}，自 {start} 起，峰值 AQI {peak}",
    "action": {"issue": "发布", "upgrade": "升级为", "downgrade": "降级为", "lift": "解除", "keep": "维持"},
    "kind": {"city": "城市", "regional": "区域"},
}
_EN = {
    "title": "Shift handover", "note": "Note: ", "warnings": "Warnings in force:", "pending": "Pending decisions:",
    "alarms": "Open alarms:", "episodes": "Episodes:", "none": "  none", "more": "  … and {n} more",
    "warning": "  {city}: {level} since {since} ({version})",
    "decision": "  #{id} {action} {level} for {city} by {by}: {reason}",
    "alarm": "  #{id} {priority} {state} {source} {condition} {message}",
    "episode": "  {kind} {cities} since {start} peak {peak}",
}


def _timed(alarm: dict) -> dict:
    """An alarm row of a stored note with its data time parsed back (JSON keeps it as text)."""
    import pandas as pd

    t = pd.to_datetime(alarm.get("data_time"), errors="coerce")
    return {**alarm, "data_time": None if pd.isna(t) else t.to_pydatetime()}


def render(items: HandoverItems, note: str = "", lang: str = "en", names: dict[str, str] | None = None) -> str:
    """Plain-text handover note in ``lang`` ("zh" or "en"); ``names`` gives city codes their names
    (:func:`console.command.observed.store_city_names`).  Alarms are worded by :mod:`console.command.alarm_words`;
    the free-text note stays as it was written."""
    from models.warnings import level_names

    zh = lang == "zh"
    w = _ZH if zh else _EN
    levels = level_names()
    names = names or {}

    def city(code) -> str:
        return names.get(str(code), str(code))

    def level(code) -> str:
        return levels.get(code, {}).get("zh" if zh else "en", str(code))

    def word(kind: str, code):
        return w.get(kind, {}).get(code, code)

    lines = [w["title"], items.summary(lang), ""]
    if note:
        lines += [w["note"] + note, ""]
    lines.append(w["warnings"])
    lines += [w["warning"].format(city=city(x["city"]), level=level(x["level"]), since=x["decided_at"],
                                  version=x["scheme_version"]) for x in items.active_warnings] or [w["none"]]
    lines.append(w["pending"])
    lines += [w["decision"].format(id=x["id"], action=word("action", x["action"]), level=level(x["level"]),
                                   city=city(x["city"]), by=x["proposed_by"], reason=x["reason"])
              for x in items.pending_decisions] or [w["none"]]
    lines.append(w["alarms"])
    lines += [w["alarm"].format(id=a["id"], priority=priority_words(a["priority"], lang),
                                state=state_words(a["state"], lang), source=city(a["source"]), condition=a["condition"],
                                message=alarm_message(_timed(a), lang, names))
              for a in items.open_alarms[:50]] or [w["none"]]
    if len(items.open_alarms) > 50:
        lines.append(w["more"].format(n=len(items.open_alarms) - 50))
    lines.append(w["episodes"])
    joiner = "、" if zh else ","
    lines += [w["episode"].format(kind=word("kind", e.get("kind")), cities=joiner.join(map(city, e.get("cities", []))),
                                  start=e.get("start"), peak=e.get("peak_aqi")) for e in items.episodes] or [w["none"]]
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
