"""LIVE / REPLAY / DRILL mode and the console clock (simulated in replay and drill)."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from enum import Enum
from typing import Callable

BEIJING = timezone(timedelta(hours=8))


class Mode(str, Enum):
    """What the console is showing: the real feed, a replayed period, or a drill scenario."""

    LIVE = "LIVE"
    REPLAY = "REPLAY"
    DRILL = "DRILL"


#: banner text (zh, en) and colours (background, foreground) — unmistakable at a glance
BANNER = {
    Mode.LIVE: ("实时 LIVE", "Live feed", "#1B5E20", "#FFFFFF"),
    Mode.REPLAY: ("回放 REPLAY", "Replay of a past period — not live data", "#0D47A1", "#FFFFFF"),
    Mode.DRILL: ("演练 DRILL", "Drill — simulated scenario, decisions are not real", "#FF6F00", "#000000"),
}


def beijing_now() -> datetime:
    """Naive Beijing wall time (the store's convention)."""
    return datetime.now(BEIJING).replace(tzinfo=None)


@dataclass
class ConsoleClock:
    """The console's notion of "now": wall time when LIVE, a settable simulated time otherwise."""

    mode: Mode = Mode.LIVE
    sim_time: datetime | None = None
    listeners: list[Callable[["ConsoleClock"], None]] = field(default_factory=list, repr=False)

    def now(self) -> datetime:
        """Console time (naive Beijing)."""
        return self.sim_time if (self.mode is not Mode.LIVE and self.sim_time is not None) else beijing_now()

    def set_mode(self, mode: Mode | str, sim_time: datetime | None = None) -> None:
        """Switch mode (and the simulated time for REPLAY/DRILL); notifies listeners."""
        self.mode = Mode(mode)
        self.sim_time = sim_time if self.mode is not Mode.LIVE else None
        self._notify()

    def move_to(self, t: datetime) -> None:
        """Move the simulated clock (e.g. a click on the timeline); in LIVE this switches to REPLAY."""
        if self.mode is Mode.LIVE:
            self.mode = Mode.REPLAY
        self.sim_time = t
        self._notify()

    def banner(self, language: str = "zh") -> tuple[str, str, str]:
        """(text, background colour, foreground colour) of the mode banner."""
        zh, en, bg, fg = BANNER[self.mode]
        text = zh if language == "zh" else f"{self.mode.value}"
        detail = en
        if self.mode is not Mode.LIVE and self.sim_time is not None:
            detail += f" · {self.sim_time:%Y-%m-%d %H:%M}"
        return f"{text} — {detail}", bg, fg

    def _notify(self) -> None:
        for fn in list(self.listeners):
            fn(self)


_CLOCK = ConsoleClock()


def clock() -> ConsoleClock:
    """The process-wide console clock."""
    return _CLOCK
