"""Time series (pyqtgraph): chosen cities and pollutants over time, AQI-level bands, crosshair readout,
a line at the clock hour; the whole demo stays smooth (peak downsampling + clip-to-view)."""
from __future__ import annotations

import copy
import math
from collections import OrderedDict

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Qt, Slot
from PySide6.QtGui import QAction, QColor
from PySide6.QtWidgets import QGraphicsItem, QHBoxLayout, QLabel, QMenu, QToolButton, QVBoxLayout, QWidget

from models.aqi import levels
from ui.data import VARIABLES
from ui.state import ConsoleState

#: calm, colour-blind-friendly line colours (Okabe-Ito); AQI level colours are kept for the bands only
PALETTE = ("#0072B2", "#D55E00", "#009E73", "#CC79A7", "#56B4E9", "#E69F00", "#000000", "#999999")
DASHES = (Qt.PenStyle.SolidLine, Qt.PenStyle.DashLine, Qt.PenStyle.DotLine, Qt.PenStyle.DashDotLine)
DAY = 86400.0


def epoch_seconds(times: np.ndarray) -> np.ndarray:
    """Naive Beijing-time datetime64 → seconds for DateAxisItem(utcOffset=0), which shows them unchanged."""
    return times.astype("datetime64[s]").astype(np.int64).astype(float)


#: language-neutral tick labels (the defaults use English weekday/month names: "Sun 27", "Jan")
TICK_FORMATS = {"%a %d": "%m-%d", "%d": "%m-%d", "%b": "%Y-%m"}


def date_axis() -> pg.DateAxisItem:
    """A date axis showing the stored (Beijing) times unchanged, with numeric month-day labels."""
    axis = pg.DateAxisItem(orientation="bottom", utcOffset=0)
    levels = OrderedDict()
    for key, level in axis.zoomLevels.items():
        level = copy.deepcopy(level)
        for spec in level.tickSpecs:
            spec.format = TICK_FORMATS.get(spec.format, spec.format)
        levels[key] = level
    axis.zoomLevels = levels
    return axis


class TimeSeriesPanel(QWidget):
    """Plot of (cities × variables); the selected city is always shown, more can be added."""

    def __init__(self, state: ConsoleState, parent=None):
        super().__init__(parent)
        self.state = state
        self.setObjectName("timeseries")
        self.variables: list[str] = ["AQI"]
        self.extra_cities: list[str] = []
        self._x = np.zeros(0)
        self.curves: dict[tuple[str, str], pg.PlotDataItem] = {}
        self._bands: list[pg.LinearRegionItem] = []

        self.plot = pg.PlotWidget(axisItems={"bottom": date_axis()})
        self.plot.setObjectName("tsPlot")
        self.plot.setBackground("w")
        pi = self.plot.getPlotItem()
        pi.setDownsampling(auto=True, mode="peak")
        pi.setClipToView(True)
        pi.showGrid(x=True, y=True, alpha=0.15)
        pi.setMenuEnabled(False)
        vb = pi.getViewBox()
        vb.setMouseEnabled(x=True, y=False)  # wheel/drag act on time; y re-fits to what is visible
        vb.enableAutoRange(axis="y")
        vb.setAutoVisible(y=True)
        for ax in ("left", "bottom"):
            axis = pi.getAxis(ax)
            axis.setPen(pg.mkPen("#555"))
            axis.setTextPen(pg.mkPen("#333"))
            # the axes only change when the view range does: keep them as device pixmaps, so moving the
            # clock line (every replay tick) does not replay their text drawing
            axis.setCacheMode(QGraphicsItem.CacheMode.DeviceCoordinateCache)
        self.legend = pi.addLegend(offset=(8, 8), labelTextColor="#222", brush=pg.mkBrush(255, 255, 255, 210))
        self.clock_line = pg.InfiniteLine(angle=90, movable=True, pen=pg.mkPen("#1f3a93", width=2),
                                          hoverPen=pg.mkPen("#1f3a93", width=3))
        self.clock_line.setZValue(50)
        self.clock_line.sigPositionChangeFinished.connect(self._clock_dragged)
        pi.addItem(self.clock_line, ignoreBounds=True)
        self.vline = pg.InfiniteLine(angle=90, movable=False, pen=pg.mkPen("#888", style=Qt.PenStyle.DashLine))
        self.hline = pg.InfiniteLine(angle=0, movable=False, pen=pg.mkPen("#888", style=Qt.PenStyle.DashLine))
        self.readout = pg.TextItem(anchor=(0, 1), color="#111", fill=pg.mkBrush(255, 255, 255, 225),
                                   border=pg.mkPen("#999"))
        for item in (self.vline, self.hline, self.readout):
            item.setZValue(60)
            item.hide()
            pi.addItem(item, ignoreBounds=True)
        self._mouse_proxy = pg.SignalProxy(self.plot.scene().sigMouseMoved, rateLimit=60, slot=self._mouse_moved)

        # controls
        self.var_buttons: dict[str, QToolButton] = {}
        bar = QHBoxLayout()
        bar.setContentsMargins(4, 2, 4, 2)
        for v in VARIABLES:
            b = QToolButton(text=v)
            b.setCheckable(True)
            b.setChecked(v in self.variables)
            b.setAutoRaise(True)
            b.toggled.connect(self._vars_toggled)
            self.var_buttons[v] = b
            bar.addWidget(b)
        bar.addSpacing(12)
        self.city_button = QToolButton()
        self.city_button.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        self.city_menu = QMenu(self.city_button)
        self.city_button.setMenu(self.city_menu)
        bar.addWidget(self.city_button)
        self.fit_button = QToolButton()
        self.fit_button.clicked.connect(self.show_all)
        self.week_button = QToolButton()
        self.week_button.clicked.connect(lambda: self.zoom_around_clock(3.5))
        self.box_button = QToolButton(checkable=True)
        self.box_button.toggled.connect(self._box_zoom)
        bar.addWidget(self.week_button)
        bar.addWidget(self.fit_button)
        bar.addWidget(self.box_button)
        bar.addStretch(1)
        self.caption = QLabel()
        self.caption.setStyleSheet("color:#555")
        bar.addWidget(self.caption)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.setSpacing(0)
        lay.addLayout(bar)
        lay.addWidget(self.plot, 1)
        self._retranslate()

        state.dataChanged.connect(self._data_changed)
        state.timeChanged.connect(self._time_changed)
        state.selectionChanged.connect(self.rebuild)
        state.languageChanged.connect(self._language_changed)

    # ----------------------------------------------------------------- public
    def cities(self) -> list[str]:
        """City codes plotted: the selected one first, then the extra ones (or the worst city if none)."""
        d = self.state.data
        if d is None:
            return []
        sel = self.state.selected_city()
        if sel is None and not self.extra_cities:
            col = d.aqi[:, self.state.index]
            sel = d.codes[int(np.nanargmax(col))] if np.isfinite(col).any() else d.codes[0]
        out = [sel] if sel else []
        return out + [c for c in self.extra_cities if c not in out]

    def set_variables(self, variables: list[str]) -> None:
        self.variables = [v for v in VARIABLES if v in variables] or ["AQI"]
        for v, b in self.var_buttons.items():
            b.blockSignals(True)
            b.setChecked(v in self.variables)
            b.blockSignals(False)
        self.rebuild()

    def set_extra_cities(self, codes: list[str]) -> None:
        self.extra_cities = list(codes)
        self._fill_city_menu()
        self.rebuild()

    def show_all(self) -> None:
        if self._x.size:
            self.plot.setXRange(self._x[0], self._x[-1], padding=0.01)
            self.plot.enableAutoRange(axis="y")

    def zoom_around_clock(self, days: float) -> None:
        """Show ±``days`` around the clock hour."""
        if self._x.size:
            c = self._x[self.state.index]
            self.plot.setXRange(c - days * DAY, c + days * DAY, padding=0)
            self.plot.enableAutoRange(axis="y")

    # ----------------------------------------------------------------- building
    @Slot()
    def rebuild(self, *_args) -> None:
        """(Re)create the curves for the chosen cities × variables."""
        d = self.state.data
        pi = self.plot.getPlotItem()
        for c in self.curves.values():
            pi.removeItem(c)
        self.curves.clear()
        self.legend.clear()
        if d is None:
            return
        for ci, code in enumerate(self.cities()):
            row = d.site_index(code)
            if row is None:
                continue
            for vi, var in enumerate(self.variables):
                k = ci * len(self.variables) + vi
                pen = pg.mkPen(PALETTE[k % len(PALETTE)], width=1.6 if ci == 0 else 1.2,
                               style=DASHES[ci % len(DASHES)] if len(self.variables) > 1 else Qt.PenStyle.SolidLine)
                if len(self.variables) == 1:
                    pen = pg.mkPen(PALETTE[ci % len(PALETTE)], width=1.8 if ci == 0 else 1.2)
                name = f"{d.name(row, self.state.language)} {var}"
                # PlotItem.addItem applies the plot's downsampling (peak, auto) and clip-to-view to the curve
                curve = pg.PlotDataItem(self._x, d.series(var, row), pen=pen, name=name, connect="finite")
                pi.addItem(curve)
                self.curves[(code, var)] = curve
        self._bands_visible("AQI" in self.variables)
        units = sorted({("mg/m³" if v == "CO" else "AQI" if v == "AQI" else "µg/m³") for v in self.variables})
        pi.setLabel("left", " · ".join(units))
        self.caption.setText(self.tr("Drag the blue line to move the clock · wheel zooms the time axis"))

    def _make_bands(self) -> None:
        pi = self.plot.getPlotItem()
        for b in self._bands:
            pi.removeItem(b)
        self._bands = []
        lo = 0
        for lv in levels():
            hi = min(lv.aqi_max, 500)
            c = QColor(lv.hex)
            c.setAlpha(38)
            band = pg.LinearRegionItem(values=(lo, hi), orientation="horizontal", movable=False,
                                       brush=pg.mkBrush(c), pen=pg.mkPen(None))
            band.setZValue(-100)
            for line in band.lines:
                line.setPen(pg.mkPen(None))
            pi.addItem(band, ignoreBounds=True)
            self._bands.append(band)
            lo = hi
        self._bands_visible("AQI" in self.variables)

    def _bands_visible(self, on: bool) -> None:
        for b in self._bands:
            b.setVisible(on)

    def _fill_city_menu(self) -> None:
        self.city_menu.clear()
        d = self.state.data
        if d is None:
            return
        for row, code in enumerate(d.codes):
            act = QAction(d.name(row, self.state.language), self.city_menu)
            act.setCheckable(True)
            act.setChecked(code in self.extra_cities)
            act.toggled.connect(lambda on, c=code: self._city_toggled(c, on))
            self.city_menu.addAction(act)

    # ----------------------------------------------------------------- slots
    @Slot()
    def _data_changed(self) -> None:
        d = self.state.data
        self._x = epoch_seconds(d.times)
        span = self._x[-1] - self._x[0] if self._x.size > 1 else DAY
        self.plot.getPlotItem().getViewBox().setLimits(xMin=self._x[0] - 0.02 * span, xMax=self._x[-1] + 0.02 * span,
                                                       minXRange=6 * 3600)
        if not self._bands:
            self._make_bands()
        self._fill_city_menu()
        self.rebuild()
        self._time_changed(self.state.index)
        self.zoom_around_clock(3.5)

    @Slot(int)
    def _time_changed(self, i: int) -> None:
        if not self._x.size:
            return
        x = self._x[i]
        self.clock_line.blockSignals(True)
        self.clock_line.setValue(x)
        self.clock_line.blockSignals(False)
        # follow the clock: keep it in view while replaying
        (x0, x1), _ = self.plot.getPlotItem().getViewBox().viewRange()
        if not (x0 <= x <= x1):
            w = x1 - x0
            self.plot.setXRange(x - 0.75 * w, x + 0.25 * w, padding=0)

    @Slot()
    def _language_changed(self) -> None:
        self._retranslate()
        self._fill_city_menu()
        self.rebuild()

    def _retranslate(self) -> None:
        self.city_button.setText(self.tr("Compare cities"))
        self.fit_button.setText(self.tr("Whole period"))
        self.week_button.setText(self.tr("Clock ±3.5 d"))
        self.box_button.setText(self.tr("Zoom to period"))
        self.box_button.setToolTip(self.tr("Drag over the period to show; click again to pan with the mouse"))
        for v, b in self.var_buttons.items():
            b.setToolTip(self.tr("Show %1").replace("%1", v))

    def _box_zoom(self, on: bool) -> None:
        vb = self.plot.getPlotItem().getViewBox()
        vb.setMouseMode(vb.RectMode if on else vb.PanMode)

    def zoom_to(self, start, end) -> None:
        """Show the period [start, end] (anything pandas can parse)."""
        import pandas as pd

        x0, x1 = (epoch_seconds(np.array([pd.Timestamp(t).to_datetime64()]))[0] for t in (start, end))
        self.plot.setXRange(x0, x1, padding=0)

    def _vars_toggled(self) -> None:
        chosen = [v for v, b in self.var_buttons.items() if b.isChecked()]
        if not chosen:  # keep at least one
            self.var_buttons["AQI"].setChecked(True)
            return
        self.variables = chosen
        self.rebuild()

    def _city_toggled(self, code: str, on: bool) -> None:
        if on and code not in self.extra_cities:
            self.extra_cities.append(code)
        elif not on and code in self.extra_cities:
            self.extra_cities.remove(code)
        self.rebuild()

    def _clock_dragged(self) -> None:
        if self.state.data is None or not self._x.size:
            return
        i = int(np.clip(np.searchsorted(self._x, self.clock_line.value()), 0, self._x.size - 1))
        self.state.set_mode("replay")
        self.state.set_index(i)

    def _mouse_moved(self, evt) -> None:
        pos = evt[0]
        vb = self.plot.getPlotItem().getViewBox()
        if not self.plot.sceneBoundingRect().contains(pos) or not self._x.size or not self.curves:
            for item in (self.vline, self.hline, self.readout):
                item.hide()
            return
        p = vb.mapSceneToView(pos)
        i = int(np.clip(np.searchsorted(self._x, p.x()), 0, self._x.size - 1))
        d = self.state.data
        lines = [f"{d.time_at(i):%Y-%m-%d %H:00}"]
        for (code, var), _curve in self.curves.items():
            row = d.site_index(code)
            v = d.series(var, row)[i]
            txt = "—" if not math.isfinite(v) else (f"{v:.2f}" if var == "CO" else f"{v:.0f}")
            lines.append(f"{d.name(row, self.state.language)} {var}: {txt}")
        self.vline.setValue(self._x[i])
        self.hline.setValue(p.y())
        self.readout.setText("\n".join(lines))
        self.readout.setPos(self._x[i], p.y())
        for item in (self.vline, self.hline, self.readout):
            item.show()

    def readout_text(self) -> str:
        return self.readout.toPlainText()
