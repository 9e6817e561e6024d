"""The one door for decisions: role check, then the decision row AND its audit entry in ONE transaction.

Warnings: an operator/analyst proposes (issue, upgrade, downgrade or lift, with a reason and the
recommendation's evidence); the commander approves or rejects.  A commander's own proposal is
approved in the same transaction.  Lifting follows the scheme's lifting rule unless a commander
overrides it (the override is recorded).
"""
from __future__ import annotations

import json
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Iterator

import pandas as pd
from sqlalchemy import select
from sqlalchemy.orm import Session

from console.command import audit
from console.command.mode import ConsoleClock, clock as global_clock
from console.command.users import Actor, require
from console.errors import LantianError
from console.store.command_schema import Warning_
from console.store.db import Store
from models import warnings as wmodel


@dataclass
class DecisionTx:
    """An open decision transaction: session + locked audit head + who/when."""

    session: Session
    head: Any
    actor: Actor
    clock: ConsoleClock

    def record(self, action: str, subject: str = "", reason: str = "", payload: dict | None = None):
        """Append the audit entry of this decision."""
        return audit.append(self.session, self.head, self.actor.name, self.actor.role, action, subject, reason,
                            payload, console_time=self.clock.now(), mode=self.clock.mode.value)


@contextmanager
def decide(store: Store, actor: Actor, permission: str, clock: ConsoleClock | None = None) -> Iterator[DecisionTx]:
    """Check ``permission``, open a transaction and lock the audit head; commit on success, roll back on error."""
    require(actor, permission)
    with store.session.begin() as s:
        head = audit.lock_head(s)
        yield DecisionTx(s, head, actor, clock or global_clock())


def _need_reason(reason: str) -> str:
    if not reason or not reason.strip():
        raise LantianError("a reason is required for this decision")
    return reason.strip()


def active_level(s: Session, city: str) -> tuple[str, Warning_ | None]:
    """Level in force for a city and its warning row."""
    w = s.scalar(select(Warning_).where(Warning_.city == city, Warning_.status == "active").order_by(Warning_.id.desc()))
    return (w.level, w) if w else ("none", None)


def propose_warning(store: Store, actor: Actor, city: str, level: str, reason: str,
                    recommendation: wmodel.Recommendation | None = None, scheme: str | None = None,
                    override_lift_rule: bool = False, clock: ConsoleClock | None = None) -> int:
    """Propose issuing/upgrading/downgrading (``level``) or lifting (``level='none'``) a city's warning.

    Returns the warning id; a commander's proposal is approved at once.
    """
    reason = _need_reason(reason)
    if level not in wmodel.LEVELS:
        raise LantianError(f"unknown warning level '{level}' (levels: {', '.join(wmodel.LEVELS)})")
    sch = wmodel.scheme(scheme or (recommendation.scheme if recommendation else None))
    with decide(store, actor, "warning.propose", clock) as tx:
        s = tx.session
        current, _ = active_level(s, city)
        action = wmodel.escalation(current, level)
        if action == "keep":
            raise LantianError(f"{city} already has level {current}; nothing to decide")
        if action == "lift" and recommendation is not None and not recommendation.lift_allowed:
            if not (override_lift_rule and actor.role == "commander"):
                raise LantianError(f"lifting {city} does not follow scheme {sch['name']}: {recommendation.lift_reason} "
                                   f"(a commander may override with a reason)")
        for p in s.scalars(select(Warning_).where(Warning_.city == city, Warning_.status == "pending")):
            p.status, p.ended_at = "superseded", tx.clock.now()
        evidence = recommendation.to_dict() if recommendation else {}
        if override_lift_rule:
            evidence["lift_rule_overridden"] = True
        w = Warning_(city=city, level=level, action=action, status="pending", scheme=sch["name"],
                     scheme_version=sch["version"], evidence=json.dumps(evidence, ensure_ascii=False, default=str),
                     reason=reason, proposed_by=actor.name, proposed_at=tx.clock.now())
        s.add(w)
        s.flush()
        payload = {"warning_id": w.id, "city": city, "level": level, "action": action, "from_level": current,
                   "scheme": sch["name"], "scheme_version": sch["version"],
                   "basis": recommendation.basis if recommendation else None,
                   "recommended": recommendation.level if recommendation else None}
        tx.record("warning.propose", city, reason, payload)
        if actor.role == "commander":
            _approve(tx, w, reason)
        return w.id


def _approve(tx: DecisionTx, w: Warning_, reason: str) -> None:
    s, now = tx.session, tx.clock.now()
    current, cur = active_level(s, w.city)
    if cur is not None:
        cur.status, cur.ended_at = ("lifted" if w.action == "lift" else "superseded"), now
    w.status = "done" if w.action == "lift" else "active"
    w.decided_by, w.decided_at = tx.actor.name, now
    if w.action == "lift":
        w.ended_at = now
    w.replaces = cur.id if cur else None
    tx.record(f"warning.{w.action}", w.city, reason,
              {"warning_id": w.id, "city": w.city, "level": w.level, "from_level": current, "scheme": w.scheme,
               "scheme_version": w.scheme_version, "proposed_by": w.proposed_by})


def approve_warning(store: Store, actor: Actor, warning_id: int, reason: str = "approved",
                    clock: ConsoleClock | None = None) -> None:
    """Commander approves a pending proposal (it takes effect now)."""
    with decide(store, actor, "warning.approve", clock) as tx:
        w = tx.session.get(Warning_, warning_id)
        if w is None or w.status != "pending":
            raise LantianError(f"warning {warning_id} is not pending approval")
        _approve(tx, w, _need_reason(reason))


def reject_warning(store: Store, actor: Actor, warning_id: int, reason: str, clock: ConsoleClock | None = None) -> None:
    """Commander rejects a pending proposal."""
    with decide(store, actor, "warning.approve", clock) as tx:
        w = tx.session.get(Warning_, warning_id)
        if w is None or w.status != "pending":
            raise LantianError(f"warning {warning_id} is not pending approval")
        w.status, w.decided_by, w.decided_at = "rejected", actor.name, tx.clock.now()
        tx.record("warning.reject", w.city, _need_reason(reason), {"warning_id": w.id, "city": w.city, "level": w.level})


def warnings_table(store: Store, status: str | tuple[str, ...] | None = None) -> pd.DataFrame:
    """Warnings (optionally of some statuses), newest first."""
    cols = ["id", "city", "level", "action", "status", "scheme", "scheme_version", "reason", "proposed_by",
            "proposed_at", "decided_by", "decided_at", "ended_at"]
    with store.session() as s:
        q = select(*[getattr(Warning_, c) for c in cols]).order_by(Warning_.id.desc())
        if status:
            q = q.where(Warning_.status.in_([status] if isinstance(status, str) else list(status)))
        return pd.DataFrame(s.execute(q).all(), columns=cols)


def active_warnings(store: Store) -> dict[str, str]:
    """{city: level} of warnings in force."""
    df = warnings_table(store, "active")
    return dict(zip(df["city"], df["level"]))


def warning_periods(store: Store) -> pd.DataFrame:
    """Every approved warning with its start and end (None while in force) — for the timeline bands."""
    df = warnings_table(store, ("active", "superseded", "lifted"))
    df = df[df["decided_at"].notna()]
    return df[["id", "city", "level", "decided_at", "ended_at", "status"]].rename(columns={"decided_at": "start",
                                                                                           "ended_at": "end"})


def when(t: datetime | None) -> str:
    """Short time text."""
    return "" if t is None else f"{t:%Y-%m-%d %H:%M}"
