"""The command and analysis docks of the main window and their glue.

Docks: alarms, warnings (command; tabbed with the layers below the ranking, alarms raised), timeline,
forecast, sources (PMF), briefing (analysis; tabbed with the time series at the bottom), plus the
LIVE / REPLAY / DRILL mode banner on top.
Panels are built lazily: a dock holds a placeholder until it is first visible *and* the store is open
(the alarms dock is built as soon as the store is open), so start-up does not pay for hidden panels.

Glue only: every panel is wired to :class:`ui.state.ConsoleState` signals; panels never talk to each
other.  The episode-command clock (``console.command.mode.ConsoleClock``, one per window) mirrors the
console clock: live → LIVE, replay → REPLAY at the clock hour (DRILL is kept while a drill sets it).
"""
from __future__ import annotations

import importlib.util
from collections.abc import Callable
from datetime import timedelta

import pandas as pd
from PySide6.QtCore import QObject, Qt, QTimer, Signal, Slot
from PySide6.QtWidgets import QDockWidget, QFrame, QLabel, QScrollArea, QSizePolicy, QToolBar, QWidget

from console.command.mode import ConsoleClock, Mode
from console.errors import LantianError
from ui.panels.mode_banner import ModeBanner
from ui.state import LIVE, REPLAY, ConsoleState

REFRESH_DELAY_MS = 400  # alarms/warnings refresh after the clock rests this long (not on every replay tick)
FORECAST_DELAY_MS = 800  # a forecast is issued after the clock rests this long
FORECAST_MODULE = "ui.panels.forecast_panel"


def forecast_available() -> bool:
    """True when the forecast panel module exists (the forecast dock is then created)."""
    try:
        return importlib.util.find_spec(FORECAST_MODULE) is not None
    except (ImportError, ValueError):
        return False


class PanelDock(QDockWidget):
    """A dock whose panel is built on first need (visible and buildable); a placeholder until then."""

    built = Signal(QWidget)

    def __init__(self, name: str, builder: Callable[[], QWidget | None], parent: QWidget, scroll: bool = False):
        super().__init__(parent)
        self.setObjectName(name)
        self.builder = builder
        self.scroll = scroll  # in a scroll area: the dock may get smaller than the panel's minimum
        self.panel: QWidget | None = None
        self.wanted = False  # was visible (current tab) while the panel could not be built yet
        self.placeholder = QLabel("…", self)
        self.placeholder.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.placeholder.setWordWrap(True)
        self.setWidget(self.placeholder)
        self.setFeatures(QDockWidget.DockWidgetFeature.DockWidgetMovable
                         | QDockWidget.DockWidgetFeature.DockWidgetFloatable
                         | QDockWidget.DockWidgetFeature.DockWidgetClosable)
        self.visibilityChanged.connect(self._visibility)

    @Slot(bool)
    def _visibility(self, visible: bool) -> None:
        if visible:
            self.wanted = True
            self.ensure()

    def ensure(self) -> QWidget | None:
        """Build the panel now if possible; a readable placeholder text when it cannot be built."""
        if self.panel is not None:
            return self.panel
        try:
            panel = self.builder()
        except (ImportError, LantianError, OSError) as exc:
            self.placeholder.setText(f"{self.windowTitle()}: {exc}")
            return None
        if panel is None:  # not ready yet (no store open)
            return None
        self.panel = panel
        if self.scroll:
            area = QScrollArea(self)
            area.setWidgetResizable(True)
            area.setFrameShape(QFrame.Shape.NoFrame)
            area.setWidget(panel)
            self.setWidget(area)
        else:
            self.setWidget(panel)
        self.placeholder.deleteLater()
        self.built.emit(panel)
        return panel


class CommandDocks(QObject):
    """Creates the banner and the command/analysis docks of ``win`` and wires them to its state."""

    def __init__(self, win):
        super().__init__(win)
        self.win = win
        self.state: ConsoleState = win.state
        self.clock = ConsoleClock(Mode.REPLAY if self.state.mode == REPLAY else Mode.LIVE)
        self.muted = bool(win.settings.get("alarms", "muted"))
        self._rec_day = None
        self._rec_task = None
        self._drill_checked = False

        # mode banner: its own toolbar row above the clock bar, not movable, not hideable
        self.banner = ModeBanner(self.clock, self.state.language)
        self.banner.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        self.banner.label.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)  # narrow windows
        self.banner_bar = QToolBar(win)
        self.banner_bar.setObjectName("modeBannerBar")
        self.banner_bar.setMovable(False)
        self.banner_bar.setFloatable(False)
        self.banner_bar.setAllowedAreas(Qt.ToolBarArea.TopToolBarArea)
        self.banner_bar.toggleViewAction().setVisible(False)
        self.banner_bar.setContextMenuPolicy(Qt.ContextMenuPolicy.PreventContextMenu)
        self.banner_bar.addWidget(self.banner)
        win.insertToolBar(win.clock_bar, self.banner_bar)
        win.insertToolBarBreak(win.clock_bar)

        # right column: ranking above [alarms | warnings | layers], alarms raised; bottom (full width, so a
        # narrow window stays possible): time series tabbed with the analysis docks
        # the command panels scroll when the right column is short, so the ranking keeps its rows
        self.alarm_dock = self._dock("alarmsDock", self._build_alarms, scroll=True)
        self.warnings_dock = self._dock("warningsDock", self._build_warnings, scroll=True)
        self.timeline_dock = self._dock("timelineDock", self._build_timeline)
        # forecast, sources, briefing have tall forms: they scroll instead of squeezing the map
        self.forecast_dock = (self._dock("forecastDock", self._build_forecast, scroll=True)
                              if forecast_available() else None)
        self.pmf_dock = self._dock("sourcesDock", self._build_pmf, scroll=True)
        self.brief_dock = self._dock("briefingDock", self._build_brief, scroll=True)
        win.splitDockWidget(win.ranking_dock, self.alarm_dock, Qt.Orientation.Vertical)
        win.tabifyDockWidget(self.alarm_dock, self.warnings_dock)
        win.tabifyDockWidget(self.warnings_dock, win.layers_dock)
        for d in self.analysis_docks():
            win.tabifyDockWidget(win.ts_dock, d)
        win.ts_dock.raise_()
        self.alarm_dock.raise_()

        # debounced refreshes (a replay tick only moves cursors; the database is read when the clock rests)
        self.refresh_timer = QTimer(self)
        self.refresh_timer.setSingleShot(True)
        self.refresh_timer.setInterval(REFRESH_DELAY_MS)
        self.refresh_timer.timeout.connect(self.refresh_command)
        self.forecast_timer = QTimer(self)
        self.forecast_timer.setSingleShot(True)
        self.forecast_timer.setInterval(FORECAST_DELAY_MS)
        self.forecast_timer.timeout.connect(self._forecast_follow_clock)

        s = self.state
        s.timeChanged.connect(self._time_changed)
        s.modeChanged.connect(self._mode_changed)
        s.dataChanged.connect(self._data_changed)
        s.selectionChanged.connect(self._selection_changed)
        s.languageChanged.connect(self._language_changed)
        s.actorChanged.connect(self._actor_changed)
        s.commandChanged.connect(self._command_changed)

    # ----------------------------------------------------------------- docks
    def _dock(self, name: str, builder, scroll: bool = False) -> PanelDock:
        dock = PanelDock(name, builder, self.win, scroll)
        dock.built.connect(lambda _p, d=dock: QTimer.singleShot(0, lambda: self._fit_first_show(d)))
        return dock

    def analysis_docks(self) -> list[PanelDock]:
        """Timeline, forecast (when available), sources, briefing — tabbed with the time series."""
        return [d for d in (self.timeline_dock, self.forecast_dock, self.pmf_dock, self.brief_dock) if d is not None]

    def docks(self) -> dict[str, PanelDock]:
        """Short name → dock (names used by ``lantian shot --raise``)."""
        out = {"alarms": self.alarm_dock, "warnings": self.warnings_dock, "timeline": self.timeline_dock,
               "sources": self.pmf_dock, "briefing": self.brief_dock}
        if self.forecast_dock is not None:
            out["forecast"] = self.forecast_dock
        return out

    def retranslate(self) -> None:
        t = self.tr
        titles = {"alarms": t("Alarms"), "warnings": t("Warnings"), "timeline": t("Timeline"),
                  "sources": t("Sources (PMF)"), "briefing": t("Briefing"), "forecast": t("Forecast")}
        for key, dock in self.docks().items():
            dock.setWindowTitle(titles[key])
            if dock.panel is None:
                dock.placeholder.setText(t("Opens when the data are loaded…"))
        self.banner_bar.setWindowTitle(t("Mode"))
        for dock in (self.alarm_dock, self.pmf_dock, self.warnings_dock, self.brief_dock):
            if dock is not None and dock.panel is not None and hasattr(dock.panel, "retranslate"):
                dock.panel.retranslate()
        self._alarm_title()

    def raise_panels(self, names) -> None:
        """Bring docks to the front by short name (screenshots, menu)."""
        docks = self.docks() | {"timeseries": self.win.ts_dock, "ranking": self.win.ranking_dock,
                                "layers": self.win.layers_dock}
        for n in names:
            if n not in docks:
                raise LantianError(f"unknown panel '{n}' (panels: {', '.join(sorted(docks))})")
            docks[n].show()
            docks[n].raise_()

    def _fit_first_show(self, dock: PanelDock) -> None:
        """A tall panel shown for the first time in the bottom area gets the height its form needs
        (at most half the window) instead of opening scrolled; later sizes are the user's."""
        panel = dock.panel
        if panel is None or self.win.dockWidgetArea(dock) not in (Qt.DockWidgetArea.BottomDockWidgetArea,
                                                                  Qt.DockWidgetArea.TopDockWidgetArea):
            return
        # a panel may ask for more than its minimum (a chart that reads better taller: FIRST_SHOW_HEIGHT)
        need = max(panel.minimumSizeHint().height(), getattr(panel, "FIRST_SHOW_HEIGHT", 0))
        need += 64  # + dock title bar and the tab bar of tabbed docks
        if dock.height() < need:
            self.win.resizeDocks([dock], [min(need, int(self.win.height() * 0.5))], Qt.Orientation.Vertical)

    def _store(self):
        return self.win.store

    def _names(self) -> dict[str, str]:
        d = self.state.data
        if d is None:
            return {}
        return {c: d.name(i, self.state.language) for i, c in enumerate(d.codes)}

    # ----------------------------------------------------------------- builders (None = not yet)
    def _build_alarms(self):
        if self._store() is None:
            return None
        from ui.panels.alarm_panel import AlarmPanel

        p = AlarmPanel(self._store(), self.state.actor, self.clock, poll_ms=0, audible=not self.muted)
        p.newHighPriority.connect(self._new_high_priority)
        p.decisionMade.connect(self.state.notify_command)
        return p

    def _build_warnings(self):
        if self._store() is None or self.state.data is None:
            return None
        from ui.panels.warnings_panel import WarningsPanel

        from console.command.schemes import DEFAULT_BASIS

        basis = self.win.settings.get("warnings", "basis") if hasattr(self.win, "settings") else None
        p = WarningsPanel(self._store(), self.state.actor, self.clock, self._names(), basis=basis or DEFAULT_BASIS)
        p.decisionMade.connect(self.state.notify_command)
        if hasattr(self.win, "settings"):
            p.basisChanged.connect(lambda b: self.win.settings.set("warnings", "basis", b))
        self._rec_day = None
        QTimer.singleShot(0, self._recommend)
        return p

    def _build_timeline(self):
        if self._store() is None or self.state.data is None:
            return None
        from ui.panels.timeline_panel import TimelinePanel

        p = TimelinePanel(self.clock)
        p.timeClicked.connect(self._timeline_clicked)
        self._timeline_data(p)
        return p

    def _build_forecast(self):
        if self.state.data is None:
            return None
        mod = importlib.import_module(FORECAST_MODULE)
        p = mod.ForecastPanel()
        if hasattr(p, "weatherChanged"):   # the panel's weather forecast drives the briefings' forecasts too
            p.weatherChanged.connect(self._forecast_weather)
        p.set_city_data(self.state.data.city_dataset())
        p.set_language(self.state.language, self._forecast_names())
        city = self._selected_name("zh")
        if city:
            p.set_city(city)
        self.forecast_timer.start()
        return p

    @staticmethod
    def _forecast_weather(weather) -> None:
        """The weather forecast loaded in the forecast panel drives the briefings' forecasts too."""
        from console.forecast.report_provider import use_weather

        use_weather(*(weather or (None,)))

    def _build_pmf(self):
        from ui.panels.pmf_panel import PMFPanel

        p = PMFPanel()
        p.statusChanged.connect(lambda text: self.state.message.emit(text))
        return p

    def _build_brief(self):
        if self._store() is None:
            return None
        from console.store.repository import Repository
        from ui.panels.brief_panel import BriefPanel

        p = BriefPanel(Repository(self._store()), day=self._clock_day())
        self._brief_follow(p)
        return p

    # ----------------------------------------------------------------- helpers
    def _clock_day(self):
        t = self.state.time()
        return (t - timedelta(hours=1)).date() if t is not None else None  # hour-ending: 00:00 closes the day

    def _complete_day(self):
        """The last day complete at the clock hour (what a persistence recommendation may use — no peeking)."""
        t = self.state.time()
        return (t - timedelta(hours=24)).date() if t is not None else None

    def _forecast_names(self) -> dict[str, str]:
        """Forecast site names (Chinese city names without 市) → city names in the UI language."""
        d = self.state.data
        if d is None:
            return {}
        return {d.name(i, "zh").removesuffix("市"): d.name(i, self.state.language) for i in range(len(d.codes))}

    def _selected_name(self, language: str) -> str | None:
        d = self.state.data
        code = self.state.selected_city()
        if d is None or code is None:
            return None
        return d.name(d.site_index(code), language)

    def _timeline_data(self, p) -> None:
        import xarray as xr

        from console.command import decisions

        d = self.state.data
        names = self._names()
        p.set_aqi(xr.DataArray(d.aqi, dims=("site", "time"), coords={"site": d.codes, "time": d.times}), names)
        try:
            p.set_warnings(decisions.warning_periods(self._store()), None, names)
            self._timeline_markers(p)
        except LantianError as exc:
            self.state.message.emit(str(exc))
        t = self.state.time()
        if t is not None:
            p.set_cursor(t.to_pydatetime())
            self._timeline_zoom(p, t)

    def _timeline_markers(self, p) -> None:
        """Audited decisions (at their console time) as markers on the timeline."""
        from console.command import audit

        df = audit.entries(self._store())
        items = [{"time": pd.Timestamp(r.console_time), "kind": "decision",
                  "text": f"{r.user} ({r.role}) {r.action} {r.subject}"}
                 for r in df.itertuples() if r.console_time is not None and pd.notna(r.console_time)]
        p.set_markers(items)

    @staticmethod
    def _timeline_zoom(p, t: pd.Timestamp) -> None:
        """Show the 10 days before the clock and 4 after (the whole 7 months is one drag/wheel away)."""
        from ui.panels.timeline_panel import _secs

        vb = p.plot.getPlotItem().vb
        vb.setAutoVisible(y=True)
        vb.enableAutoRange(axis="y")
        p.plot.setXRange(_secs(t - pd.Timedelta(days=10)), _secs(t + pd.Timedelta(days=4)), padding=0)

    def _brief_follow(self, p) -> None:
        day = self._clock_day()
        p.set_request(day=day, cities=self._selected_name("zh") or "",
                      lang="zh" if self.state.language == "zh" else "en")

    # ----------------------------------------------------------------- state → panels
    def _sync_clock(self) -> None:
        """Console clock → episode-command clock (banner, audit entries' console time and mode)."""
        t = self.state.time()
        if self.state.mode == LIVE:
            if self.clock.mode is not Mode.LIVE:
                self.clock.set_mode(Mode.LIVE)
            return
        sim = t.to_pydatetime() if t is not None else None
        mode = self.clock.mode if self.clock.mode is Mode.DRILL else Mode.REPLAY
        if self.clock.mode is not mode or self.clock.sim_time != sim:
            self.clock.set_mode(mode, sim)

    @Slot(int)
    def _time_changed(self, _i: int) -> None:
        self._sync_clock()
        t = self.state.time()
        tl = self.timeline_dock.panel
        if tl is not None and t is not None:
            tl.set_cursor(t.to_pydatetime())
        if self.brief_dock.panel is not None:
            self._brief_follow(self.brief_dock.panel)
        self.refresh_timer.start()
        if self.forecast_dock is not None and self.forecast_dock.panel is not None:
            self.forecast_timer.start()

    @Slot(str)
    def _mode_changed(self, _mode: str) -> None:
        self._sync_clock()

    def detect_drill(self) -> bool:
        """A store whose newest audit entry was made in DRILL mode is a drill's store: show DRILL, not REPLAY."""
        store = self._store()
        if store is None or self._drill_checked:
            return self.clock.mode is Mode.DRILL
        self._drill_checked = True
        from sqlalchemy import select

        from console.store.command_schema import AuditEntry

        try:
            with store.session() as s:
                mode = s.scalar(select(AuditEntry.mode).order_by(AuditEntry.seq.desc()).limit(1))
        except Exception:  # noqa: BLE001 — a store without the command tables is simply not a drill
            mode = None
        if mode == Mode.DRILL.value and self.state.mode != LIVE:
            self.clock.set_mode(Mode.DRILL, self.clock.sim_time)
        return mode == Mode.DRILL.value

    @Slot()
    def _data_changed(self) -> None:
        self.detect_drill()
        self.alarm_dock.ensure()
        for d in self.docks().values():
            if d.panel is None and d.wanted:
                d.ensure()
        if self.timeline_dock.panel is not None:
            self._timeline_data(self.timeline_dock.panel)
        if self.warnings_dock.panel is not None:
            self.warnings_dock.panel.names = self._names()
            self._rec_day = None
        p = self.forecast_dock.panel if self.forecast_dock is not None else None
        if p is not None and self.state.data is not None:
            p.set_city_data(self.state.data.city_dataset())   # new hours (live feed) or another store
            p.set_language(self.state.language, self._forecast_names())
            self.forecast_timer.start()
        self.refresh_timer.start()

    @Slot(str)
    def _selection_changed(self, _code: str) -> None:
        if self.forecast_dock is not None and self.forecast_dock.panel is not None:
            name = self._selected_name("zh")
            if name:
                self.forecast_dock.panel.set_city(name)
        if self.brief_dock.panel is not None:
            self._brief_follow(self.brief_dock.panel)

    @Slot(str)
    def _language_changed(self, lang: str) -> None:
        self.banner.language = lang
        self.banner.refresh()
        p = self.forecast_dock.panel if self.forecast_dock is not None else None
        if p is not None:
            p.set_language(lang, self._forecast_names())

    @Slot(object)
    def _actor_changed(self, actor) -> None:
        for d in (self.alarm_dock, self.warnings_dock):
            if d.panel is not None:
                d.panel.set_actor(actor)

    @Slot(str)
    def _command_changed(self, _what: str) -> None:
        self.refresh_command()
        if self.timeline_dock.panel is not None:
            from console.command import decisions

            try:
                self.timeline_dock.panel.set_warnings(decisions.warning_periods(self._store()), None, self._names())
                self._timeline_markers(self.timeline_dock.panel)
            except LantianError as exc:
                self.state.message.emit(str(exc))

    @Slot(object)
    def _timeline_clicked(self, t) -> None:
        self.state.set_mode(REPLAY)
        self.state.set_time(pd.Timestamp(t))

    @Slot()
    def _forecast_follow_clock(self) -> None:
        p = self.forecast_dock.panel if self.forecast_dock is not None else None
        t = self.state.time()
        if p is not None and t is not None and not self.forecast_dock.visibleRegion().isEmpty():
            p.set_clock(t)

    @Slot()
    def refresh_command(self) -> None:
        """Re-read alarms and warnings (after the clock rested, a reload, or a decision)."""
        try:
            if self.alarm_dock.panel is not None:
                self.alarm_dock.panel.refresh()
            if self.warnings_dock.panel is not None:
                self.warnings_dock.panel.refresh()
                self._recommend()
        except LantianError as exc:
            self.state.message.emit(str(exc))
        self._alarm_title()

    def _recommend(self) -> None:
        """Warning recommendations for the days after the last complete day, from the forecast model and from
        persistence of the observed AQI (the panel shows both), in a worker."""
        p = self.warnings_dock.panel
        day = self._complete_day()
        if p is None or day is None or day == self._rec_day or self._rec_task is not None:
            return
        self._rec_day = day
        from ui.workers import Task, start

        store = self._store()

        def work(_progress, _cancelled):
            from console.command.schemes import recommend_both
            from console.store.repository import Repository

            return recommend_both(Repository(store), day.isoformat())

        task = Task(work)
        self._rec_task = task

        def done(res):
            if self.warnings_dock.panel is not None:
                self.warnings_dock.panel.set_both(res)

        def finished(*_):
            self._rec_task = None
            if self._complete_day() != self._rec_day:
                self._recommend()

        task.signals.finished.connect(done)
        task.signals.failed.connect(self.state.message.emit)
        task.signals.done.connect(finished)
        start(task)

    # ----------------------------------------------------------------- alarm cue
    @Slot(list)
    def _new_high_priority(self, ids: list) -> None:
        """Visual cue (dock raised, title + status bar); the panel itself beeps unless muted."""
        self.alarm_dock.show()
        self.alarm_dock.raise_()
        self.win.alarm_label.setText(self.tr("⚠ %1 new high-priority alarm(s)").replace("%1", str(len(ids))))
        self.win.alarm_label.show()
        self._alarm_title()

    def _alarm_title(self) -> None:
        p = self.alarm_dock.panel
        n = p.service.counts()["unack_high"] if p is not None else 0
        title = self.tr("Alarms")
        self.alarm_dock.setWindowTitle(f"⚠ {title} ({n})" if n else title)
        if not n:
            self.win.alarm_label.hide()

    def set_muted(self, muted: bool) -> None:
        self.muted = bool(muted)
        if self.alarm_dock.panel is not None:
            self.alarm_dock.panel.audible = not self.muted

    def settle(self, timeout_ms: int = 30_000) -> None:
        """Run pending debounced refreshes now and wait for workers (screenshots, tests)."""
        from PySide6.QtCore import QThreadPool
        from PySide6.QtWidgets import QApplication

        if self.refresh_timer.isActive():
            self.refresh_timer.stop()
            self.refresh_command()
        if self.forecast_timer.isActive():
            self.forecast_timer.stop()
            self._forecast_follow_clock()
        QThreadPool.globalInstance().waitForDone(timeout_ms)
        QApplication.processEvents()
        p = self.forecast_dock.panel if self.forecast_dock is not None else None
        if p is not None and hasattr(p, "wait_idle"):
            p.wait_idle(timeout_ms)
            QApplication.processEvents()

    # ----------------------------------------------------------------- shutdown
    def shutdown(self) -> None:
        """Stop timers and panel workers (idempotent)."""
        self.refresh_timer.stop()
        self.forecast_timer.stop()
        self.banner.detach()
        if self._rec_task is not None:
            self._rec_task.cancel()
        for d in self.docks().values():
            p = d.panel
            if p is None:
                continue
            if callable(getattr(p, "shutdown", None)):
                p.shutdown()  # alarms (timers), sources (worker thread)
            else:
                p.close()  # briefing, forecast: their closeEvent waits for their worker
