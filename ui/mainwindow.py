"""The command console's main window: map (centre), layers, ranking and time series docks, clock bar,
status bar; remembers geometry, dock layout and the last database between runs."""
from __future__ import annotations

import base64
from datetime import datetime, timedelta, timezone

import pandas as pd
from PySide6.QtCore import QByteArray, Qt, QTimer, Slot
from PySide6.QtGui import QAction, QActionGroup, QKeySequence
from PySide6.QtWidgets import (QDockWidget, QFileDialog, QLabel, QMainWindow, QMessageBox,
                               QProgressBar, QToolBar, QToolButton)

from ui import i18n
from ui.data import ConsoleData, load_console_data
from ui.maplayers import MapLayers, default_layers
from ui.panels.clock import ClockBar
from ui.panels.map import LayerList, MapWidget
from ui.panels.ranking import RankingView
from ui.panels.timeseries import TimeSeriesPanel
from ui.settings import Settings
from ui.state import LIVE, REPLAY, ConsoleState
from ui.workers import Task, start

BEIJING = timezone(timedelta(hours=8))
LIVE_POLL_MS = 60_000


def beijing_now() -> datetime:
    """Wall-clock Beijing time, naive (like the data's time axis)."""
    return datetime.now(BEIJING).replace(tzinfo=None)


def age_text(tr, newest: pd.Timestamp, now: datetime) -> str:
    """'35 min', '5 h', '2708 d' — age of the newest observation."""
    sec = (pd.Timestamp(now) - newest).total_seconds()
    if sec < 0:
        return tr("in the future")
    if sec < 5400:
        return tr("%1 min").replace("%1", f"{sec / 60:.0f}")
    if sec < 2 * 86400:
        return tr("%1 h").replace("%1", f"{sec / 3600:.0f}")
    return tr("%1 days").replace("%1", f"{sec / 86400:.0f}")


class MainWindow(QMainWindow):
    """The console window (one store, one state)."""

    def __init__(self, store=None, settings: Settings | None = None, state: ConsoleState | None = None,
                 preload=None):
        """``store``: an open Store; or None with ``preload`` (a :class:`ui.data.Preload` opening it)."""
        super().__init__()
        self.store = store
        self.preload = preload
        self.settings = settings or Settings()
        lang = i18n.resolve(self.settings.get("language"))
        self.state = state or ConsoleState(language=lang, standard=self.settings.get("aqi", "standard"),
                                           convention=self.settings.get("aqi", "convention"))
        self.task: Task | None = None
        self._first_load = True
        self.open_at = None  # clock hour for the first load (default: the demo's worst episode)
        self.setObjectName("lantianMain")
        self.setDockNestingEnabled(True)

        self.layers = MapLayers(self.state, self)
        default_layers(self.layers)
        for name, vis in (self.settings.get("layers") or {}).items():
            self.layers.set_visible(name, bool(vis))
        self.map = MapWidget(self.state, self.layers)
        self.setCentralWidget(self.map)
        self.layer_list = LayerList(self.state, self.layers)
        self.ranking = RankingView(self.state)
        self.timeseries = TimeSeriesPanel(self.state)
        self.timeseries.set_variables(self.settings.get("timeseries", "variables") or ["AQI"])
        self.timeseries.extra_cities = list(self.settings.get("timeseries", "cities") or [])
        self.clock = ClockBar(self.state)
        self.clock.openingRequested.connect(self.go_to_opening)

        self.ranking_dock = self._dock("rankingDock", self.ranking, Qt.DockWidgetArea.RightDockWidgetArea)
        self.layers_dock = self._dock("layersDock", self.layer_list, Qt.DockWidgetArea.RightDockWidgetArea)
        self.splitDockWidget(self.ranking_dock, self.layers_dock, Qt.Orientation.Vertical)
        self.ts_dock = self._dock("timeseriesDock", self.timeseries, Qt.DockWidgetArea.BottomDockWidgetArea)
        self.clock_bar = QToolBar()
        self.clock_bar.setObjectName("clockToolBar")
        self.clock_bar.addWidget(self.clock)
        self.addToolBar(Qt.ToolBarArea.TopToolBarArea, self.clock_bar)

        self._build_status_bar()
        self._build_menus()
        self.retranslate()
        self.resize(1440, 900)
        self.default_layout()
        self._restore_layout()

        self.state.dataChanged.connect(self._update_status)
        self.state.timeChanged.connect(self._update_rules)
        self.state.modeChanged.connect(self._update_status)
        self.state.message.connect(self.show_message)
        self.state.aqiSettingsChanged.connect(lambda *_: self.load_async())
        # live mode: look for newer data in the store every minute (a small query, in a worker)
        self.live_timer = QTimer(self)
        self.live_timer.setInterval(LIVE_POLL_MS)
        self.live_timer.timeout.connect(self.check_for_new_data)
        self.state.modeChanged.connect(self._live_polling)
        if self.settings.problem:
            self.show_message(self.settings.problem)

    # ----------------------------------------------------------------- construction
    def default_layout(self) -> None:
        """Dock sizes for the current window size (map largest, ranking wide enough for its columns)."""
        w, h = self.width(), self.height()
        rank_w = self.ranking.preferred_width() if self.state.data is not None else int(w * 0.45)
        self.resizeDocks([self.ranking_dock], [min(rank_w, int(w * 0.55))], Qt.Orientation.Horizontal)
        rank_h = self.ranking.preferred_height() + 30 if self.state.data is not None else 380  # + dock title
        self.resizeDocks([self.ranking_dock, self.layers_dock], [rank_h, max(80, int(h * 0.6) - rank_h)],
                         Qt.Orientation.Vertical)
        self.resizeDocks([self.ts_dock], [max(200, int(h * 0.3))], Qt.Orientation.Vertical)

    def _dock(self, name: str, widget, area) -> QDockWidget:
        dock = QDockWidget(self)
        dock.setObjectName(name)
        dock.setWidget(widget)
        dock.setFeatures(QDockWidget.DockWidgetFeature.DockWidgetMovable
                         | QDockWidget.DockWidgetFeature.DockWidgetFloatable
                         | QDockWidget.DockWidgetFeature.DockWidgetClosable)
        self.addDockWidget(area, dock)
        return dock

    def _build_status_bar(self) -> None:
        sb = self.statusBar()
        self.fresh_label = QLabel()
        self.rules_label = QLabel()
        self.db_label = QLabel()
        for w in (self.fresh_label, self.rules_label, self.db_label):
            w.setContentsMargins(6, 0, 6, 0)
            sb.addPermanentWidget(w)
        self.progress = QProgressBar()
        self.progress.setMaximumWidth(160)
        self.progress.setRange(0, 100)
        self.cancel_btn = QToolButton()
        self.cancel_btn.clicked.connect(self.cancel_task)
        sb.addWidget(self.progress)
        sb.addWidget(self.cancel_btn)
        self.progress.hide()
        self.cancel_btn.hide()

    def _build_menus(self) -> None:
        mb = self.menuBar()
        self.file_menu = mb.addMenu("")
        self.reload_act = QAction(self, shortcut=QKeySequence.StandardKey.Refresh, triggered=self.load_async)
        self.shot_act = QAction(self, triggered=self.save_screenshot)
        self.quit_act = QAction(self, shortcut=QKeySequence.StandardKey.Quit, triggered=self.close)
        self.file_menu.addActions([self.reload_act, self.shot_act])
        self.file_menu.addSeparator()
        self.file_menu.addAction(self.quit_act)

        self.view_menu = mb.addMenu("")
        self.panels_menu = self.view_menu.addMenu("")
        for dock in (self.layers_dock, self.ranking_dock, self.ts_dock):
            self.panels_menu.addAction(dock.toggleViewAction())
        self.panels_menu.addAction(self.clock_bar.toggleViewAction())
        self.reset_view_act = QAction(self, triggered=self.map.reset_view)
        self.view_menu.addAction(self.reset_view_act)
        self.view_menu.addSeparator()
        self.lang_menu = self.view_menu.addMenu("")
        self.lang_group = QActionGroup(self)
        self.lang_acts = {}
        current = self.settings.get("language") or "auto"
        for key in ("auto", "zh", "en"):
            act = QAction(self, checkable=True)
            act.setChecked(key == current)
            act.triggered.connect(lambda _=False, k=key: self.choose_language(k))
            self.lang_group.addAction(act)
            self.lang_menu.addAction(act)
            self.lang_acts[key] = act

        self.clock_menu = mb.addMenu("")
        c = self.clock
        self.play_act = QAction(self, shortcut=QKeySequence(Qt.Key.Key_Space),
                                triggered=lambda: c.set_playing(not c.is_playing()))
        self.back_act = QAction(self, shortcut=QKeySequence("Alt+Left"), triggered=lambda: c.step(-1))
        self.fwd_act = QAction(self, shortcut=QKeySequence("Alt+Right"), triggered=lambda: c.step(1))
        self.day_back_act = QAction(self, shortcut=QKeySequence("Alt+Shift+Left"), triggered=lambda: c.step(-24))
        self.day_fwd_act = QAction(self, shortcut=QKeySequence("Alt+Shift+Right"), triggered=lambda: c.step(24))
        self.live_act = QAction(self, shortcut=QKeySequence("Ctrl+L"), triggered=lambda: self.state.set_mode(LIVE))
        self.opening_act = QAction(self, shortcut=QKeySequence("Ctrl+E"), triggered=self.go_to_opening)
        self.clock_menu.addActions([self.play_act, self.back_act, self.fwd_act, self.day_back_act, self.day_fwd_act])
        self.clock_menu.addSeparator()
        self.clock_menu.addActions([self.live_act, self.opening_act])

        self.aqi_menu = mb.addMenu("")
        self.std_group, self.conv_group = QActionGroup(self), QActionGroup(self)
        self.std_acts, self.conv_acts = {}, {}
        for key in ("auto", "hj633-2012", "hj633-2026"):
            act = QAction(self, checkable=True, checked=key == self.state.standard)
            act.triggered.connect(lambda _=False, k=key: self.state.set_aqi_settings(k, self.state.convention))
            self.std_group.addAction(act)
            self.aqi_menu.addAction(act)
            self.std_acts[key] = act
        self.aqi_menu.addSeparator()
        for key in ("published", "standard"):
            act = QAction(self, checkable=True, checked=key == self.state.convention)
            act.triggered.connect(lambda _=False, k=key: self.state.set_aqi_settings(self.state.standard, k))
            self.conv_group.addAction(act)
            self.aqi_menu.addAction(act)
            self.conv_acts[key] = act

        self.help_menu = mb.addMenu("")
        self.about_act = QAction(self, triggered=self.about)
        self.help_menu.addAction(self.about_act)

    def retranslate(self) -> None:
        """Set every user-visible text (called again after a language switch)."""
        t = self.tr
        self.setWindowTitle(t("Lantian 蓝天 — air-quality command console"))
        self.layers_dock.setWindowTitle(t("Layers"))
        self.ranking_dock.setWindowTitle(t("City ranking"))
        self.ts_dock.setWindowTitle(t("Time series"))
        self.clock_bar.setWindowTitle(t("Clock"))
        self.cancel_btn.setText(t("Cancel"))
        self.file_menu.setTitle(t("&File"))
        self.reload_act.setText(t("&Reload data"))
        self.shot_act.setText(t("Save &screenshot…"))
        self.quit_act.setText(t("&Quit"))
        self.view_menu.setTitle(t("&View"))
        self.panels_menu.setTitle(t("Panels"))
        self.reset_view_act.setText(t("Reset map view"))
        self.lang_menu.setTitle(t("Language"))
        self.lang_acts["auto"].setText(t("System language"))
        self.lang_acts["zh"].setText("中文")
        self.lang_acts["en"].setText("English")
        self.clock_menu.setTitle(t("&Clock"))
        self.play_act.setText(t("Play / pause"))
        self.back_act.setText(t("One hour back"))
        self.fwd_act.setText(t("One hour forward"))
        self.day_back_act.setText(t("One day back"))
        self.day_fwd_act.setText(t("One day forward"))
        self.live_act.setText(t("Live (newest data)"))
        self.opening_act.setText(t("Worst episode"))
        self.aqi_menu.setTitle(t("&AQI"))
        self.std_acts["auto"].setText(t("Standard by date (HJ 633-2012, HJ 633-2026 from 2026-03-01)"))
        self.std_acts["hj633-2012"].setText(t("Always HJ 633-2012"))
        self.std_acts["hj633-2026"].setText(t("Always HJ 633-2026"))
        self.conv_acts["published"].setText(t("As published by the national platform (1-h PM)"))
        self.conv_acts["standard"].setText(t("As written in the standard (24-h PM)"))
        self.help_menu.setTitle(t("&Help"))
        self.about_act.setText(t("&About Lantian"))
        self.clock.retranslate()
        self.timeseries._retranslate()
        self.ranking.model_._headers()
        self._update_status()

    # ----------------------------------------------------------------- data loading
    def _loader(self, progress, cancelled) -> ConsoleData:
        pre = self.preload
        if pre is not None and (pre.standard, pre.convention) == (self.state.standard, self.state.convention):
            self.preload = None  # used once: later reloads read the store again
            data = pre.result(progress, cancelled)
            self.store = pre.store
            return data
        return load_console_data(self.store, self.state.standard, self.state.convention,
                                 progress=progress, cancelled=cancelled)

    @Slot()
    def load_async(self) -> Task:
        """Load (or reload) the data in a worker; the GUI stays responsive, the user can cancel."""
        if self.task is not None:
            self.task.cancel()
        task = Task(self._loader)
        self.task = task
        task.signals.progress.connect(self._progress)
        task.signals.finished.connect(self._loaded)
        task.signals.failed.connect(self._failed)
        task.signals.cancelled.connect(lambda: self.show_message(self.tr("Loading cancelled")))
        task.signals.done.connect(lambda t=task: self._task_done(t))
        self.progress.setValue(0)
        self.progress.show()
        self.cancel_btn.show()
        self.show_message(self.tr("Loading data…"))
        return start(task)

    def load_sync(self) -> None:
        """Load on the calling thread (screenshots, benchmarks)."""
        self._loaded(self._loader(None, lambda: False))

    @Slot()
    def cancel_task(self) -> None:
        if self.task is not None:
            self.task.cancel()

    def _progress(self, pct: int, text: str) -> None:
        self.progress.setValue(pct)
        steps = {"demo": self.tr("Preparing the built-in demo (first start)…"), "load": self.tr("Reading the database…"),
                 "aqi": self.tr("Computing AQI…"), "episode": self.tr("Finding the worst episode…"),
                 "stations": self.tr("Reading stations…"), "done": self.tr("Ready")}
        self.statusBar().showMessage(steps.get(text, text))

    def _task_done(self, task: Task) -> None:
        if self.task is task:
            self.task = None
            self.progress.hide()
            self.cancel_btn.hide()

    def _loaded(self, data: ConsoleData) -> None:
        when = None
        if self._first_load:
            self._first_load = False
            if self.open_at is not None:
                when = self.open_at
            elif self.settings.get("dataset", "mode") == LIVE:
                self.state.set_mode(LIVE)
            else:
                when = data.opening
        self.state.set_data(data, when)
        if not self.settings.get("window", "state"):
            self.default_layout()  # first run: fit the ranking's columns
        self.show_message(self.tr("Data loaded: %1 cities, %2 hours").replace("%1", str(len(data.codes)))
                          .replace("%2", str(data.n_time)), 5000)

    def _failed(self, message: str) -> None:
        self.show_message(message)
        QMessageBox.warning(self, self.tr("Lantian"), message)

    @Slot()
    def go_to_opening(self) -> None:
        d = self.state.data
        if d is not None and d.opening is not None:
            self.state.set_mode(REPLAY)
            self.state.set_time(d.opening)

    @Slot(str)
    def _live_polling(self, mode: str) -> None:
        if mode == LIVE:
            self.live_timer.start()
        else:
            self.live_timer.stop()

    @Slot()
    def check_for_new_data(self) -> None:
        """Reload when the store holds an hour newer than the loaded data (live mode)."""
        if self.task is not None or self.store is None or self.state.data is None:
            return
        newest = self.state.data.time_at(self.state.data.n_time - 1)

        def probe(_progress, _cancelled):
            from console.store.repository import Repository

            rng = Repository(self.store).time_range("city")
            return rng is not None and rng[1] > newest

        task = Task(probe)
        task.signals.finished.connect(lambda newer: self.load_async() if newer else None)
        task.signals.failed.connect(self.show_message)
        self._probe = task  # keep a reference until it ran
        start(task)

    # ----------------------------------------------------------------- status
    def show_message(self, text: str, timeout: int = 0) -> None:
        self.statusBar().showMessage(text, timeout)

    @Slot()
    def _update_status(self, *_args) -> None:
        d = self.state.data
        t = self.tr
        if d is None:
            self.fresh_label.setText(t("No data loaded"))
            self.rules_label.setText("")
        else:
            newest = d.time_at(d.latest_index())
            self.fresh_label.setText(t("Newest data %1 (age %2)").replace("%1", f"{newest:%Y-%m-%d %H:00}")
                                     .replace("%2", age_text(t, newest, beijing_now())))
            self._update_rules()
        url = self.store.display_url if self.store is not None else "…"
        self.db_label.setText(t("Database: %1").replace("%1", url))
        self.db_label.setToolTip(url)

    @Slot()
    def _update_rules(self, *_args) -> None:
        d = self.state.data
        if d is None:
            return
        conv = self.tr("published") if d.convention == "published" else self.tr("standard text")
        self.rules_label.setText(self.tr("AQI rules: %1 (%2)").replace("%1", d.rule_version[self.state.index].upper())
                                 .replace("%2", conv))

    # ----------------------------------------------------------------- user actions
    def choose_language(self, key: str) -> None:
        self.settings.set("language", key)
        lang = i18n.resolve(key)
        i18n.install(lang)
        self.state.set_language(lang)
        self.retranslate()

    def save_screenshot(self) -> None:
        path, _ = QFileDialog.getSaveFileName(self, self.tr("Save screenshot"), "lantian.png", "PNG (*.png)")
        if path:
            if not self.grab().save(path, "PNG"):
                self._failed(self.tr("Could not write %1").replace("%1", path))

    def about(self) -> None:
        QMessageBox.about(self, self.tr("About Lantian"), self.tr(
            "Lantian (蓝天) — decision support and pollution-episode command console for Guangxi.\n"
            "Demo data: real hourly city data from the national monitoring platform (CNEMC), 2018-12 to 2019-06."))

    # ----------------------------------------------------------------- layout persistence
    def _restore_layout(self) -> None:
        for key, fn in (("geometry", self.restoreGeometry), ("state", self.restoreState)):
            raw = self.settings.get("window", key)
            if raw:
                try:
                    fn(QByteArray(base64.b64decode(raw)))
                except (ValueError, TypeError):
                    pass

    def save_settings(self) -> None:
        s = self.settings
        s.set("window", "geometry", base64.b64encode(bytes(self.saveGeometry())).decode("ascii"))
        s.set("window", "state", base64.b64encode(bytes(self.saveState())).decode("ascii"))
        s.set("aqi", "standard", self.state.standard)
        s.set("aqi", "convention", self.state.convention)
        s.set("dataset", "mode", self.state.mode)
        t = self.state.time()
        s.set("dataset", "time", t.isoformat() if t is not None else None)
        s.set("timeseries", "variables", list(self.timeseries.variables))
        s.set("timeseries", "cities", list(self.timeseries.extra_cities))
        s.set("layers", self.layers.visibility())
        try:
            s.save()
        except OSError as exc:
            self.show_message(self.tr("Settings not saved: %1").replace("%1", str(exc)))

    def shutdown(self) -> None:
        """Stop timers and workers (idempotent)."""
        self.clock.stop()
        self.live_timer.stop()
        if self.preload is not None:
            self.preload.cancel()
        if self.task is not None:
            self.task.cancel()
            self.task.wait(10)

    def closeEvent(self, event) -> None:
        self.shutdown()
        self.save_settings()
        super().closeEvent(event)
