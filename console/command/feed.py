"""The live feed: polls a watched folder and/or an HTTP endpoint on a schedule and ingests new hours.

Late, duplicated, out-of-order and corrected deliveries are safe because the store is keyed by
site × variable × hour: the same bytes are skipped, a corrected value updates (flagged corrected), an
older hour fills its own slot.  Failures (timeouts, outages, bad files) are retried with exponential
back-off; the persisted :class:`~console.store.command_schema.FeedState` says since when the feed is
stale, and a feed-fault alarm is raised until data flows again.
"""
from __future__ import annotations

import hashlib
import http.client
import json
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Callable, Protocol

import pandas as pd

from console.atomic import atomic_write
from console.command.alarms import (HIGH, MEDIUM, LOW, AlarmService, Condition, exceedance_conditions,
                                    station_fault_conditions)
from console.command.mode import ConsoleClock, clock as global_clock
from console.errors import InputError, LantianError
from console.ingest import read_file
from console.ingest.common import ReadResult, file_sha256
from console.store.command_schema import FeedState
from console.store.db import Store, data_dir
from console.store.repository import IngestReport, Repository


class FeedError(Exception):
    """A source could not be polled (timeout, refused connection, HTTP error …)."""


@dataclass
class Delivery:
    """One payload from a source: a file on disk, or an already-read result (replay)."""

    name: str
    sha256: str
    path: Path | None = None
    result: ReadResult | None = None
    format: str | None = None


class Source(Protocol):
    """A feed source."""

    name: str
    kind: str

    def fetch(self, known: Callable[[str], bool]) -> list[Delivery]:
        """New deliveries (``known(sha)`` says whether a payload was already handled); raise FeedError."""


@dataclass
class FolderSource:
    """A watched folder where national-format files are dropped (written then renamed into place)."""

    folder: Path
    name: str = ""
    kind: str = "folder"
    patterns: tuple[str, ...] = ("*.csv", "*.csv.gz", "*.txt", "*.nc")
    settle_seconds: float = 1.0   # files modified more recently may still be being written

    def __post_init__(self):
        self.folder = Path(self.folder)
        self.name = self.name or f"folder:{self.folder}"
        self._seen: dict[tuple[str, float, int], str] = {}

    def fetch(self, known: Callable[[str], bool]) -> list[Delivery]:
        if not self.folder.is_dir():
            raise FeedError(f"watched folder {self.folder} does not exist or is not reachable")
        now = time.time()
        files = sorted({p for pat in self.patterns for p in self.folder.glob(pat) if p.is_file()},
                       key=lambda p: (p.stat().st_mtime, p.name))
        out = []
        for p in files:
            st = p.stat()
            if now - st.st_mtime < self.settle_seconds:
                continue
            sig = (str(p), st.st_mtime, st.st_size)
            sha = self._seen.get(sig) or file_sha256(p)
            self._seen[sig] = sha
            if not known(sha):
                out.append(Delivery(p.name, sha, path=p))
        return out


@dataclass
class HttpSource:
    """An HTTP endpoint serving the real-time station layout (CSV); payloads are spooled to disk first."""

    url: str
    name: str = ""
    kind: str = "http"
    timeout: float = 10.0
    spool: Path | None = None
    format: str = "cnemc-realtime"

    def __post_init__(self):
        self.name = self.name or f"http:{self.url}"
        self.spool = Path(self.spool) if self.spool else data_dir() / "feed-spool"

    def fetch(self, known: Callable[[str], bool]) -> list[Delivery]:
        try:
            with urllib.request.urlopen(self.url, timeout=self.timeout) as resp:
                body = resp.read()
        except urllib.error.HTTPError as exc:
            raise FeedError(f"{self.url}: HTTP {exc.code} {exc.reason}") from None
        except (urllib.error.URLError, TimeoutError, OSError, http.client.HTTPException) as exc:
            reason = getattr(exc, "reason", None) or f"{exc.__class__.__name__}: {exc}"
            raise FeedError(f"{self.url}: {reason}") from None
        if not body.strip():
            raise FeedError(f"{self.url}: empty response")
        sha = hashlib.sha256(body).hexdigest()
        if known(sha):
            return []
        self.spool.mkdir(parents=True, exist_ok=True)
        path = self.spool / f"{datetime.now():%Y%m%dT%H%M%S}_{sha[:12]}.csv"
        with atomic_write(path, "wb") as fh:
            fh.write(body)
        return [Delivery(path.name, sha, path=path, format=self.format)]


@dataclass
class PollReport:
    """What one poll of one source did."""

    source: str
    ok: bool
    deliveries: int = 0
    duplicates: int = 0
    values_new: int = 0
    values_changed: int = 0
    rejected_files: list[str] = field(default_factory=list)
    error: str = ""
    skipped_backoff: bool = False
    alarms: dict[str, int] = field(default_factory=dict)
    ingests: list[IngestReport] = field(default_factory=list)

    def __str__(self) -> str:
        if self.skipped_backoff:
            return f"{self.source}: waiting (back-off)"
        if not self.ok:
            return f"{self.source}: FAILED — {self.error}"
        return (f"{self.source}: {self.deliveries} new deliveries, {self.duplicates} already loaded, "
                f"{self.values_new} new values, {self.values_changed} corrected"
                + (f", {len(self.rejected_files)} unreadable" if self.rejected_files else ""))


class FeedService:
    """Polls sources, ingests, evaluates alarms and keeps the persisted feed state."""

    def __init__(self, store: Store, sources: list[Source], interval: float = 60.0, max_backoff: float = 900.0,
                 stale_after: timedelta = timedelta(minutes=90), clock: ConsoleClock | None = None,
                 alarms: AlarmService | None = None, on_ingest: Callable[[ReadResult, IngestReport], None] | None = None):
        self.store, self.sources = store, sources
        self.repo = Repository(store)
        self.interval, self.max_backoff, self.stale_after = interval, max_backoff, stale_after
        self.clock = clock or global_clock()
        self.alarms = alarms or AlarmService(store, self.clock)
        self.on_ingest = on_ingest

    # ------------------------------------------------------------------ state
    def _state(self, s, src: Source) -> FeedState:
        st = s.get(FeedState, src.name)
        if st is None:
            st = FeedState(source=src.name, kind=src.kind, consecutive_failures=0, last_error="", deliveries=0,
                           bad_files="[]")
            s.add(st)
        return st

    def states(self) -> list[dict]:
        """Persisted state of every source, with a human ``status`` ("ok" or "stale since …")."""
        from sqlalchemy import select

        with self.store.session() as s:
            rows = list(s.scalars(select(FeedState).order_by(FeedState.source)))
        return [feed_status(r) for r in rows]

    # ------------------------------------------------------------------ polling
    def poll_once(self, force: bool = False) -> list[PollReport]:
        """Poll every source that is due (all of them with ``force``).

        An unexpected error (e.g. the database is unreachable) is reported for that source and the loop goes on;
        nothing was committed for the failed delivery, so the next poll retries it.
        """
        out = []
        for src in self.sources:
            try:
                out.append(self.poll_source(src, force))
            except Exception as exc:
                out.append(PollReport(src.name, ok=False, error=f"internal error: {exc.__class__.__name__}: {exc}"))
        return out

    def poll_source(self, src: Source, force: bool = False) -> PollReport:
        now = self.clock.now()
        rep = PollReport(src.name, ok=True)
        with self.store.session.begin() as s:
            st = self._state(s, src)
            if not force and st.next_attempt and now < st.next_attempt:
                rep.skipped_backoff = True
                return rep
            bad = set(json.loads(st.bad_files or "[]"))
            st.last_attempt = now
            newest = st.latest_hour
        try:
            deliveries = src.fetch(lambda sha: sha in bad or self.repo.find_loaded(sha) is not None)
        except FeedError as exc:
            return self._failed(src, rep, str(exc))
        for d in deliveries:
            try:
                result = d.result if d.result is not None else read_file(d.path, format=d.format)
            except (InputError, LantianError) as exc:
                rep.rejected_files.append(f"{d.name}: {exc}")
                bad.add(d.sha256)
                continue
            except Exception as exc:  # a reader bug must not stop the feed: name the file, skip it
                rep.rejected_files.append(f"{d.name}: unexpected {exc.__class__.__name__}: {exc}")
                bad.add(d.sha256)
                continue
            if not result.sha256:
                result.sha256 = d.sha256
            ing = self.repo.ingest(result, source="feed")
            if ing.skipped:
                rep.duplicates += 1
                continue
            rep.deliveries += 1
            rep.values_new += ing.values_new
            rep.values_changed += ing.values_changed
            rep.ingests.append(ing)
            conds = exceedance_conditions(result.dataset, result.sites) + station_fault_conditions(result.dataset)
            # a late hour older than what the feed already delivered is stored, but says nothing about "now"
            conds = [c for c in conds if newest is None or c.data_time is None or c.data_time >= newest]
            times = result.dataset["time"].values if "time" in result.dataset.coords else []
            if len(times):
                t_max = pd.Timestamp(times.max()).to_pydatetime()
                newest = t_max if newest is None or t_max > newest else newest
            for k, v in self.alarms.apply(conds).items():
                rep.alarms[k] = rep.alarms.get(k, 0) + v
            if self.on_ingest:
                self.on_ingest(result, ing)
        self._succeeded(src, rep, bad, deliveries)
        return rep

    def _succeeded(self, src: Source, rep: PollReport, bad: set[str], deliveries: list[Delivery]) -> None:
        now = self.clock.now()
        latest = None
        with self.store.session.begin() as s:
            st = self._state(s, src)
            st.last_success, st.consecutive_failures, st.last_error = now, 0, ""
            st.next_attempt = now + timedelta(seconds=self.interval)
            st.bad_files = json.dumps(sorted(bad))
            st.deliveries += rep.deliveries
            if rep.values_new:
                st.last_new_data, st.stale_since = now, None
            elif st.last_new_data is None and st.stale_since is None:
                st.stale_since = now
            elif st.last_new_data is not None and now - st.last_new_data > self.stale_after and st.stale_since is None:
                st.stale_since = st.last_new_data
            for ing in rep.ingests:
                from console.store.schema import Dataset

                lt = s.get(Dataset, ing.dataset_id).last_time if ing.dataset_id else None
                if lt is not None and (latest is None or lt > latest):
                    latest = lt
            if latest is not None and (st.latest_hour is None or latest > st.latest_hour):
                st.latest_hour = latest
            stale = st.stale_since is not None
            since = st.stale_since
        conds = [Condition(src.name, "feed-fault", "feed", MEDIUM, False, data_time=None),
                 Condition(src.name, "feed-stale", "feed", HIGH, stale,
                           f"feed {src.name}: no new data since {since:%Y-%m-%d %H:%M}" if stale else ""),
                 Condition(src.name, "bad-file", "feed", LOW, bool(rep.rejected_files),
                           "; ".join(rep.rejected_files)[:500])]
        for k, v in self.alarms.apply(conds).items():
            rep.alarms[k] = rep.alarms.get(k, 0) + v

    def _failed(self, src: Source, rep: PollReport, error: str) -> PollReport:
        now = self.clock.now()
        with self.store.session.begin() as s:
            st = self._state(s, src)
            st.consecutive_failures += 1
            st.last_error = error[:1000]
            st.stale_since = st.stale_since or st.last_new_data or now
            delay = min(self.interval * 2 ** (st.consecutive_failures - 1), self.max_backoff)
            st.next_attempt = now + timedelta(seconds=delay)
            n, since = st.consecutive_failures, st.stale_since
        rep.ok, rep.error = False, f"{error} (failure {n}; next try in {delay:.0f} s; stale since {since:%Y-%m-%d %H:%M})"
        rep.alarms = self.alarms.apply([
            Condition(src.name, "feed-fault", "feed", MEDIUM, True, f"feed {src.name}: {error}"),
            Condition(src.name, "feed-stale", "feed", HIGH, True, f"feed {src.name}: stale since {since:%Y-%m-%d %H:%M}")])
        return rep

    def run(self, iterations: int | None = None, sleep: Callable[[float], None] = time.sleep,
            stop: Callable[[], bool] | None = None, report: Callable[[PollReport], None] | None = None,
            tick: float = 1.0) -> int:
        """Poll each source when it is due (its interval, or its back-off after failures) until ``stop()``
        or until ``iterations`` polling rounds ran; returns the number of rounds."""
        n = 0
        while iterations is None or n < iterations:
            if stop and stop():
                break
            reps = self.poll_once(force=iterations == 1)
            polled = [r for r in reps if not r.skipped_backoff]
            for r in polled:
                if report:
                    report(r)
            self.alarms.expire_shelving()
            if polled:
                n += 1
            if iterations is not None and n >= iterations:
                break
            sleep(min(self.interval, tick))
        return n


def feed_status(st: FeedState) -> dict:
    """A persisted feed state as a dict with a human ``status``."""
    d = {c: getattr(st, c) for c in ("source", "kind", "last_attempt", "last_success", "last_new_data", "latest_hour",
                                     "stale_since", "consecutive_failures", "next_attempt", "last_error", "deliveries")}
    d["status"] = f"stale since {st.stale_since:%Y-%m-%d %H:%M}" if st.stale_since else "ok"
    return d
