"""Tables of episode command: users, the hash-chained audit log, alarms, warnings, handovers, feed state.

Same :class:`~console.store.schema.Base` as the observation store; created by migration 0002.
"""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import DateTime, Float, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from console.store.schema import Base


class AppUser(Base):
    """A console user with one role (operator | analyst | commander | admin)."""

    __tablename__ = "app_user"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(64), unique=True)
    role: Mapped[str] = mapped_column(String(16))
    pw_hash: Mapped[str] = mapped_column(String(256))
    active: Mapped[int] = mapped_column(Integer, default=1)
    created_at: Mapped[datetime] = mapped_column(DateTime)


class AuditHead(Base):
    """Single row (id 1): the end of the audit chain; locked by every append so the chain never forks."""

    __tablename__ = "audit_head"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    last_seq: Mapped[int] = mapped_column(Integer, default=0)
    last_hash: Mapped[str] = mapped_column(String(64), default="")


class AuditEntry(Base):
    """One decision: who (user, role), when (wall and console time), what, on what, why; hash-chained."""

    __tablename__ = "audit_entry"
    seq: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    ts: Mapped[datetime] = mapped_column(DateTime)               # wall clock, UTC
    console_time: Mapped[datetime | None] = mapped_column(DateTime)  # console clock (Beijing; simulated in drills)
    user: Mapped[str] = mapped_column(String(64))
    role: Mapped[str] = mapped_column(String(16))
    action: Mapped[str] = mapped_column(String(48), index=True)
    subject: Mapped[str] = mapped_column(String(128), default="")
    reason: Mapped[str] = mapped_column(Text, default="")
    payload: Mapped[str] = mapped_column(Text, default="{}")      # canonical JSON
    mode: Mapped[str] = mapped_column(String(8), default="LIVE")
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64))


class Alarm(Base):
    """An ISA-18.2 alarm: one per source + condition while not back to normal (``active_key`` is unique)."""

    __tablename__ = "alarm"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    source: Mapped[str] = mapped_column(String(96), index=True)     # station/city code, feed name …
    condition: Mapped[str] = mapped_column(String(64))              # e.g. aqi>200, feed-stale, no-data
    category: Mapped[str] = mapped_column(String(16))               # exceedance | forecast | feed | station
    priority: Mapped[int] = mapped_column(Integer)                  # 1 high, 2 medium, 3 low
    state: Mapped[str] = mapped_column(String(16), index=True)      # UNACK_ACTIVE ACK_ACTIVE UNACK_RTN NORMAL SHELVED
    active: Mapped[int] = mapped_column(Integer, default=1)         # the condition currently holds
    active_key: Mapped[str | None] = mapped_column(String(170), unique=True)  # source|condition until NORMAL
    message: Mapped[str] = mapped_column(Text, default="")
    city: Mapped[str] = mapped_column(String(16), default="")
    value: Mapped[float | None] = mapped_column(Float)
    raised_at: Mapped[datetime] = mapped_column(DateTime)           # console time
    data_time: Mapped[datetime | None] = mapped_column(DateTime)    # newest data hour evaluated
    cleared_at: Mapped[datetime | None] = mapped_column(DateTime)
    acked_at: Mapped[datetime | None] = mapped_column(DateTime)
    acked_by: Mapped[str | None] = mapped_column(String(64))
    shelved_until: Mapped[datetime | None] = mapped_column(DateTime)
    shelved_by: Mapped[str | None] = mapped_column(String(64))
    shelve_reason: Mapped[str | None] = mapped_column(Text)
    occurrences: Mapped[int] = mapped_column(Integer, default=1)


class Warning_(Base):
    """A heavy-pollution warning decision of one city: proposed → active (commander approved) → lifted."""

    __tablename__ = "warning"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    city: Mapped[str] = mapped_column(String(16), index=True)
    level: Mapped[str] = mapped_column(String(8))                   # yellow | orange | red | none (lift)
    action: Mapped[str] = mapped_column(String(12))                 # issue | upgrade | downgrade | lift
    status: Mapped[str] = mapped_column(String(12), index=True)     # pending | active | lifted | superseded | rejected | done
    scheme: Mapped[str] = mapped_column(String(32))
    scheme_version: Mapped[str] = mapped_column(String(48))
    evidence: Mapped[str] = mapped_column(Text, default="{}")
    reason: Mapped[str] = mapped_column(Text)
    proposed_by: Mapped[str] = mapped_column(String(64))
    proposed_at: Mapped[datetime] = mapped_column(DateTime)
    decided_by: Mapped[str | None] = mapped_column(String(64))
    decided_at: Mapped[datetime | None] = mapped_column(DateTime)
    ended_at: Mapped[datetime | None] = mapped_column(DateTime)
    replaces: Mapped[int | None] = mapped_column(Integer)


class Handover(Base):
    """A shift handover note; the incoming operator signs it, its open items carry over."""

    __tablename__ = "handover"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    created_at: Mapped[datetime] = mapped_column(DateTime)
    outgoing: Mapped[str] = mapped_column(String(64))
    incoming: Mapped[str | None] = mapped_column(String(64))
    signed_at: Mapped[datetime | None] = mapped_column(DateTime)
    note: Mapped[str] = mapped_column(Text, default="")
    items: Mapped[str] = mapped_column(Text, default="{}")          # JSON snapshot of open items
    status: Mapped[str] = mapped_column(String(12), default="draft")  # draft | signed


class FeedState(Base):
    """Health of one feed source, persisted so a restart knows since when the feed is stale."""

    __tablename__ = "feed_state"
    source: Mapped[str] = mapped_column(String(96), primary_key=True)
    kind: Mapped[str] = mapped_column(String(16))                   # folder | http | replay
    last_attempt: Mapped[datetime | None] = mapped_column(DateTime)
    last_success: Mapped[datetime | None] = mapped_column(DateTime)
    last_new_data: Mapped[datetime | None] = mapped_column(DateTime)
    latest_hour: Mapped[datetime | None] = mapped_column(DateTime)
    stale_since: Mapped[datetime | None] = mapped_column(DateTime)
    consecutive_failures: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt: Mapped[datetime | None] = mapped_column(DateTime)
    last_error: Mapped[str] = mapped_column(Text, default="")
    deliveries: Mapped[int] = mapped_column(Integer, default=0)
    bad_files: Mapped[str] = mapped_column(Text, default="[]")      # JSON list of sha256 of unreadable files
