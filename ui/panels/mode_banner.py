"""The LIVE / REPLAY / DRILL banner: a full-width coloured strip that cannot be missed."""
from __future__ import annotations

from PySide6.QtCore import Qt, Signal, Slot
from PySide6.QtGui import QFont
from PySide6.QtWidgets import QHBoxLayout, QLabel, QWidget

from console.command.mode import ConsoleClock, clock as global_clock


class ModeBanner(QWidget):
    """Shows the console mode and, outside LIVE, the simulated console time."""

    modeChanged = Signal(str)

    def __init__(self, clock: ConsoleClock | None = None, language: str = "zh", parent: QWidget | None = None):
        super().__init__(parent)
        self.clock = clock or global_clock()
        self.language = language
        self.label = QLabel(self)
        self.label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        f = QFont(self.label.font())
        f.setPointSize(f.pointSize() + 6)
        f.setBold(True)
        self.label.setFont(f)
        self.label.setAutoFillBackground(True)
        lay = QHBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.addWidget(self.label)
        self.setMinimumHeight(40)
        self.clock.listeners.append(self._on_clock)
        self.refresh()

    def _on_clock(self, _clock) -> None:
        self.refresh()

    @Slot()
    def refresh(self) -> None:
        """Repaint from the clock's state."""
        text, bg, fg = self.clock.banner(self.language)
        self.label.setText(text)
        self.label.setStyleSheet(f"QLabel {{ background: {bg}; color: {fg}; padding: 6px; "
                                 f"border: 3px solid {fg}; }}")
        self.setToolTip(f"console mode: {self.clock.mode.value}")
        self.modeChanged.emit(self.clock.mode.value)

    def closeEvent(self, event) -> None:  # noqa: N802
        self.detach()
        super().closeEvent(event)

    def detach(self) -> None:
        """Stop following the clock."""
        if self._on_clock in self.clock.listeners:
            self.clock.listeners.remove(self._on_clock)
