"""Alarms with the ISA-18.2 lifecycle.

States: ``UNACK_ACTIVE`` (new) → ack → ``ACK_ACTIVE`` → condition clears → ``NORMAL``;
``UNACK_ACTIVE`` → condition clears → ``UNACK_RTN`` (returned to normal, unacknowledged) → ack → ``NORMAL``;
any non-normal alarm can be ``SHELVED`` with a reason and an expiry, after which it comes back as new if
its condition still holds (else ``NORMAL``).  One alarm per source + condition while not normal
(``active_key`` is unique).  Priorities: 1 high, 2 medium, 3 low.

Conditions are computed by :func:`exceedance_conditions` (hourly AQI of stations and cities),
:func:`station_fault_conditions` (a station reporting no values), the feed service (feed faults) and
:func:`forecast_conditions` (warning recommendations without a matching warning in force).
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Iterable

import numpy as np
import pandas as pd
import xarray as xr
from sqlalchemy import select

from console.command.decisions import decide
from console.command.mode import ConsoleClock, clock as global_clock
from console.command.users import Actor
from console.errors import LantianError
from console.store.command_schema import Alarm
from console.store.db import Store

UNACK_ACTIVE, ACK_ACTIVE, UNACK_RTN, NORMAL, SHELVED = "UNACK_ACTIVE", "ACK_ACTIVE", "UNACK_RTN", "NORMAL", "SHELVED"
OPEN_STATES = (UNACK_ACTIVE, ACK_ACTIVE, UNACK_RTN, SHELVED)
HIGH, MEDIUM, LOW = 1, 2, 3
PRIORITY_NAMES = {HIGH: "high", MEDIUM: "medium", LOW: "low"}
#: (condition, AQI threshold, priority, applies to kinds)
EXCEEDANCE_LIMITS = (("aqi>200", 200, HIGH, ("station", "city")), ("aqi>150", 150, MEDIUM, ("station", "city")),
                     ("aqi>100", 100, LOW, ("city",)))


@dataclass
class Condition:
    """The current truth of one alarm condition of one source."""

    source: str
    condition: str
    category: str        # exceedance | forecast | feed | station
    priority: int
    active: bool
    message: str = ""
    city: str = ""
    value: float | None = None
    data_time: datetime | None = None

    @property
    def key(self) -> str:
        """De-duplication key."""
        return f"{self.source}|{self.condition}"


def _ts(t) -> datetime | None:
    return None if t is None else pd.Timestamp(t).to_pydatetime()


def exceedance_conditions(ds: xr.Dataset, sites: dict | None = None) -> list[Condition]:
    """Hourly-AQI exceedance conditions for the newest hour of each site in a delivered Dataset.

    ``sites`` (code → SiteInfo of the reader) supplies kind and city when the Dataset lacks them.
    """
    if "AQI" in ds:
        aqi = ds["AQI"]
    else:
        from models.aqi import hourly_aqi

        have = [v for v in ("SO2", "NO2", "CO", "O3", "PM10", "PM2.5") if v in ds]
        if not have:
            return []
        aqi = hourly_aqi(ds[have], convention="published")["aqi"]
    vals = np.asarray(aqi.transpose("site", "time").values, dtype=float)
    if vals.size == 0:
        return []
    ok = ~np.isnan(vals)
    has = ok.any(axis=1)
    last = np.where(has, vals.shape[1] - 1 - np.argmax(ok[:, ::-1], axis=1), 0)
    times = pd.DatetimeIndex(ds["time"].values)
    latest = vals[np.arange(len(vals)), last]
    sites_ = [str(s) for s in ds["site"].values]
    if "kind" in ds.coords:
        kinds = [str(k) for k in ds["kind"].values]
    else:
        kinds = [getattr((sites or {}).get(s), "kind", "station") for s in sites_]
    if "city" in ds.coords:
        cities = [str(c) for c in ds["city"].values]
    else:
        cities = [getattr((sites or {}).get(s), "city_code", "") or "" for s in sites_]
    out = []
    for i in np.flatnonzero(has):
        kind = kinds[i] if kinds[i] in ("station", "city") else "station"
        t = times[last[i]].to_pydatetime()
        for cond, thr, prio, applies in EXCEEDANCE_LIMITS:
            if kind not in applies:
                continue
            v = float(latest[i])
            out.append(Condition(sites_[i], cond, "exceedance", prio, v > thr,
                                 f"{kind} {sites_[i]}: hourly AQI {v:.0f} > {thr} at {t:%Y-%m-%d %H:%M}" if v > thr else "",
                                 cities[i] if kind == "station" else sites_[i], v, t))
    return out


def station_fault_conditions(ds: xr.Dataset, pollutants: Iterable[str] = ("PM2.5", "PM10", "SO2", "NO2", "O3", "CO")) -> list[Condition]:
    """A station whose newest delivered hour carries no pollutant value at all → a station fault."""
    have = [p for p in pollutants if p in ds]
    if not have or ds.sizes.get("time", 0) == 0:
        return []
    last_t = pd.Timestamp(ds["time"].values[-1]).to_pydatetime()
    sl = ds[have].isel(time=-1)
    empty = np.all(np.isnan(np.stack([np.asarray(sl[p].values, float) for p in have])), axis=0)
    kinds = [str(k) for k in ds["kind"].values] if "kind" in ds.coords else ["station"] * ds.sizes["site"]
    out = []
    for i, site in enumerate(ds["site"].values):
        out.append(Condition(str(site), "no-data", "station", LOW, bool(empty[i]),
                             f"{kinds[i]} {site}: no pollutant values at {last_t:%Y-%m-%d %H:%M}" if empty[i] else "",
                             "", None, last_t))
    return out


def forecast_conditions(recommendations, active: dict[str, str], data_time: datetime | None = None) -> list[Condition]:
    """A recommended warning level above the level in force → a forecast alarm (orange/red high, yellow medium)."""
    from models.warnings import RANK

    out = []
    for r in recommendations:
        for lv in ("yellow", "orange", "red"):
            holds = r.level == lv and RANK[r.level] > RANK[active.get(r.city, "none")]
            out.append(Condition(r.city, f"recommend-{lv}", "forecast", MEDIUM if lv == "yellow" else HIGH, holds,
                                 f"{r.city}: {r.basis} recommends {lv} warning ({r.scheme_version}); in force: "
                                 f"{active.get(r.city, 'none')}" if holds else "", r.city, None, data_time))
    return out


class AlarmService:
    """Raises, clears, acknowledges and shelves alarms in the store."""

    def __init__(self, store: Store, clock: ConsoleClock | None = None):
        self.store = store
        self.clock = clock or global_clock()

    # ------------------------------------------------------------------ automatic (not decisions)
    def apply(self, conditions: list[Condition]) -> dict[str, int]:
        """Apply condition states; returns counts of raised / cleared / updated alarms (one transaction)."""
        now = self.clock.now()
        raised = cleared = updated = 0
        if not conditions:
            return {"raised": 0, "cleared": 0, "updated": 0}
        with self.store.session.begin() as s:
            sources = sorted({c.source for c in conditions})
            existing: dict[str, Alarm] = {}
            for k in range(0, len(sources), 900):
                for a in s.scalars(select(Alarm).where(Alarm.active_key.is_not(None),
                                                       Alarm.source.in_(sources[k:k + 900]))):
                    existing[a.active_key] = a
            new_rows = []
            for c in conditions:
                a = existing.get(c.key)
                if a is not None and a.data_time and c.data_time and c.data_time < a.data_time:
                    continue  # a late, older hour never overrides a newer evaluation
                if a is None:
                    if c.active:
                        new_rows.append(dict(source=c.source, condition=c.condition, category=c.category,
                                             priority=c.priority, state=UNACK_ACTIVE, active=1, active_key=c.key,
                                             message=c.message, city=c.city, value=c.value, raised_at=now,
                                             data_time=c.data_time, occurrences=1))
                        raised += 1
                    continue
                if c.active:
                    if not a.active:
                        a.occurrences += 1
                        if a.state == UNACK_RTN:
                            a.state = UNACK_ACTIVE
                        elif a.state == NORMAL:  # pragma: no cover - normal alarms have no key
                            a.state = UNACK_ACTIVE
                    a.active, a.value, a.data_time, a.cleared_at = 1, c.value, c.data_time, None
                    a.message = c.message or a.message
                    updated += 1
                elif a.active:
                    a.active, a.cleared_at, a.data_time = 0, now, c.data_time or a.data_time
                    if a.state == UNACK_ACTIVE:
                        a.state = UNACK_RTN
                    elif a.state == ACK_ACTIVE:
                        a.state, a.active_key = NORMAL, None
                    cleared += 1
            if new_rows:
                s.execute(Alarm.__table__.insert(), new_rows)
        return {"raised": raised, "cleared": cleared, "updated": updated}

    def expire_shelving(self) -> int:
        """Return shelved alarms whose shelving expired: as new if still active, else to normal."""
        now = self.clock.now()
        n = 0
        with self.store.session.begin() as s:
            for a in s.scalars(select(Alarm).where(Alarm.state == SHELVED, Alarm.shelved_until <= now)):
                n += 1
                if a.active:
                    a.state = UNACK_ACTIVE
                else:
                    a.state, a.active_key = NORMAL, None
        return n

    # ------------------------------------------------------------------ operator decisions (audited)
    def acknowledge(self, actor: Actor, alarm_id: int, reason: str = "acknowledged") -> str:
        """Acknowledge an alarm; returns its new state."""
        with decide(self.store, actor, "alarm.ack", self.clock) as tx:
            a = tx.session.get(Alarm, alarm_id)
            if a is None:
                raise LantianError(f"no alarm {alarm_id}")
            if a.state == UNACK_ACTIVE:
                a.state = ACK_ACTIVE
            elif a.state == UNACK_RTN:
                a.state, a.active_key = NORMAL, None
            else:
                raise LantianError(f"alarm {alarm_id} is {a.state}; only unacknowledged alarms can be acknowledged")
            a.acked_at, a.acked_by = tx.clock.now(), actor.name
            tx.record("alarm.ack", f"alarm {a.id}", reason or "acknowledged",
                      {"alarm_id": a.id, "source": a.source, "condition": a.condition, "category": a.category,
                       "priority": a.priority, "state": a.state})
            return a.state

    def shelve(self, actor: Actor, alarm_id: int, reason: str, hours: float = 8.0) -> datetime:
        """Shelve an open alarm for ``hours`` (at most 24) with a reason; returns the expiry."""
        if not reason or not reason.strip():
            raise LantianError("shelving needs a reason")
        if not 0 < hours <= 24:
            raise LantianError("shelving lasts more than 0 and at most 24 hours")
        with decide(self.store, actor, "alarm.shelve", self.clock) as tx:
            a = tx.session.get(Alarm, alarm_id)
            if a is None or a.state not in (UNACK_ACTIVE, ACK_ACTIVE, UNACK_RTN):
                raise LantianError(f"alarm {alarm_id} is not open and cannot be shelved")
            until = tx.clock.now() + timedelta(hours=hours)
            a.state, a.shelved_until, a.shelved_by, a.shelve_reason = SHELVED, until, actor.name, reason.strip()
            tx.record("alarm.shelve", f"alarm {a.id}", reason.strip(),
                      {"alarm_id": a.id, "source": a.source, "condition": a.condition, "until": until.isoformat()})
            return until

    def unshelve(self, actor: Actor, alarm_id: int, reason: str = "unshelved") -> None:
        """End shelving early."""
        with decide(self.store, actor, "alarm.shelve", self.clock) as tx:
            a = tx.session.get(Alarm, alarm_id)
            if a is None or a.state != SHELVED:
                raise LantianError(f"alarm {alarm_id} is not shelved")
            if a.active:
                a.state = UNACK_ACTIVE
            else:
                a.state, a.active_key = NORMAL, None
            a.shelved_until = None
            tx.record("alarm.unshelve", f"alarm {a.id}", reason, {"alarm_id": a.id})

    # ------------------------------------------------------------------ reading
    def table(self, states: Iterable[str] | None = OPEN_STATES, priority: int | None = None,
              category: str | None = None, city: str | None = None, text: str | None = None,
              limit: int | None = None) -> pd.DataFrame:
        """Alarms matching the filters, highest priority and newest first."""
        cols = ["id", "priority", "state", "category", "source", "condition", "city", "value", "message", "raised_at",
                "data_time", "cleared_at", "acked_by", "acked_at", "shelved_until", "shelve_reason", "occurrences",
                "active"]
        with self.store.session() as s:
            q = select(*[getattr(Alarm, c) for c in cols])
            if states is not None:
                q = q.where(Alarm.state.in_(list(states)))
            if priority is not None:
                q = q.where(Alarm.priority <= priority)
            if category:
                q = q.where(Alarm.category == category)
            if city:
                q = q.where(Alarm.city == city)
            if text:
                q = q.where(Alarm.message.like(f"%{text}%") | Alarm.source.like(f"%{text}%"))
            q = q.order_by(Alarm.priority, Alarm.id.desc())
            if limit:
                q = q.limit(limit)
            return pd.DataFrame(s.execute(q).all(), columns=cols)

    def counts(self) -> dict[str, int]:
        """Open alarms per state, and unacknowledged high-priority ones (two small aggregate queries)."""
        from sqlalchemy import func

        with self.store.session() as s:
            per_state = dict(s.execute(select(Alarm.state, func.count()).where(Alarm.state.in_(OPEN_STATES))
                                       .group_by(Alarm.state)).all())
            high = s.scalar(select(func.count()).select_from(Alarm).where(
                Alarm.state.in_([UNACK_ACTIVE, UNACK_RTN]), Alarm.priority == HIGH)) or 0
        out = {st: int(per_state.get(st, 0)) for st in OPEN_STATES}
        out["unack_high"] = int(high)
        return out
