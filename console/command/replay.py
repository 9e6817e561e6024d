"""Replay: a feed source that plays historical hours as if live, at a chosen speed (or step by step).

The console clock switches to REPLAY (or DRILL) and follows the newest delivered hour.  Drill faults
hook in here: feed outages (polls fail, the held-back hours arrive late afterwards), station faults
(a site's values withheld for some hours) and corrections (an earlier hour re-delivered with changed
values).
"""
from __future__ import annotations

import hashlib
import time
from dataclasses import dataclass, field
from datetime import datetime
from typing import Callable

import numpy as np
import pandas as pd
import xarray as xr

from console.command.feed import Delivery, FeedError
from console.ingest.common import ReadResult, SiteInfo, city_site


def _sites(ds: xr.Dataset) -> dict[str, SiteInfo]:
    out = {}
    kinds = ds["kind"].values if "kind" in ds.coords else ["city"] * ds.sizes["site"]
    for code, kind in zip(ds["site"].values, kinds):
        code = str(code)
        out[code] = city_site(code) if kind == "city" else SiteInfo(code=code, kind=str(kind))
    return out


def hour_result(ds: xr.Dataset, t: pd.Timestamp, tag: str = "replay") -> ReadResult:
    """One hour of a site × time Dataset as a feed payload (hash of tag, hour and values)."""
    one = ds.sel(time=[np.datetime64(t)])
    h = hashlib.sha256(f"{tag}|{t.isoformat()}".encode())
    for name in sorted(one.data_vars):
        h.update(name.encode())
        h.update(np.ascontiguousarray(one[name].values, dtype="<f8").tobytes())
    return ReadResult(f"{tag}://{t:%Y-%m-%dT%H:%M}", tag, one, _sites(ds), [], rows_read=one.sizes["site"],
                      sha256=h.hexdigest())


@dataclass
class ReplaySource:
    """Plays the hours of ``data`` (site × hour) in order.

    With ``speed`` (simulated seconds per real second; 3600 = one hour per second) hours become due as
    real time passes; with :meth:`advance_to` a driver (drill, tests) steps the simulated time itself.
    """

    data: xr.Dataset
    speed: float | None = None
    name: str = "replay"
    kind: str = "replay"
    tag: str = "replay"
    outages: list[tuple[pd.Timestamp, pd.Timestamp]] = field(default_factory=list)
    withheld: list[tuple[str, pd.Timestamp, pd.Timestamp]] = field(default_factory=list)   # site, from, to
    corrections: list[dict] = field(default_factory=list)   # {at, hour, site, variable, factor}
    on_time: Callable[[datetime], None] | None = None
    wall: Callable[[], float] = time.monotonic

    def __post_init__(self):
        self.hours = pd.DatetimeIndex(self.data["time"].values)
        self.sim_now = self.hours[0] if len(self.hours) else None
        self._delivered: set[pd.Timestamp] = set()
        self._done_corrections: set[int] = set()
        self._t0 = None

    @property
    def finished(self) -> bool:
        """All hours delivered."""
        return len(self._delivered) == len(self.hours)

    def advance_to(self, t: pd.Timestamp) -> None:
        """Set the simulated time (step mode)."""
        self.sim_now = pd.Timestamp(t)

    def _tick(self) -> None:
        if self.speed:
            if self._t0 is None:
                self._t0 = self.wall()
            self.sim_now = self.hours[0] + pd.Timedelta(seconds=(self.wall() - self._t0) * self.speed)
        if self.on_time:
            self.on_time(self.sim_now.floor("s").to_pydatetime())

    def _payload(self, t: pd.Timestamp, tag: str, patch: dict | None = None) -> ReadResult:
        ds = self.data
        masked = [s for s, a, b in self.withheld if a <= t <= b]
        if masked or patch:
            ds = ds.sel(time=[np.datetime64(t)]).copy(deep=True)
            for s in masked:
                for v in ds.data_vars:
                    ds[v].loc[dict(site=s)] = np.nan
            if patch:
                ds[patch["variable"]].loc[dict(site=patch["site"])] = ds[patch["variable"]].sel(site=patch["site"]).values * patch["factor"]
                if "AQI" in ds and patch.get("aqi_factor"):
                    ds["AQI"].loc[dict(site=patch["site"])] = np.ceil(ds["AQI"].sel(site=patch["site"]).values * patch["aqi_factor"])
            tag = f"{tag}-masked" if masked and not patch else tag
        return hour_result(ds, t, tag)

    def fetch(self, known: Callable[[str], bool]) -> list[Delivery]:
        self._tick()
        now = self.sim_now
        if any(a <= now < b for a, b in self.outages):
            raise FeedError(f"{self.name}: feed outage (simulated) at {now:%Y-%m-%d %H:%M}")
        out = []
        for t in self.hours[self.hours <= now]:
            if t in self._delivered:
                continue
            r = self._payload(t, self.tag)
            self._delivered.add(t)
            if not known(r.sha256):
                out.append(Delivery(r.path, r.sha256, result=r))
        for i, c in enumerate(self.corrections):
            if i in self._done_corrections or pd.Timestamp(c["at"]) > now:
                continue
            self._done_corrections.add(i)
            r = self._payload(pd.Timestamp(c["hour"]), f"{self.tag}-corrected-{i}", c)
            out.append(Delivery(r.path, r.sha256, result=r))
        return out


def replay_period(source, target, start, end, speed: float | None = 3600.0, kind: str = "city",
                  clock=None, report=None, sleep=time.sleep, max_polls: int | None = None) -> int:
    """Replay the ``kind`` sites of store ``source`` between ``start`` and ``end`` into store ``target`` as if live.

    The console clock (REPLAY mode) follows the replayed hour; alarms are evaluated as in live operation.
    ``speed`` = simulated seconds per real second (None: as fast as possible).  Returns the hours delivered.
    """
    from console.command.feed import FeedService
    from console.command.mode import ConsoleClock, Mode
    from console.errors import LantianError
    from console.store.repository import Repository

    data = Repository(source).load(kind=kind, start=start, end=end)
    if data.sizes.get("time", 0) == 0 or not any(bool(v.notnull().any()) for v in data.data_vars.values()):
        raise LantianError(f"nothing to replay: no {kind} data between {start} and {end}")
    clk = clock or ConsoleClock()
    clk.set_mode(Mode.REPLAY, pd.Timestamp(data["time"].values[0]).to_pydatetime())
    src = ReplaySource(data, speed=speed, name=f"replay:{kind}", tag=f"replay-{kind}",
                       on_time=lambda t: setattr(clk, "sim_time", min(t, pd.Timestamp(data["time"].values[-1]).to_pydatetime())))
    feed = FeedService(target, [src], interval=0, clock=clk)
    delivered, polls = 0, 0
    while not src.finished and (max_polls is None or polls < max_polls):
        if speed is None:
            src.advance_to(src.hours[min(delivered, len(src.hours) - 1)])
        for rep in feed.poll_once(force=True):
            delivered += rep.deliveries
            if report and rep.deliveries:
                report(clk, rep)
        polls += 1
        if speed and not src.finished:
            sleep(min(1.0, 3600.0 / speed))
    return delivered
