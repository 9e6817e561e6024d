"""Source apportionment (PMF) console panel: a self-contained QWidget the main window docks.

Load PMF5-style files, review species categories (S/N, strong/weak/bad, editable), pick the factor
count from a Q/Qexp scan, run (worker thread, progress, cancel), then view profiles (mass and % of
species), contribution series with a period selector and source-share pie, BS/DISP intervals,
residual diagnostics; name factors (names persist into exports and carry over to re-runs); export.
The panel only displays: loading, solving and exporting are done by ``console`` / ``models``.
"""
from __future__ import annotations

import threading
from pathlib import Path

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QObject, QRectF, Qt, QThread, Signal, Slot
from PySide6.QtGui import QColor, QFont, QPainter
from PySide6.QtWidgets import (QCheckBox, QComboBox, QDoubleSpinBox, QFileDialog, QFormLayout, QGridLayout,
                               QGroupBox, QHBoxLayout, QHeaderView, QLabel, QLineEdit, QProgressBar, QPushButton,
                               QSpinBox, QSplitter, QTableWidget, QTableWidgetItem, QTabWidget, QVBoxLayout,
                               QWidget)

from console.errors import LantianError
from console.pmf_io import load_pmf_input, write_result
from console.pmf_jobs import RunSpec, run_job, sample_times
from models.pmf import Cancelled, transfer_names

PALETTE = ["#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f",
           "#bcbd22", "#17becf", "#393b79", "#637939"]


class _Worker(QObject):
    """Runs one console job off the GUI thread."""

    progress = Signal(int, int, str)
    done = Signal(object)
    failed = Signal(str)

    def __init__(self, data, spec: RunSpec, cancel: threading.Event):
        super().__init__()
        self._data, self._spec, self._cancel = data, spec, cancel

    @Slot()
    def run(self) -> None:
        try:
            out = run_job(self._data, self._spec, self._cancel, lambda d, t, m: self.progress.emit(d, t, m))
        except Cancelled:
            self.failed.emit("cancelled")
        except LantianError as exc:
            self.failed.emit(str(exc))
        except Exception as exc:  # never let a worker error kill the console
            self.failed.emit(f"unexpected error: {type(exc).__name__}: {exc}")
        else:
            self.done.emit(out)


class PieWidget(QWidget):
    """A small labelled pie chart (pyqtgraph has none)."""

    def __init__(self, parent=None):
        super().__init__(parent)
        self._values: list[float] = []
        self._labels: list[str] = []
        self._title = ""
        self.empty_text = "no result yet"   # set in the panel's translation
        self.setMinimumSize(260, 220)

    def set_data(self, values, labels, title: str = "") -> None:
        self._values = [max(float(v), 0.0) if np.isfinite(v) else 0.0 for v in values]
        self._labels = list(labels)
        self._title = title
        self.update()

    def paintEvent(self, _ev) -> None:  # noqa: N802 (Qt)
        p = QPainter(self)
        p.setRenderHint(QPainter.Antialiasing)
        p.fillRect(self.rect(), QColor("white"))
        total = sum(self._values)
        p.setPen(QColor("black"))
        p.drawText(8, 16, self._title)
        if total <= 0:
            p.drawText(8, 40, self.empty_text)
            return
        side = min(self.width() * 0.4, self.height() - 40)
        rect = QRectF(10, 28, side, side)
        start = 90 * 16
        for i, v in enumerate(self._values):
            span = int(round(-360 * 16 * v / total))
            p.setBrush(QColor(PALETTE[i % len(PALETTE)]))
            p.drawPie(rect, start, span)
            start += span
        x0 = int(rect.right() + 14)
        f = QFont(self.font())
        f.setPointSizeF(max(7.0, f.pointSizeF() * 0.9))
        p.setFont(f)
        for i, (v, lab) in enumerate(zip(self._values, self._labels)):
            y = 34 + i * 18
            p.fillRect(x0, y - 10, 12, 12, QColor(PALETTE[i % len(PALETTE)]))
            text = f"{100 * v / total:4.1f} %  {lab}"
            p.drawText(x0 + 18, y, p.fontMetrics().elidedText(text, Qt.ElideRight, max(self.width() - x0 - 22, 20)))
        p.end()


class PMFPanel(QWidget):
    """PMF source apportionment panel."""

    resultReady = Signal(object)
    statusChanged = Signal(str)

    def __init__(self, parent=None):
        super().__init__(parent)
        self.data = None
        self.result = None
        self.scan_rows: list[dict] = []
        self._thread: QThread | None = None
        self._worker: _Worker | None = None
        self._cancel = threading.Event()
        self._paths: dict[str, str | None] = {"conc": None, "unc": None, "mdl": None}
        self._build()

    # ------------------------------------------------------------------------------- layout ----
    def _build(self) -> None:
        pg.setConfigOptions(antialias=True, background="w", foreground="k")
        root = QVBoxLayout(self)
        top = QHBoxLayout()
        root.addLayout(top)

        files = self.files_box = QGroupBox()
        fl = QGridLayout(files)
        self.conc_label = QLabel()
        self.unc_label = QLabel()
        b1 = self.conc_btn = QPushButton()
        b1.clicked.connect(lambda: self._pick("conc"))
        b2 = self.unc_btn = QPushButton()
        b2.clicked.connect(lambda: self._pick("unc"))
        b3 = self.mdl_btn = QPushButton()
        b3.clicked.connect(lambda: self._pick("mdl"))
        self.ef_spin = QDoubleSpinBox(decimals=3, minimum=0.0, maximum=2.0, singleStep=0.01, value=0.1)
        self.total_combo = QComboBox()
        self.total_combo.addItem("")   # "(none)", set in retranslate(); the logic reads index 0
        fl.addWidget(b1, 0, 0)
        fl.addWidget(self.conc_label, 0, 1, 1, 3)
        fl.addWidget(b2, 1, 0)
        fl.addWidget(self.unc_label, 1, 1, 1, 3)
        fl.addWidget(b3, 2, 0)
        self.ef_label, self.total_label = QLabel(), QLabel()
        fl.addWidget(self.ef_label, 2, 1)
        fl.addWidget(self.ef_spin, 2, 2)
        fl.addWidget(self.total_label, 3, 0)
        fl.addWidget(self.total_combo, 3, 1, 1, 2)
        self.total_combo.currentIndexChanged.connect(self._total_changed)
        top.addWidget(files, 3)

        run = self.run_box = QGroupBox()
        rl = QFormLayout(run)
        self.factors_spin = QSpinBox(minimum=1, maximum=20, value=5)
        self.starts_spin = QSpinBox(minimum=1, maximum=500, value=20)
        self.seed_spin = QSpinBox(minimum=0, maximum=2 ** 31 - 1, value=0)
        self.robust_check = QCheckBox()
        self.robust_check.setChecked(True)
        self.bs_spin = QSpinBox(minimum=0, maximum=1000, value=0)
        self.disp_check = QCheckBox()
        self.bsdisp_spin = QSpinBox(minimum=0, maximum=200, value=0)
        self.workers_spin = QSpinBox(minimum=1, maximum=64, value=2)
        self.run_labels = {k: QLabel() for k in ("factors", "starts", "seed", "bs", "bsdisp", "workers")}
        rl.addRow(self.run_labels["factors"], self.factors_spin)
        rl.addRow(self.run_labels["starts"], self.starts_spin)
        rl.addRow(self.run_labels["seed"], self.seed_spin)
        rl.addRow("", self.robust_check)
        rl.addRow(self.run_labels["bs"], self.bs_spin)
        rl.addRow("", self.disp_check)
        rl.addRow(self.run_labels["bsdisp"], self.bsdisp_spin)
        rl.addRow(self.run_labels["workers"], self.workers_spin)
        top.addWidget(run, 2)

        act = QVBoxLayout()
        self.run_btn, self.scan_btn, self.cancel_btn, self.export_btn = (QPushButton() for _ in range(4))
        self.cancel_btn.setEnabled(False)
        self.run_btn.clicked.connect(self.start_run)
        self.scan_btn.clicked.connect(self.start_scan)
        self.cancel_btn.clicked.connect(self.cancel)
        self.export_btn.clicked.connect(self._export_dialog)
        for b in (self.run_btn, self.scan_btn, self.cancel_btn, self.export_btn):
            act.addWidget(b)
        self.progress = QProgressBar()
        self.status = QLabel()
        self.status.setWordWrap(True)
        act.addWidget(self.progress)
        act.addWidget(self.status)
        act.addStretch(1)
        top.addLayout(act, 2)

        self.tabs = QTabWidget()
        root.addWidget(self.tabs, 1)
        # species / categories
        self.species_table = QTableWidget(0, 4)
        self.species_table.horizontalHeader().setSectionResizeMode(QHeaderView.Stretch)
        self.tabs.addTab(self.species_table, "")
        # factor scan
        self.scan_plot = pg.PlotWidget()
        self.scan_plot.setLabel("left", "Q/Qexp")
        self.tabs.addTab(self.scan_plot, "")
        # profiles
        prof = QWidget()
        pl = QVBoxLayout(prof)
        row = QHBoxLayout()
        self.factor_combo = QComboBox()
        self.factor_combo.currentIndexChanged.connect(self._show_factor)
        self.name_edit = QLineEdit()
        self.name_edit.editingFinished.connect(self._rename)
        self.match_label = QLabel("")
        self.factor_label, self.name_label = QLabel(), QLabel()
        row.addWidget(self.factor_label)
        row.addWidget(self.factor_combo, 1)
        row.addWidget(self.name_label)
        row.addWidget(self.name_edit, 1)
        pl.addLayout(row)
        pl.addWidget(self.match_label)
        self.mass_plot = pg.PlotWidget()
        self.pct_plot = pg.PlotWidget()
        self.pct_plot.setYRange(0, 100)
        self.pct_plot.setXLink(self.mass_plot)
        pl.addWidget(self.mass_plot, 1)
        pl.addWidget(self.pct_plot, 1)
        self.tabs.addTab(prof, "")
        # contributions + pie
        contrib = QSplitter(Qt.Horizontal)
        self.times = None
        self.contrib_plot = pg.PlotWidget()
        self.contrib_plot.addLegend(offset=(5, 5))
        self.region = pg.LinearRegionItem()
        self.region.sigRegionChangeFinished.connect(self._update_pie)
        self.pie = PieWidget()
        contrib.addWidget(self.contrib_plot)
        contrib.addWidget(self.pie)
        contrib.setSizes([700, 320])
        self.tabs.addTab(contrib, "")
        # uncertainty
        self.unc_plot = pg.PlotWidget()
        self.unc_plot.addLegend(offset=(5, 5))
        self.unc_text = QLabel("")
        unc = QWidget()
        ul = QVBoxLayout(unc)
        ul.addWidget(self.unc_plot, 1)
        ul.addWidget(self.unc_text)
        self.tabs.addTab(unc, "BS / DISP")
        # residuals
        res = QWidget()
        rl2 = QHBoxLayout(res)
        self.hist_plot = pg.PlotWidget()
        self.qsp_plot = pg.PlotWidget()
        rl2.addWidget(self.hist_plot)
        rl2.addWidget(self.qsp_plot)
        self.tabs.addTab(res, "")
        self.retranslate()

    def retranslate(self) -> None:
        """Static texts in the current translation (called again on a language change)."""
        t = self.tr
        self.files_box.setTitle(t("Data"))
        self.run_box.setTitle(t("Run"))
        self.conc_btn.setText(t("Concentrations…"))
        self.unc_btn.setText(t("Uncertainties…"))
        self.mdl_btn.setText(t("MDL…"))
        self.ef_label.setText(t("error fraction"))
        self.total_label.setText(t("total variable"))
        self.total_combo.setItemText(0, t("(none)"))
        for key, text in (("factors", t("factors")), ("starts", t("random starts")), ("seed", t("seed")),
                          ("bs", t("bootstrap runs")), ("bsdisp", t("BS-DISP runs")),
                          ("workers", t("worker processes"))):
            self.run_labels[key].setText(text)
        self.robust_check.setText(t("robust (α = 4)"))
        self.disp_check.setText(t("DISP (all species)"))
        self.run_btn.setText(t("Run"))
        self.scan_btn.setText(t("Scan factor counts"))
        self.cancel_btn.setText(t("Cancel"))
        self.export_btn.setText(t("Export…"))
        self.species_table.setHorizontalHeaderLabels([t("species"), "S/N", t("missing"), t("category")])
        for i, text in enumerate((t("Species"), t("Factor count"), t("Profiles"), t("Contributions"), "BS / DISP",
                                  t("Residuals"))):
            self.tabs.setTabText(i, text)
        self.scan_plot.setTitle(t("Q(true)/Qexp vs number of factors"))
        self.scan_plot.setLabel("bottom", t("factors"))
        self.factor_label.setText(t("factor"))
        self.name_label.setText(t("name"))
        self.name_edit.setPlaceholderText(t("factor name"))
        self.mass_plot.setTitle(t("profile: concentration of species (log scale)"))
        self.pct_plot.setTitle(t("% of species in this factor"))
        self.contrib_plot.setTitle(t("factor contributions (drag the shaded period)"))
        self.unc_plot.setTitle(t("error estimation for the selected factor"))
        self.hist_plot.setTitle(t("scaled residuals (X − GF)/U"))
        self.qsp_plot.setTitle(t("Q per species / samples"))
        self.pie.empty_text = t("no result yet")
        self._update_labels()
        if self.data is None and not self.is_running():
            self._set_status(t("load a concentration file and its uncertainties"))

    # ------------------------------------------------------------------------------- data ------
    def _pick(self, which: str) -> None:
        path, _ = QFileDialog.getOpenFileName(self, self.tr("{which} file").format(which=which), "",
                                              self.tr("PMF data") + " (*.csv *.txt);;" + self.tr("All files") + " (*)")
        if not path:
            return
        self._paths[which] = path
        if which == "mdl":
            self._paths["unc"] = None
        if self._paths["conc"] and (self._paths["unc"] or self._paths["mdl"]):
            self.load_files(self._paths["conc"], self._paths["unc"], mdl=self._paths["mdl"],
                            error_fraction=self.ef_spin.value())
        else:
            self._update_labels()

    def _update_labels(self) -> None:
        c, u, m = self._paths["conc"], self._paths["unc"], self._paths["mdl"]
        self.conc_label.setText(self.tr("concentrations: {file}").format(file=Path(c).name if c else "–"))
        self.unc_label.setText(self.tr("uncertainties: {file}").format(
            file=Path(u).name if u else (("MDL " + Path(m).name) if m else "–")))

    def load_files(self, conc, unc=None, *, mdl=None, error_fraction=None, total=None) -> bool:
        """Load input files; returns False (and shows the one-line reason) on bad input."""
        self._paths.update(conc=str(conc), unc=str(unc) if unc else None, mdl=str(mdl) if mdl else None)
        self._update_labels()
        try:
            self.data = load_pmf_input(conc, unc, mdl=mdl, error_fraction=error_fraction, total=total)
        except LantianError as exc:
            self.data = None
            self._set_status(str(exc), error=True)
            return False
        self.total_combo.blockSignals(True)
        self.total_combo.clear()
        self.total_combo.addItem(self.tr("(none)"))
        self.total_combo.addItems(self.data.species)
        if total:
            self.total_combo.setCurrentText(total)
        self.total_combo.blockSignals(False)
        self._fill_species()
        self.factors_spin.setMaximum(max(1, len(self.data.fit_species) - 1))
        n, m = self.data.conc.shape
        self._set_status(self.tr("{n} samples × {m} species loaded").format(n=n, m=m) + "; "
                         + "; ".join(self.data.notes))
        return True

    def _total_changed(self) -> None:
        if self.data is None or self._paths["conc"] is None:
            return
        t = self.total_combo.currentText()
        self.load_files(self._paths["conc"], self._paths["unc"], mdl=self._paths["mdl"],
                        error_fraction=self.ef_spin.value(), total=None if self.total_combo.currentIndex() == 0 else t)

    def _fill_species(self) -> None:
        d = self.data
        self.species_table.setRowCount(len(d.species))
        for i, s in enumerate(d.species):
            self.species_table.setItem(i, 0, QTableWidgetItem(s))
            self.species_table.setItem(i, 1, QTableWidgetItem(f"{d.sn[i]:.2f}"))
            nm = int(d.missing.replaced[i]) if d.missing is not None else 0
            self.species_table.setItem(i, 2, QTableWidgetItem(str(nm)))
            cb = QComboBox()
            for code, text in (("strong", self.tr("strong")), ("weak", self.tr("weak")), ("bad", self.tr("bad"))):
                cb.addItem(text, code)
            cb.setCurrentIndex(max(0, cb.findData(d.categories[i])))
            cb.currentIndexChanged.connect(lambda _i, name=s, box=cb: self.set_category(name, box.currentData()))
            self.species_table.setCellWidget(i, 3, cb)

    def set_category(self, species: str, category: str) -> None:
        """Analyst override of one species' category."""
        if self.data is not None:
            self.data = self.data.with_categories({species: category})  # type: ignore[dict-item]
            self.factors_spin.setMaximum(max(1, len(self.data.fit_species) - 1))

    # ------------------------------------------------------------------------------- running ---
    def _spec(self, scan: list[int] | None = None) -> RunSpec:
        return RunSpec(factors=self.factors_spin.value(), starts=self.starts_spin.value(), seed=self.seed_spin.value(),
                       robust=self.robust_check.isChecked(), bs=0 if scan else self.bs_spin.value(),
                       disp=False if scan else self.disp_check.isChecked(), workers=self.workers_spin.value(),
                       bs_disp=0 if scan else self.bsdisp_spin.value(),
                       scan=scan or [])

    def is_running(self) -> bool:
        return self._thread is not None

    @Slot()
    def start_run(self) -> bool:
        return self._start(self._spec())

    @Slot()
    def start_scan(self) -> bool:
        if self.data is None:
            return self._start(self._spec())
        hi = min(len(self.data.fit_species) - 1, max(self.factors_spin.value() + 3, 4))
        while hi > 2 and self.data.q_expected(hi) <= 0:   # Q/Qexp needs Qexp > 0
            hi -= 1
        counts = list(range(max(2, self.factors_spin.value() - 3), hi + 1))
        spec = self._spec(counts)
        spec.starts = min(spec.starts, 5)
        return self._start(spec)

    def _start(self, spec: RunSpec) -> bool:
        if self.is_running():
            return False
        if self.data is None:
            self._set_status(self.tr("load a concentration file and its uncertainties first"), error=True)
            return False
        self._cancel = threading.Event()
        self._thread = QThread(self)
        self._worker = _Worker(self.data, spec, self._cancel)
        self._worker.moveToThread(self._thread)
        self._thread.started.connect(self._worker.run)
        self._worker.progress.connect(self._on_progress)
        self._worker.done.connect(self._on_done)
        self._worker.failed.connect(self._on_failed)
        self._set_busy(True)
        self.progress.setRange(0, 0)
        self._set_status(self.tr("scanning factor counts…") if spec.scan else
                         self.tr("running {factors} factors × {starts} starts…").format(factors=spec.factors,
                                                                                    starts=spec.starts))
        self._thread.start()
        return True

    @Slot()
    def cancel(self) -> None:
        """Ask the running job to stop (it stops between iterations)."""
        if self.is_running():
            self._cancel.set()
            self._set_status(self.tr("cancelling…"))

    def shutdown(self) -> None:
        """Cancel and wait for the worker (call before destroying the panel)."""
        self.cancel()
        self._finish_thread()

    def closeEvent(self, ev) -> None:  # noqa: N802 (Qt)
        self.shutdown()
        super().closeEvent(ev)

    def _finish_thread(self) -> None:
        if self._thread is not None:
            self._thread.quit()
            self._thread.wait()
            self._thread.deleteLater()
            if self._worker is not None:
                self._worker.deleteLater()
        self._thread = None
        self._worker = None
        self._set_busy(False)

    def _set_busy(self, busy: bool) -> None:
        self.run_btn.setEnabled(not busy)
        self.scan_btn.setEnabled(not busy)
        self.export_btn.setEnabled(not busy)
        self.cancel_btn.setEnabled(busy)

    @Slot(int, int, str)
    def _on_progress(self, done: int, total: int, msg: str) -> None:
        self.progress.setRange(0, total)
        self.progress.setValue(done)
        self.status.setText(msg)

    @Slot(str)
    def _on_failed(self, msg: str) -> None:
        self._finish_thread()
        self.progress.setRange(0, 1)
        self.progress.setValue(0)
        self._set_status(msg if msg != "cancelled" else self.tr("cancelled"), error=msg != "cancelled")

    @Slot(object)
    def _on_done(self, out) -> None:
        self._finish_thread()
        self.progress.setRange(0, 1)
        self.progress.setValue(1)
        if isinstance(out, list):
            self.scan_rows = out
            self._show_scan()
            self._set_status(self.tr("factor scan done: ")
                             + ", ".join(f"{r['factors']}: {r['q_ratio']:.2f}" for r in out))
            self.tabs.setCurrentWidget(self.scan_plot)
            return
        if self.result is not None:           # analyst names carry over to the new solution
            carried = transfer_names(self.result.F, self.result.species, self.result.factor_names, out.F, out.species)
            auto = [f"Factor {k + 1}" for k in range(self.result.factors)]
            out.factor_names = [c if c and c not in auto else n for c, n in zip(carried, out.factor_names)]
        self.result = out
        self._show_result()
        self.resultReady.emit(out)
        r = out
        self._set_status(f"Q(true) {r.q_true:,.1f}  Q(robust) {r.q_robust:,.1f}  Qexp {r.q_expected:,.0f}  "
                         f"Q/Qexp {r.q_ratio:.2f}  converged: {r.converged}  CPU {r.cpu_seconds:.1f} s")

    def _set_status(self, msg: str, error: bool = False) -> None:
        self.status.setText(msg)
        self.status.setStyleSheet("color: #b00020;" if error else "")
        self.statusChanged.emit(msg)

    # ------------------------------------------------------------------------------- views -----
    def _show_scan(self) -> None:
        self.scan_plot.clear()
        x = [r["factors"] for r in self.scan_rows]
        y = [r["q_ratio"] for r in self.scan_rows]
        self.scan_plot.plot(x, y, pen=pg.mkPen("#1f77b4", width=2), symbol="o", symbolBrush="#1f77b4")
        self.scan_plot.addLine(y=1.0, pen=pg.mkPen("#888", style=Qt.DashLine))

    def _show_result(self) -> None:
        r = self.result
        self.factor_combo.blockSignals(True)
        self.factor_combo.clear()
        self.factor_combo.addItems([f"{k + 1}: {n}" for k, n in enumerate(r.factor_names)])
        self.factor_combo.blockSignals(False)
        self._species_axis(self.mass_plot)
        self._species_axis(self.pct_plot)
        self._species_axis(self.unc_plot)
        self._show_factor(0)
        self._show_contributions()
        self._show_residuals()

    def _species_axis(self, plot) -> None:
        ticks = [(i, s) for i, s in enumerate(self.result.species)]
        ax = plot.getAxis("bottom")
        ax.setTicks([ticks])
        ax.setStyle(tickTextOffset=2)
        plot.getAxis("bottom").setHeight(24)

    def selected_factor(self) -> int:
        return max(self.factor_combo.currentIndex(), 0)

    def _show_factor(self, k: int) -> None:
        r = self.result
        if r is None or k < 0:
            return
        x = np.arange(len(r.species))
        col = PALETTE[k % len(PALETTE)]
        f = r.F[k]
        floor = np.log10(max(np.min(r.F[r.F > 0]) if np.any(r.F > 0) else 1e-6, 1e-12)) - 0.5
        y = np.log10(np.maximum(f, 10 ** floor))
        self.mass_plot.clear()
        self.mass_plot.addItem(pg.BarGraphItem(x=x, y0=floor, y1=y, width=0.7, brush=col))
        lo, hi = int(np.floor(floor)), int(np.ceil(np.log10(max(r.F.max(), 1e-12))))
        self.mass_plot.getAxis("left").setTicks([[(e, f"1e{e}") for e in range(lo, hi + 1)]])
        self.mass_plot.setYRange(floor, hi)
        pct = r.profiles_percent()[k]
        self.pct_plot.clear()
        self.pct_plot.addItem(pg.BarGraphItem(x=x, height=np.nan_to_num(pct), width=0.7, brush=col))
        self.pct_plot.setYRange(0, 100)
        self.name_edit.setText(r.factor_names[k])
        if r.matches and k < len(r.matches):
            self.match_label.setText("signature matches (library " + str(r.signature_version) + "): " +
                                     ", ".join(f"{n} {s:.2f}" for n, s in r.matches[k]))
        self._show_uncertainty(k)

    def _rename(self) -> None:
        r = self.result
        if r is None:
            return
        k = self.selected_factor()
        name = self.name_edit.text().strip()
        if name and name != r.factor_names[k]:
            self.rename_factor(k, name)

    def rename_factor(self, k: int, name: str) -> None:
        """The analyst names factor ``k`` (kept in exports and carried to re-runs)."""
        self.result.factor_names[k] = name
        self.factor_combo.setItemText(k, f"{k + 1}: {name}")
        self._show_contributions()

    def _show_contributions(self) -> None:
        r = self.result
        self.contrib_plot.clear()
        leg = self.contrib_plot.plotItem.legend
        if leg is not None:
            leg.clear()
        self.times = sample_times(r.index)
        x = self.times if self.times is not None else np.arange(len(r.index), dtype=float)
        if self.times is not None:
            self.contrib_plot.setAxisItems({"bottom": pg.DateAxisItem()})
        mass = r.contributions_mass()
        Y = mass if mass is not None else r.G
        self.contrib_plot.setLabel("left", self.tr("contribution to {total}").format(total=r.total) if mass is not None
                                   else self.tr("normalised contribution"))
        order = np.argsort(x)
        xs, Ys = x[order], Y[order]
        if xs.size > 2:                       # do not draw lines across gaps between campaigns
            dx = np.diff(xs)
            gap = np.flatnonzero(dx > 5 * max(np.median(dx), 1e-12))
            xs = np.insert(xs, gap + 1, xs[gap] + dx[gap] / 2)
            Ys = np.insert(Ys, gap + 1, np.nan, axis=0)
        for k in range(r.factors):
            self.contrib_plot.plot(xs, Ys[:, k], pen=pg.mkPen(PALETTE[k % len(PALETTE)], width=1.2),
                                   name=r.factor_names[k], connect="finite")
        span = x.max() - x.min()
        self.region.setRegion((x.min() + 0.0 * span, x.min() + 0.25 * span if span > 0 else x.max()))
        self.contrib_plot.addItem(self.region)
        self._update_pie()

    def period_rows(self) -> np.ndarray:
        """Indices of the samples inside the selected period."""
        x = self.times if self.times is not None else np.arange(len(self.result.index), dtype=float)
        a, b = self.region.getRegion()
        return np.flatnonzero((x >= a) & (x <= b))

    def _update_pie(self) -> None:
        r = self.result
        if r is None:
            return
        rows = self.period_rows()
        if rows.size == 0:
            rows = np.arange(len(r.index))
        shares = r.total_shares(rows)
        what = r.total or self.tr("modelled mass")
        self.pie.set_data(shares, r.factor_names, self.tr("share of {what}, {n} samples in period").format(
            what=what, n=rows.size))

    def _show_uncertainty(self, k: int) -> None:
        """Base profile (log scale) with BS 5–95 % and DISP (smallest dQmax) intervals."""
        r = self.result
        self.unc_plot.clear()
        leg = self.unc_plot.plotItem.legend
        if leg is not None:
            leg.clear()
        x = np.arange(len(r.species))
        pos = r.F[r.F > 0]
        floor = np.log10(max(pos.min() if pos.size else 1e-6, 1e-12)) - 0.5
        lg = lambda v: np.log10(np.maximum(np.nan_to_num(v, nan=0.0), 10 ** floor))  # noqa: E731
        base = lg(r.F[k])
        self.unc_plot.addItem(pg.BarGraphItem(x=x, y0=floor, y1=base, width=0.6, brush="#cfd8e3"))
        ceiling = base.max()
        lines = []
        intervals = []
        if r.bootstrap is not None:
            pc = r.bootstrap.percentiles()
            intervals.append((pc[0, k], pc[4, k], "#1f77b4", -0.12, "BS 5–95 %"))
            lines.append(f"BS {r.bootstrap.n_runs} runs: factor reproduced in "
                         f"{100 * r.bootstrap.mapped_fraction()[k]:.0f} % of runs")
        for d, colr, dx in ((r.displacement, "#d62728", 0.12), (r.bs_disp, "#2ca02c", 0.0)):
            if d is not None:
                intervals.append((d.lower[0, k], d.upper[0, k], colr, dx, f"{d.kind} dQmax={d.dq_max[0]:g}"))
                lines.append(f"{d.kind}: swaps at dQmax {d.dq_max[0]:g}: {int(d.swaps[0, k])}; "
                             f"largest dQ decrease {d.largest_dq_decrease:.2f}")
        for lo, hi, colr, dx, label in intervals:
            ok = np.isfinite(lo) & np.isfinite(hi)
            l, h = lg(lo[ok]), lg(hi[ok])
            eb = pg.ErrorBarItem(x=x[ok] + dx, y=base[ok], top=np.maximum(h - base[ok], 0),
                                 bottom=np.maximum(base[ok] - l, 0), beam=0.15, pen=pg.mkPen(colr, width=2))
            self.unc_plot.addItem(eb)
            self.unc_plot.plot([], [], pen=pg.mkPen(colr, width=2), name=label)
            if h.size:
                ceiling = max(ceiling, h.max())
        lo_t, hi_t = int(np.floor(floor)), int(np.ceil(ceiling))
        self.unc_plot.getAxis("left").setTicks([[(e, f"1e{e}") for e in range(lo_t, hi_t + 1)]])
        self.unc_plot.setYRange(floor, hi_t)
        self.unc_text.setText("\n".join(lines) if lines else self.tr("run with bootstrap and/or DISP to see intervals"))

    def _show_residuals(self) -> None:
        r = self.result
        s = r.scaled_residuals().ravel()
        s = s[np.isfinite(s)]
        edges = np.linspace(-8, 8, 65)
        h, _ = np.histogram(np.clip(s, -8, 8), edges)
        self.hist_plot.clear()
        self.hist_plot.plot(edges, h, stepMode="center", fillLevel=0, brush=(31, 119, 180, 120))
        for v in (-4, 4):
            self.hist_plot.addLine(x=v, pen=pg.mkPen("#d62728", style=Qt.DashLine))
        self.qsp_plot.clear()
        q = r.q_per_species() / len(r.index)
        x = np.arange(len(r.species))
        self.qsp_plot.addItem(pg.BarGraphItem(x=x, height=q, width=0.7, brush="#9467bd"))
        self._species_axis(self.qsp_plot)
        self.qsp_plot.addLine(y=1.0, pen=pg.mkPen("#888", style=Qt.DashLine))

    # ------------------------------------------------------------------------------- export ----
    def _export_dialog(self) -> None:
        if self.result is None:
            self._set_status(self.tr("nothing to export yet"), error=True)
            return
        d = QFileDialog.getExistingDirectory(self, self.tr("export PMF result to folder"))
        if d:
            self.export_to(d)

    def export_to(self, directory) -> list[Path]:
        """Write the current result (CSV, JSON, NetCDF) to ``directory``."""
        try:
            files = write_result(self.result, directory)
        except LantianError as exc:
            self._set_status(str(exc), error=True)
            return []
        self._set_status(self.tr("exported {n} files to {folder}").format(n=len(files), folder=directory))
        return files
