"""Append-only, tamper-evident audit log: each entry's hash = sha256(previous hash + canonical JSON of the entry).

Appends lock the single ``audit_head`` row first (an UPDATE, which takes SQLite's write lock and a
PostgreSQL row lock), so concurrent consoles append one after another and the chain never forks.
:func:`verify` recomputes the chain and names the first broken entry.
"""
from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any

import pandas as pd
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from console.store.command_schema import AuditEntry, AuditHead
from console.store.db import Store

GENESIS = "0" * 64


def canonical(obj: Any) -> str:
    """Canonical JSON (sorted keys, no spaces, UTF-8 kept)."""
    return json.dumps(obj, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str)


def _iso(t: datetime | None) -> str | None:
    return None if t is None else t.replace(tzinfo=None).isoformat(timespec="microseconds")


def entry_body(e: AuditEntry) -> dict[str, Any]:
    """The hashed content of an entry."""
    return {"seq": e.seq, "ts": _iso(e.ts), "console_time": _iso(e.console_time), "user": e.user, "role": e.role,
            "action": e.action, "subject": e.subject, "reason": e.reason, "payload": json.loads(e.payload or "{}"),
            "mode": e.mode}


def entry_hash(prev_hash: str, body: dict[str, Any]) -> str:
    """sha256(prev_hash + canonical JSON)."""
    return hashlib.sha256((prev_hash + canonical(body)).encode("utf-8")).hexdigest()


def lock_head(s: Session) -> AuditHead:
    """Lock and return the chain head (call first in a decision transaction)."""
    s.execute(update(AuditHead).where(AuditHead.id == 1).values(last_seq=AuditHead.last_seq))
    head = s.scalar(select(AuditHead).where(AuditHead.id == 1).with_for_update())
    if head is None:  # pragma: no cover - created by migration 0002
        head = AuditHead(id=1, last_seq=0, last_hash="")
        s.add(head)
        s.flush()
    return head


def append(s: Session, head: AuditHead, user: str, role: str, action: str, subject: str = "", reason: str = "",
           payload: dict | None = None, console_time: datetime | None = None, mode: str = "LIVE") -> AuditEntry:
    """Append one entry inside the caller's transaction (the head must be locked by :func:`lock_head`)."""
    prev = head.last_hash or GENESIS
    e = AuditEntry(seq=head.last_seq + 1, ts=datetime.now(timezone.utc).replace(tzinfo=None),
                   console_time=console_time.replace(microsecond=console_time.microsecond) if console_time else None,
                   user=user, role=role, action=action, subject=subject, reason=reason or "",
                   payload=canonical(payload or {}), mode=mode, prev_hash=prev, hash="")
    e.hash = entry_hash(prev, entry_body(e))
    s.add(e)
    head.last_seq, head.last_hash = e.seq, e.hash
    s.flush()
    return e


@dataclass
class VerifyResult:
    """Outcome of :func:`verify`."""

    ok: bool
    entries: int
    first_broken: int | None = None
    reason: str = ""

    def __str__(self) -> str:
        if self.ok:
            return f"audit log OK: {self.entries} entries, hash chain intact"
        return f"audit log BROKEN at entry {self.first_broken}: {self.reason} ({self.entries} entries checked)"


def verify(store: Store) -> VerifyResult:
    """Recompute the chain; the first entry whose sequence, link or hash does not match is named."""
    prev, n, expect = GENESIS, 0, 1
    with store.session() as s:
        head = s.get(AuditHead, 1)
        for e in s.scalars(select(AuditEntry).order_by(AuditEntry.seq)).yield_per(2000):
            n += 1
            if e.seq != expect:
                return VerifyResult(False, n, expect, f"entry {expect} is missing (next entry is {e.seq})")
            if e.prev_hash != prev:
                return VerifyResult(False, n, e.seq, "link to the previous entry does not match")
            if entry_hash(prev, entry_body(e)) != e.hash:
                return VerifyResult(False, n, e.seq, "content does not match its hash (entry was altered)")
            prev, expect = e.hash, expect + 1
        if head is not None and head.last_seq != n:
            return VerifyResult(False, n, n + 1 if head.last_seq > n else head.last_seq,
                                f"chain head records {head.last_seq} entries but {n} exist (entries removed)")
        if head is not None and n and head.last_hash != prev:
            return VerifyResult(False, n, n, "chain head hash does not match the last entry")
    return VerifyResult(True, n)


def entries(store: Store, action: str | None = None, since_seq: int = 0) -> pd.DataFrame:
    """Audit entries as a table (newest last)."""
    with store.session() as s:
        q = select(AuditEntry.seq, AuditEntry.ts, AuditEntry.console_time, AuditEntry.user, AuditEntry.role,
                   AuditEntry.action, AuditEntry.subject, AuditEntry.reason, AuditEntry.payload, AuditEntry.mode,
                   AuditEntry.hash).where(AuditEntry.seq > since_seq).order_by(AuditEntry.seq)
        if action:
            q = q.where(AuditEntry.action.like(action.replace("*", "%")))
        rows = s.execute(q).all()
    df = pd.DataFrame(rows, columns=["seq", "ts", "console_time", "user", "role", "action", "subject", "reason",
                                     "payload", "mode", "hash"])
    df["payload"] = [json.loads(p) for p in df["payload"]]
    return df
