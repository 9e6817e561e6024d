"""Briefing panel: choose report type, date, cities and language → preview the pages → export PDF/DOCX/HTML.

A self-contained QWidget the main window docks.  The report is built by the core (console.reports)
in a worker thread; the panel only shows the page images and writes the chosen file.
"""
from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta

from PySide6.QtCore import QDate, QObject, Qt, QThread, Signal, Slot
from PySide6.QtGui import QPixmap
from PySide6.QtWidgets import (
    QComboBox,
    QDateEdit,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from console.errors import LantianError

KINDS = ("daily", "episode", "assessment")   # report types (their names: BriefPanel.retranslate)


class _Job(QObject):
    """Runs one function off the GUI thread and reports its result or a readable error."""

    done = Signal(int, object)  # generation, result
    failed = Signal(int, str)

    def __init__(self, fn: Callable[[], object], gen: int):
        super().__init__()
        self._fn, self._gen = fn, gen

    @Slot()
    def run(self) -> None:
        try:
            res = self._fn()
        except LantianError as exc:
            self.failed.emit(self._gen, str(exc))
        except Exception as exc:  # shown in the panel, never a crash of the console
            self.failed.emit(self._gen, f"{exc.__class__.__name__}: {exc}")
        else:
            self.done.emit(self._gen, res)


class BriefPanel(QWidget):
    """Report preview and export."""

    previewReady = Signal(int)  # number of pages
    exported = Signal(str)  # path written
    failed = Signal(str)

    def __init__(self, repo, parent: QWidget | None = None, day: date | None = None):
        super().__init__(parent)
        self.repo = repo
        self._thread: QThread | None = None
        self._job: _Job | None = None
        self._generation = 0
        self._on_done: Callable[[object], None] = lambda res: None
        self.setObjectName("briefPanel")
        self.kind = QComboBox()
        for key in KINDS:
            self.kind.addItem("", key)   # words in retranslate(); the logic reads item data
        self.date = QDateEdit()
        self.date.setCalendarPopup(True)
        self.date.setDisplayFormat("yyyy-MM-dd")
        d = day or self._last_day()
        self.date.setDate(QDate(d.year, d.month, d.day))
        self.cities = QLineEdit()
        self.lang = QComboBox()
        self.lang.addItem("中文", "zh")
        self.lang.addItem("English", "en")
        self.preview_btn = QPushButton()
        self.export_btn = QPushButton()
        self.export_btn.setEnabled(False)
        self.cancel_btn = QPushButton()
        self.cancel_btn.setEnabled(False)
        self.status = QLabel()
        self.status.setWordWrap(True)
        self.pages = QWidget()
        self.pages_layout = QVBoxLayout(self.pages)
        self.pages_layout.setAlignment(Qt.AlignmentFlag.AlignHCenter | Qt.AlignmentFlag.AlignTop)
        self.scroll = QScrollArea()
        self.scroll.setWidgetResizable(True)
        self.scroll.setWidget(self.pages)

        row = QHBoxLayout()
        for w in (self.kind, self.date, self.cities, self.lang, self.preview_btn, self.cancel_btn, self.export_btn):
            row.addWidget(w)
        lay = QVBoxLayout(self)
        lay.addLayout(row)
        lay.addWidget(self.status)
        lay.addWidget(self.scroll, 1)
        self.preview_btn.clicked.connect(self.preview)
        self.export_btn.clicked.connect(self._export_dialog)
        self.cancel_btn.clicked.connect(self.cancel)
        self._started = False   # nothing previewed or exported yet: the status is the hint
        self.retranslate()

    def retranslate(self) -> None:
        """Texts in the current translation (called again on a language change); the report's own language is
        the separate 中文/English choice."""
        t = self.tr
        names = {"daily": t("Daily briefing"), "episode": t("Episode consultation"),
                 "assessment": t("Post-episode assessment")}
        for i in range(self.kind.count()):
            self.kind.setItemText(i, names[self.kind.itemData(i)])
        self.kind.setToolTip(t("Report type"))
        self.cities.setPlaceholderText(t("all cities (e.g. 南宁市, 450200)"))
        self.lang.setToolTip(t("Language of the report"))
        self.preview_btn.setText(t("Preview"))
        self.export_btn.setText(t("Export…"))
        self.cancel_btn.setText(t("Cancel"))
        if not self._started:
            self.status.setText(t("Choose the report type and day, then Preview."))

    def _last_day(self) -> date:
        """The last complete day of city data in the store (today when the store is empty)."""
        try:
            span = self.repo.time_range("city")
        except Exception:  # an unreachable store shows its error on preview, not here
            span = None
        if not span:
            return date.today()
        return (span[1] - timedelta(hours=1)).date()  # hour-ending labels: 00:00 closes the previous day

    # ------------------------------------------------------------------ parameters
    def params(self) -> dict:
        """The report request as entered."""
        q = self.date.date()
        text = self.cities.text().strip()
        return {"kind": self.kind.currentData(), "day": date(q.year(), q.month(), q.day()),
                "cities": [c.strip() for c in text.replace("，", ",").split(",") if c.strip()] or None,
                "lang": self.lang.currentData()}

    def set_request(self, kind: str | None = None, day: date | None = None, cities: str | None = None,
                    lang: str | None = None) -> None:
        """Fill the form (used by the main window, e.g. from the episode panel)."""
        if kind:
            self.kind.setCurrentIndex(max(0, self.kind.findData(kind)))
        if day:
            self.date.setDate(QDate(day.year, day.month, day.day))
        if cities is not None:
            self.cities.setText(cities)
        if lang:
            self.lang.setCurrentIndex(max(0, self.lang.findData(lang)))

    # ------------------------------------------------------------------ work
    def _run(self, fn: Callable[[], object], on_done: Callable[[object], None], busy: str) -> None:
        self.cancel()
        self._wait()
        self._started = True
        self._generation += 1
        gen = self._generation
        self.status.setText(busy)
        self.preview_btn.setEnabled(False)
        self.cancel_btn.setEnabled(True)
        self._on_done = on_done
        thread = QThread(self)
        job = _Job(fn, gen)
        job.moveToThread(thread)
        thread.started.connect(job.run)
        # bound slots of this GUI-thread object → queued connections back to the GUI thread
        job.done.connect(self._finished)
        job.failed.connect(self._failed)
        self._thread, self._job = thread, job
        thread.start()

    @Slot(int, object)
    def _finished(self, gen: int, res) -> None:
        self._wait()
        self.preview_btn.setEnabled(True)
        self.cancel_btn.setEnabled(False)
        if gen == self._generation:
            self._on_done(res)

    @Slot(int, str)
    def _failed(self, gen: int, msg: str) -> None:
        self._wait()
        self.preview_btn.setEnabled(True)
        self.cancel_btn.setEnabled(False)
        if gen == self._generation:
            self.status.setText(self.tr("Error: {msg}").format(msg=msg))
            self.failed.emit(msg)

    @Slot()
    def cancel(self) -> None:
        """Forget the running job (its result is discarded when it arrives)."""
        if self._thread is not None and self._thread.isRunning():
            self._generation += 1
            self.status.setText(self.tr("Cancelled."))
            self.preview_btn.setEnabled(True)
            self.cancel_btn.setEnabled(False)

    def _wait(self) -> None:
        if self._thread is not None:
            self._thread.quit()
            self._thread.wait()
            self._thread.deleteLater()
            self._job.deleteLater()
            self._thread = self._job = None

    @Slot()
    def preview(self) -> None:
        """Render the pages in a worker thread and show them."""
        from console.fonts import qt_cjk_family
        from console.reports import check_font, preview_pages

        self._started = True
        try:  # font check and registration in the GUI thread (QFontDatabase), errors shown at once
            check_font()
            qt_cjk_family()
        except LantianError as exc:
            self.status.setText(self.tr("Error: {msg}").format(msg=exc))
            self.failed.emit(str(exc))
            return
        p = self.params()
        dpi = max(60.0, min(110.0, self.logicalDpiY() * 0.9))
        self._run(lambda: preview_pages(self.repo, p["kind"], p["day"], p["cities"], p["lang"], dpi=dpi),
                  self._show_pages, self.tr("Rendering the preview…"))

    def _show_pages(self, prev) -> None:
        while self.pages_layout.count():
            item = self.pages_layout.takeAt(0)
            if item.widget():
                item.widget().deleteLater()
        for img in prev.images:
            lab = QLabel()
            lab.setPixmap(QPixmap.fromImage(img))
            lab.setStyleSheet("border: 1px solid #999; background: white;")
            self.pages_layout.addWidget(lab)
        t = self.tr
        names = {"forecast": t("forecast"), "sources": t("source apportionment"), "warnings": t("warnings"),
                 "measures": t("measures")}
        absent = t(", ").join(names.get(k, k) for k in prev.absent)
        self.status.setText(t("{title}: {n} page(s)").format(title=prev.title, n=len(prev.images))
                            + (t(" (not included: {parts})").format(parts=absent) if absent else ""))
        self.export_btn.setEnabled(True)
        self.previewReady.emit(len(prev.images))

    def page_labels(self) -> list[QLabel]:
        """The page widgets currently shown."""
        return [self.pages_layout.itemAt(i).widget() for i in range(self.pages_layout.count())]

    @Slot()
    def _export_dialog(self) -> None:
        p = self.params()
        name, _ = QFileDialog.getSaveFileName(self, self.tr("Export report"), f"{p['kind']}_{p['day']}.pdf",
                                              "PDF (*.pdf);;Word (*.docx);;HTML (*.html)")
        if name:
            self.export_to(name)

    def export_to(self, path: str) -> None:
        """Write the report to ``path`` (format from the suffix) in the worker thread."""
        from console.reports import make_report

        p = self.params()
        self._run(lambda: make_report(self.repo, p["kind"], p["day"], [path], p["cities"], p["lang"]),
                  lambda res: self._exported(str(res.paths[0])), self.tr("Exporting {path}…").format(path=path))

    def _exported(self, path: str) -> None:
        self.status.setText(self.tr("Exported: {path}").format(path=path))
        self.exported.emit(path)

    def closeEvent(self, event) -> None:
        self.cancel()
        self._wait()
        super().closeEvent(event)
