"""The console's one message hub: clock, selection, language and AQI settings, with Qt signals.

Panels never talk to each other; they read :class:`ConsoleState` and subscribe to its signals
(the glue ``hub`` idea).  The clock is an index into :class:`ui.data.ConsoleData`'s hourly axis.
"""
from __future__ import annotations

import pandas as pd
from PySide6.QtCore import QObject, Signal

from ui.data import ConsoleData

LIVE, REPLAY = "live", "replay"


class ConsoleState(QObject):
    """Application state shared by all panels."""

    dataChanged = Signal()  # a new ConsoleData (first load, reload, AQI settings changed)
    timeChanged = Signal(int)  # clock index
    modeChanged = Signal(str)  # "live" | "replay"
    selectionChanged = Signal(str)  # selected site code ('' = none): a city adcode or a station code
    languageChanged = Signal(str)  # "zh" | "en"
    aqiSettingsChanged = Signal(str, str)  # standard, convention
    message = Signal(str)  # a readable status/error message for the status bar

    def __init__(self, language: str = "zh", standard: str = "auto", convention: str = "published", parent=None):
        super().__init__(parent)
        self.data: ConsoleData | None = None
        self.index = 0
        self.mode = REPLAY
        self.selected = ""
        self.language = language
        self.standard = standard
        self.convention = convention

    # ----------------------------------------------------------------- data and clock
    def set_data(self, data: ConsoleData, when: pd.Timestamp | None = None) -> None:
        """Install a data snapshot and put the clock on ``when`` (or keep the current time)."""
        old = self.time()
        self.data = data
        if self.mode == LIVE:
            self.index = data.latest_index()
        else:
            target = when if when is not None else old
            self.index = data.time_index(target) if target is not None else data.latest_index()
        self.dataChanged.emit()
        self.timeChanged.emit(self.index)

    def time(self) -> pd.Timestamp | None:
        """The clock's hour (None before data is loaded)."""
        return self.data.time_at(self.index) if self.data is not None else None

    def set_index(self, i: int) -> None:
        """Move the clock to hour index ``i`` (clamped)."""
        if self.data is None:
            return
        i = max(0, min(self.data.n_time - 1, int(i)))
        if i != self.index:
            self.index = i
            self.timeChanged.emit(i)

    def set_time(self, when) -> None:
        """Move the clock to the hour nearest ``when``."""
        if self.data is not None:
            self.set_index(self.data.time_index(when))

    def set_mode(self, mode: str) -> None:
        """Live follows the newest data; replay lets the user scrub/play."""
        if mode not in (LIVE, REPLAY) or mode == self.mode:
            return
        self.mode = mode
        self.modeChanged.emit(mode)
        if mode == LIVE and self.data is not None:
            self.set_index(self.data.latest_index())

    # ----------------------------------------------------------------- selection / options
    def select(self, code: str | None) -> None:
        """Select a city (adcode) or a station (code) for every panel; '' or None clears."""
        code = code or ""
        if code != self.selected:
            self.selected = code
            self.selectionChanged.emit(code)

    def selected_city(self) -> str | None:
        """The selected city's adcode (a station resolves to its city)."""
        if not self.selected or self.data is None:
            return None
        if self.selected in self.data.codes:
            return self.selected
        return self.data.city_of_station(self.selected)

    def set_language(self, language: str) -> None:
        if language != self.language:
            self.language = language
            self.languageChanged.emit(language)

    def set_aqi_settings(self, standard: str, convention: str) -> None:
        """Change the AQI rule choice; the owner recomputes the data and calls :meth:`set_data`."""
        if (standard, convention) != (self.standard, self.convention):
            self.standard, self.convention = standard, convention
            self.aqiSettingsChanged.emit(standard, convention)
