"""The state a console reads after each new hour: mode, clock, latest city AQI, alarms, warnings, feeds.

Built in a handful of small queries so the UI can refresh right after an ingest commit
(measured in benchmarks/bench_national_hour.py).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

import pandas as pd
from sqlalchemy import func, select

from console.command.alarms import HIGH, OPEN_STATES, UNACK_ACTIVE, UNACK_RTN
from console.command.mode import ConsoleClock, clock as global_clock
from console.store.command_schema import Alarm, FeedState, Warning_
from console.store.db import Store
from console.store.repository import Repository


@dataclass
class ConsoleSnapshot:
    """Everything the command panels show at a glance."""

    mode: str
    console_time: datetime
    banner: tuple[str, str, str]
    latest_hour: pd.Timestamp | None
    city_aqi: dict[str, float]
    alarm_counts: dict[str, int]
    unacked_high: list[dict]
    max_alarm_id: int
    active_warnings: dict[str, str]
    pending_warnings: int
    feeds: list[dict] = field(default_factory=list)


def build(store: Store, clock: ConsoleClock | None = None, hours: int = 3) -> ConsoleSnapshot:
    """Read the snapshot (city AQI of the newest hour among the last ``hours`` of the feed)."""
    from console.command.feed import feed_status

    clk = clock or global_clock()
    repo = Repository(store)
    with store.session() as s:
        counts = dict(s.execute(select(Alarm.state, func.count()).where(Alarm.state.in_(OPEN_STATES))
                                .group_by(Alarm.state)).all())
        high = [dict(id=r[0], source=r[1], condition=r[2], message=r[3], state=r[4]) for r in s.execute(
            select(Alarm.id, Alarm.source, Alarm.condition, Alarm.message, Alarm.state)
            .where(Alarm.priority == HIGH, Alarm.state.in_([UNACK_ACTIVE, UNACK_RTN])).order_by(Alarm.id.desc()).limit(50))]
        max_id = s.scalar(select(func.max(Alarm.id))) or 0
        active = dict(s.execute(select(Warning_.city, Warning_.level).where(Warning_.status == "active")).all())
        pending = s.scalar(select(func.count()).select_from(Warning_).where(Warning_.status == "pending")) or 0
        feeds = [feed_status(f) for f in s.scalars(select(FeedState))]
        latest = max((f["latest_hour"] for f in feeds if f["latest_hour"] is not None), default=None)
    city_aqi: dict[str, float] = {}
    if latest is not None:
        ds = repo.load(kind="city", variables=None, start=pd.Timestamp(latest) - pd.Timedelta(hours=hours - 1),
                       end=pd.Timestamp(latest))
        if "AQI" in ds and ds.sizes.get("time", 0):
            a = ds["AQI"]
            for site in a["site"].values:
                v = a.sel(site=site).dropna("time")
                if v.size:
                    city_aqi[str(site)] = float(v.values[-1])
    return ConsoleSnapshot(clk.mode.value, clk.now(), clk.banner(), pd.Timestamp(latest) if latest else None, city_aqi,
                           {st: int(counts.get(st, 0)) for st in OPEN_STATES}, high, int(max_id), active, int(pending),
                           feeds)
