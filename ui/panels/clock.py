"""The clock bar: the console's "now" — live (newest data) or replay (scrub / play hour by hour)."""
from __future__ import annotations

from PySide6.QtCore import QElapsedTimer, Qt, QTimer, Signal, Slot
from PySide6.QtGui import QFont
from PySide6.QtWidgets import (QButtonGroup, QComboBox, QHBoxLayout, QLabel, QSlider, QStyle, QToolButton, QWidget)

from ui.state import LIVE, REPLAY, ConsoleState

SPEEDS = (1, 3, 6, 12, 24)  # hours of data per second of wall time


class ClockBar(QWidget):
    """Mode switch, scrubber, step/play controls and speed; drives :class:`ConsoleState`'s clock."""

    openingRequested = Signal()

    def __init__(self, state: ConsoleState, parent=None):
        super().__init__(parent)
        self.state = state
        self.setObjectName("clockBar")
        self.speed = SPEEDS[0]
        self.timer = QTimer(self)
        self.timer.timeout.connect(self._tick)
        self._elapsed = QElapsedTimer()
        self._carry = 0.0

        self.live_btn = QToolButton(checkable=True)
        self.replay_btn = QToolButton(checkable=True)
        group = QButtonGroup(self)
        group.setExclusive(True)
        for b in (self.live_btn, self.replay_btn):
            group.addButton(b)
            b.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
        self.replay_btn.setChecked(True)
        self.live_btn.clicked.connect(lambda: state.set_mode(LIVE))
        self.replay_btn.clicked.connect(lambda: state.set_mode(REPLAY))

        style = self.style()
        self._icons = {k: style.standardIcon(v) for k, v in (
            ("play", QStyle.StandardPixmap.SP_MediaPlay), ("pause", QStyle.StandardPixmap.SP_MediaPause),
            ("back", QStyle.StandardPixmap.SP_MediaSeekBackward), ("fwd", QStyle.StandardPixmap.SP_MediaSeekForward))}
        self.back_btn = QToolButton()
        self.back_btn.setIcon(self._icons["back"])
        self.back_btn.setAutoRepeat(True)
        self.back_btn.clicked.connect(lambda: self.step(-1))
        self.play_btn = QToolButton(checkable=True)
        self.play_btn.toggled.connect(self.set_playing)
        self.fwd_btn = QToolButton()
        self.fwd_btn.setIcon(self._icons["fwd"])
        self.fwd_btn.setAutoRepeat(True)
        self.fwd_btn.clicked.connect(lambda: self.step(1))
        self.slider = QSlider(Qt.Orientation.Horizontal)
        self.slider.setObjectName("clockSlider")
        self.slider.setPageStep(24)
        self.slider.valueChanged.connect(self._slider_moved)
        self.time_label = QLabel("—")
        self.time_label.setObjectName("clockTime")
        f = QFont()
        f.setPointSizeF(f.pointSizeF() * 1.35)
        f.setBold(True)
        self.time_label.setFont(f)
        self.time_label.setMinimumWidth(self.time_label.fontMetrics().horizontalAdvance("2019-01-27 10:00  ") + 8)
        self.speed_box = QComboBox()
        self.speed_box.currentIndexChanged.connect(self._speed_changed)
        self.opening_btn = QToolButton()
        self.opening_btn.clicked.connect(self.openingRequested)

        lay = QHBoxLayout(self)
        lay.setContentsMargins(8, 4, 8, 4)
        for w in (self.live_btn, self.replay_btn):
            lay.addWidget(w)
        lay.addSpacing(10)
        lay.addWidget(self.time_label)
        for w in (self.back_btn, self.play_btn, self.fwd_btn):
            lay.addWidget(w)
        lay.addWidget(self.slider, 1)
        lay.addWidget(self.speed_box)
        lay.addWidget(self.opening_btn)
        self.retranslate()

        state.dataChanged.connect(self._data_changed)
        state.timeChanged.connect(self._time_changed)
        state.modeChanged.connect(self._mode_changed)

    def retranslate(self) -> None:
        self.live_btn.setText(self.tr("Live"))
        self.live_btn.setToolTip(self.tr("Follow the newest data"))
        self.replay_btn.setText(self.tr("Replay"))
        self.replay_btn.setToolTip(self.tr("Scrub or play the stored period hour by hour"))
        self.play_btn.setIcon(self._icons["pause" if self.play_btn.isChecked() else "play"])
        self.play_btn.setToolTip(self.tr("Play / pause the replay"))
        self.back_btn.setToolTip(self.tr("One hour back"))
        self.fwd_btn.setToolTip(self.tr("One hour forward"))
        self.opening_btn.setText(self.tr("Worst episode"))
        self.opening_btn.setToolTip(self.tr("Jump to the peak hour of the worst episode in the data"))
        i = self.speed_box.currentIndex()
        self.speed_box.blockSignals(True)
        self.speed_box.clear()
        for s in SPEEDS:
            self.speed_box.addItem(self.tr("1 day/s") if s == 24 else self.tr("%1 h/s").replace("%1", str(s)), s)
        self.speed_box.setCurrentIndex(max(0, i))
        self.speed_box.blockSignals(False)

    # ----------------------------------------------------------------- control
    def step(self, hours: int) -> None:
        self.state.set_mode(REPLAY)
        self.state.set_index(self.state.index + hours)

    @Slot(bool)
    def set_playing(self, on: bool) -> None:
        """Start/stop playback at the chosen speed."""
        if self.play_btn.isChecked() != on:
            self.play_btn.setChecked(on)
            return
        self.play_btn.setIcon(self._icons["pause" if on else "play"])
        if on:
            self.state.set_mode(REPLAY)
            self._carry = 0.0
            self._elapsed.start()
            self.timer.start(max(40, int(1000 / self.speed)))
        else:
            self.timer.stop()

    def set_speed(self, hours_per_second: int) -> None:
        self.speed_box.setCurrentIndex(SPEEDS.index(hours_per_second))

    def is_playing(self) -> bool:
        return self.timer.isActive()

    def stop(self) -> None:
        self.set_playing(False)

    @Slot()
    def _tick(self) -> None:
        """Advance by the data hours due since the last tick (keeps the real rate if painting is slow)."""
        ms = self._elapsed.restart()
        self._carry += ms * self.speed / 1000.0
        hours = int(self._carry)
        if hours < 1:
            return
        self._carry -= hours
        d = self.state.data
        if d is None or self.state.index >= d.n_time - 1:
            self.set_playing(False)
            return
        self.state.set_index(self.state.index + hours)

    def _speed_changed(self, i: int) -> None:
        self.speed = SPEEDS[max(0, i)]
        if self.timer.isActive():
            self.timer.setInterval(max(40, int(1000 / self.speed)))

    # ----------------------------------------------------------------- follow the state
    @Slot()
    def _data_changed(self) -> None:
        d = self.state.data
        self.slider.blockSignals(True)
        self.slider.setRange(0, d.n_time - 1)
        self.slider.setValue(self.state.index)
        self.slider.blockSignals(False)

    @Slot(int)
    def _time_changed(self, i: int) -> None:
        self.slider.blockSignals(True)
        self.slider.setValue(i)
        self.slider.blockSignals(False)
        t = self.state.time()
        self.time_label.setText(f"{t:%Y-%m-%d %H:00}" if t is not None else "—")

    @Slot(str)
    def _mode_changed(self, mode: str) -> None:
        live = mode == LIVE
        (self.live_btn if live else self.replay_btn).setChecked(True)
        if live:
            self.set_playing(False)

    def _slider_moved(self, v: int) -> None:
        self.state.set_mode(REPLAY)
        self.state.set_index(v)
