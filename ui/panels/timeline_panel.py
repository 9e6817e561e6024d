"""Timeline: observed AQI per city, warnings as coloured bands, decisions and alarms as markers;
a click moves the console clock and emits ``timeClicked``."""
from __future__ import annotations

from datetime import datetime, timezone

import numpy as np
import pandas as pd
import pyqtgraph as pg
from PySide6.QtCore import Signal
from PySide6.QtWidgets import QVBoxLayout, QWidget

from console.command.mode import ConsoleClock
from models.rules import load_rule_file

COLOURS = load_rule_file("warning_schemes.json")["level_colours"]
PALETTE = ["#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f", "#bcbd22",
           "#17becf", "#393b79", "#637939", "#8c6d31", "#843c39"]


def _secs(t) -> float:
    """Naive Beijing time → axis seconds (the axis shows them as-is, no time-zone shift)."""
    return pd.Timestamp(t).replace(tzinfo=timezone.utc).timestamp()


def _from_secs(x: float) -> datetime:
    return datetime.fromtimestamp(x, tz=timezone.utc).replace(tzinfo=None)


class TimelinePanel(QWidget):
    """pyqtgraph plot of city AQI over time with warning bands and decision/alarm markers."""

    timeClicked = Signal(object)   # datetime (naive Beijing)

    def __init__(self, clock: ConsoleClock | None = None, parent: QWidget | None = None):
        super().__init__(parent)
        self.clock = clock
        self.plot = pg.PlotWidget(axisItems={"bottom": pg.DateAxisItem(orientation="bottom", utcOffset=0)})
        self.plot.setBackground("w")
        self.plot.showGrid(x=True, y=True, alpha=0.2)
        self.plot.setLabel("left", "AQI")
        self.legend = self.plot.addLegend(offset=(5, 5), labelTextSize="8pt")
        self.cursor = pg.InfiniteLine(angle=90, pen=pg.mkPen("#000000", width=2, style=pg.QtCore.Qt.PenStyle.DashLine))
        self.plot.addItem(self.cursor)
        self.curves: dict[str, pg.PlotDataItem] = {}
        self.bands: list[pg.LinearRegionItem] = []
        self.band_labels: list[pg.TextItem] = []
        self.markers = pg.ScatterPlotItem(size=11, pxMode=True)
        self.plot.addItem(self.markers)
        self.marker_info: list[dict] = []
        self.plot.scene().sigMouseClicked.connect(self._clicked)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.addWidget(self.plot)

    def set_aqi(self, aqi, names: dict[str, str] | None = None) -> None:
        """Hourly AQI (xarray DataArray site × time) — one curve per city."""
        names = names or {}
        for c in self.curves.values():
            self.plot.removeItem(c)
        self.curves.clear()
        self.legend.clear()
        x = np.array([_secs(t) for t in pd.DatetimeIndex(aqi["time"].values)])
        for i, site in enumerate(aqi["site"].values):
            y = np.asarray(aqi.sel(site=site).values, dtype=float)
            c = self.plot.plot(x, y, pen=pg.mkPen(PALETTE[i % len(PALETTE)], width=1.5), connect="finite",
                               name=names.get(str(site), str(site)))
            c.setDownsampling(auto=True, method="peak")
            c.setClipToView(True)
            self.curves[str(site)] = c
        self.legend.setColumnCount(7)

    LANE = 22.0   # AQI units per warning lane below zero

    def set_warnings(self, periods: pd.DataFrame, end: datetime | None = None, names: dict[str, str] | None = None) -> None:
        """Warning periods (city, level, start, end or None) as coloured bands, one lane per city below the curves."""
        names = names or {}
        for b in self.bands + self.band_labels:
            self.plot.removeItem(b)
        self.bands, self.band_labels = [], []
        end = end or (self.clock.now() if self.clock else datetime.now())
        lanes = {c: i for i, c in enumerate(sorted(dict.fromkeys(periods["city"])))} if len(periods) else {}
        for row in periods.itertuples():
            t1 = row.end if row.end is not None and row.end == row.end else end
            k = lanes[row.city]
            y1 = -k * self.LANE - 2
            band = pg.BarGraphItem(x0=[_secs(row.start)], x1=[_secs(t1)], y0=[y1 - self.LANE + 4], y1=[y1],
                                   brush=pg.mkBrush(COLOURS.get(row.level, "#999999")), pen=pg.mkPen("#555555", width=0.5))
            band.setToolTip(f"{names.get(row.city, row.city)}: {row.level} warning {row.start:%m-%d %H:%M} – "
                            f"{pd.Timestamp(t1):%m-%d %H:%M}")
            self.plot.addItem(band)
            self.bands.append(band)
        for city, k in lanes.items():
            label = pg.TextItem(names.get(city, city), color="#000000", anchor=(1, 0.5))
            first = periods.loc[periods["city"] == city, "start"].min()
            label.setPos(_secs(first), -k * self.LANE - self.LANE / 2)
            self.plot.addItem(label)
            self.band_labels.append(label)

    def set_markers(self, items: list[dict]) -> None:
        """Markers: dicts with ``time``, ``kind`` ("decision" | "alarm") and ``text``; drawn above the curves."""
        self.marker_info = list(items)
        tops = [float(np.nanmax(c.yData)) for c in self.curves.values()
                if c.yData is not None and len(c.yData) and np.isfinite(c.yData).any()]
        top = max(tops + [100.0]) * 1.08
        spots = [{"pos": (_secs(m["time"]), top * (1.0 if m["kind"] == "decision" else 1.04)),
                  "symbol": "t" if m["kind"] == "decision" else "o",
                  "brush": pg.mkBrush("#1565C0" if m["kind"] == "decision" else "#D50000"), "data": i}
                 for i, m in enumerate(items)]
        self.markers.setData(spots)

    def set_cursor(self, t: datetime) -> None:
        """Show the console time."""
        self.cursor.setValue(_secs(t))

    def click_at(self, x: float) -> datetime:
        """What a click at axis position ``x`` does: move the clock and emit ``timeClicked``."""
        t = pd.Timestamp(_from_secs(x)).round("h").to_pydatetime()
        self.set_cursor(t)
        if self.clock is not None:
            self.clock.move_to(t)
        self.timeClicked.emit(t)
        return t

    def _clicked(self, ev) -> None:
        vb = self.plot.getPlotItem().vb
        if not vb.sceneBoundingRect().contains(ev.scenePos()):
            return
        self.click_at(vb.mapSceneToView(ev.scenePos()).x())
