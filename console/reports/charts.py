"""Report charts drawn with QPainter only (vector on QPdfWriter, raster on QImage, SVG on QSvgGenerator).

Every function paints into ``rect`` of whatever device the painter is on.  Sizes are given in points:
``style.u`` is the number of device units per point (device dpi / 72) and fonts use point sizes, so
the same call looks the same on a 288-dpi PDF page and a 150-dpi PNG.  No QtWidgets, no pyqtgraph.
"""
from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QColor, QFont, QPainter, QPainterPath, QPen

from models.aqi import levels

PALETTE = ("#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f", "#bcbd22", "#17becf",
           "#ff7f0e", "#393b79", "#637939", "#843c39", "#7b4173", "#3182bd", "#e6550d")


@dataclass
class ChartStyle:
    """Font family and scale (device units per point) of the device being painted."""

    family: str
    u: float = 1.0
    lang: str = "zh"

    def font(self, pt: float, bold: bool = False) -> QFont:
        """A CJK-capable font; no shaping so that PDF text extraction maps every glyph (digits too)."""
        f = QFont(self.family)
        f.setPointSizeF(pt)
        f.setBold(bold)
        f.setStyleStrategy(QFont.StyleStrategy.PreferNoShaping)
        return f

    def pen(self, colour, width_pt: float = 0.8, style=Qt.PenStyle.SolidLine) -> QPen:
        """A pen whose width is given in points."""
        p = QPen(QColor(colour))
        p.setWidthF(width_pt * self.u)
        p.setStyle(style)
        return p


def nice_ceiling(v: float) -> float:
    """Round up to a multiple of half the leading power of ten (267 → 300, 140 → 150)."""
    if not np.isfinite(v) or v <= 0:
        return 1.0
    step = 10 ** math.floor(math.log10(v)) / 2
    return math.ceil(v / step - 1e-9) * step


def _text(p: QPainter, rect: QRectF, flags, s: str) -> None:
    p.drawText(rect, int(flags), s)


@dataclass
class Axes:
    """Plot area with linear x (numbers) and y mappings."""

    area: QRectF
    x0: float
    x1: float
    y0: float
    y1: float

    def px(self, x: float) -> float:
        return self.area.left() + (x - self.x0) / (self.x1 - self.x0 or 1) * self.area.width()

    def py(self, y: float) -> float:
        return self.area.bottom() - (y - self.y0) / (self.y1 - self.y0 or 1) * self.area.height()


def _title(p: QPainter, rect: QRectF, st: ChartStyle, title: str) -> None:
    """A chart's bold title, centred in the top 14 units of ``rect``."""
    p.setFont(st.font(8.5, bold=True))
    p.setPen(QColor(0, 0, 0))
    _text(p, QRectF(rect.left(), rect.top(), rect.width(), 14 * st.u), Qt.AlignmentFlag.AlignCenter, title)


def _time_axes(p: QPainter, rect: QRectF, st: ChartStyle, t0: pd.Timestamp, t1: pd.Timestamp, ymax: float,
               ylabel: str, title: str | None, bands: bool, legend_rows: int = 0) -> Axes:
    u = st.u
    top = rect.top() + (16 * u if title else 6 * u)
    area = QRectF(rect.left() + 34 * u, top, rect.width() - 44 * u, rect.bottom() - top - (22 + 12 * legend_rows) * u)
    ax = Axes(area, 0.0, (t1 - t0) / pd.Timedelta(hours=1), 0.0, ymax)
    p.save()
    if title:
        _title(p, rect, st, title)
    if bands:  # AQI level bands, light
        lo = 0
        for lv in levels():
            hi = min(lv.aqi_max if lv.level < 6 else 500, ymax)
            if lo >= ymax:
                break
            c = QColor(lv.hex)
            c.setAlpha(45)
            p.fillRect(QRectF(area.left(), ax.py(hi), area.width(), ax.py(lo) - ax.py(hi)), c)
            lo = hi
    p.setFont(st.font(6.5))
    p.setPen(st.pen("#888888", 0.3, Qt.PenStyle.DotLine))
    step = 50.0 if ymax <= 300 else 100.0
    y = 0.0
    while y <= ymax + 1e-9:
        p.setPen(st.pen("#9a9a9a", 0.3, Qt.PenStyle.DotLine))
        p.drawLine(QPointF(area.left(), ax.py(y)), QPointF(area.right(), ax.py(y)))
        p.setPen(QColor(40, 40, 40))
        _text(p, QRectF(rect.left(), ax.py(y) - 6 * u, 30 * u, 12 * u),
              Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter, f"{y:.0f}")
        y += step
    # day ticks
    ndays = max(1, int(round(ax.x1 / 24)))
    every = max(1, int(math.ceil(ndays / 10)))
    d = t0.normalize()
    while d <= t1:
        if d >= t0 and ((d - t0.normalize()).days % every == 0):
            x = ax.px((d - t0) / pd.Timedelta(hours=1))
            p.setPen(st.pen("#bbbbbb", 0.3))
            p.drawLine(QPointF(x, area.top()), QPointF(x, area.bottom()))
            p.setPen(QColor(40, 40, 40))
            _text(p, QRectF(x - 20 * u, area.bottom() + 2 * u, 40 * u, 10 * u), Qt.AlignmentFlag.AlignCenter,
                  f"{d.month}/{d.day}" if st.lang == "zh" else f"{d:%d %b}")
        d += pd.Timedelta(days=1)
    p.setPen(st.pen("#333333", 0.6))
    p.setBrush(Qt.BrushStyle.NoBrush)
    p.drawRect(area)
    p.save()
    p.translate(rect.left() + 6 * u, area.center().y())
    p.rotate(-90)
    p.setPen(QColor(40, 40, 40))
    _text(p, QRectF(-area.height() / 2, -6 * u, area.height(), 12 * u), Qt.AlignmentFlag.AlignCenter, ylabel)
    p.restore()
    p.restore()
    return ax


def _polyline(ax: Axes, x: np.ndarray, y: np.ndarray) -> QPainterPath:
    """A path through the finite points; gaps (NaN) break the line."""
    path = QPainterPath()
    pen_down = False
    for xi, yi in zip(x, y):
        if not np.isfinite(yi):
            pen_down = False
            continue
        pt = QPointF(ax.px(float(xi)), ax.py(float(yi)))
        if pen_down:
            path.lineTo(pt)
        else:
            path.moveTo(pt)
            pen_down = True
    return path


def paint_timeseries(p: QPainter, rect: QRectF, st: ChartStyle, series: dict[str, pd.Series], title: str | None = None,
                     ylabel: str = "AQI", highlight: Sequence[str] = ()) -> None:
    """Hourly lines (one per city) over AQI level bands, with a legend below the plot."""
    if not series:
        return
    t0 = min(s.index.min() for s in series.values())
    t1 = max(s.index.max() for s in series.values())
    ymax = nice_ceiling(max(160.0, max(float(np.nanmax(s.values)) if s.notna().any() else 0 for s in series.values()) * 1.08))
    ncol = 7 if st.lang == "zh" else 5
    rows = math.ceil(len(series) / ncol)
    ax = _time_axes(p, rect, st, t0, t1, ymax, ylabel, title, True, rows)
    p.save()
    p.setClipRect(ax.area)
    p.setRenderHint(QPainter.RenderHint.Antialiasing, True)
    for i, (name, s) in enumerate(series.items()):
        x = ((s.index - t0) / pd.Timedelta(hours=1)).to_numpy(float)
        w = 1.4 if name in highlight else 0.8
        p.setPen(st.pen(PALETTE[i % len(PALETTE)], w))
        p.setBrush(Qt.BrushStyle.NoBrush)
        p.drawPath(_polyline(ax, x, s.to_numpy(float)))
    p.restore()
    _legend_row(p, QRectF(rect.left() + 30 * st.u, ax.area.bottom() + 14 * st.u, rect.width() - 34 * st.u, rows * 12 * st.u),
                st, [(n, PALETTE[i % len(PALETTE)]) for i, n in enumerate(series)], ncol)


def _legend_row(p: QPainter, rect: QRectF, st: ChartStyle, items: list[tuple[str, str]], ncol: int) -> None:
    u = st.u
    p.save()
    p.setFont(st.font(6.5))
    cw = rect.width() / ncol
    for i, (name, col) in enumerate(items):
        x = rect.left() + (i % ncol) * cw
        y = rect.top() + (i // ncol) * 12 * u
        p.setPen(st.pen(col, 1.6))
        p.drawLine(QPointF(x, y + 6 * u), QPointF(x + 12 * u, y + 6 * u))
        p.setPen(QColor(20, 20, 20))
        _text(p, QRectF(x + 15 * u, y, cw - 16 * u, 12 * u), Qt.AlignmentFlag.AlignVCenter | Qt.AlignmentFlag.AlignLeft, name)
    p.restore()


def paint_fan(p: QPainter, rect: QRectF, st: ChartStyle, observed: pd.Series | None, times: pd.DatetimeIndex,
              p10: np.ndarray, p50: np.ndarray, p90: np.ndarray, title: str, ylabel: str = "AQI") -> None:
    """Forecast fan chart: observed line, P10–P90 band and median, with a 'now' line at the issue time."""
    parts = [np.asarray(p90, float)]
    if observed is not None and observed.notna().any():
        parts.append(observed.to_numpy(float))
    ymax = nice_ceiling(max(160.0, float(np.nanmax(np.concatenate(parts))) * 1.08))
    t0 = observed.index.min() if observed is not None and len(observed) else times.min()
    t1 = times.max()
    ax = _time_axes(p, rect, st, t0, t1, ymax, ylabel, title, True)
    x = ((times - t0) / pd.Timedelta(hours=1)).to_numpy(float)
    p.save()
    p.setClipRect(ax.area)
    p.setRenderHint(QPainter.RenderHint.Antialiasing, True)
    band = QPainterPath()
    band.moveTo(QPointF(ax.px(x[0]), ax.py(p90[0])))
    for xi, yi in zip(x[1:], p90[1:]):
        band.lineTo(QPointF(ax.px(xi), ax.py(yi)))
    for xi, yi in zip(x[::-1], np.asarray(p10)[::-1]):
        band.lineTo(QPointF(ax.px(xi), ax.py(yi)))
    band.closeSubpath()
    p.setPen(Qt.PenStyle.NoPen)
    p.setBrush(QColor(31, 119, 180, 80))
    p.drawPath(band)
    p.setBrush(Qt.BrushStyle.NoBrush)
    p.setPen(st.pen("#1f4e9a", 1.2))
    p.drawPath(_polyline(ax, x, np.asarray(p50, float)))
    if observed is not None:
        ox = ((observed.index - t0) / pd.Timedelta(hours=1)).to_numpy(float)
        p.setPen(st.pen("#111111", 1.0))
        p.drawPath(_polyline(ax, ox, observed.to_numpy(float)))
    xn = ax.px(x[0])
    p.setPen(st.pen("#c00000", 0.8, Qt.PenStyle.DashLine))
    p.drawLine(QPointF(xn, ax.area.top()), QPointF(xn, ax.area.bottom()))
    p.restore()
    zh = st.lang == "zh"
    _legend_row(p, QRectF(ax.area.left(), ax.area.top() + 2 * st.u, ax.area.width(), 12 * st.u), st,
                [("实测" if zh else "observed", "#111111"), ("预报中位数" if zh else "median", "#1f4e9a"),
                 ("P10–P90", "#8fb3d9")], 3)


def paint_shares(p: QPainter, rect: QRectF, st: ChartStyle, labels: list[str], shares: list[float], title: str) -> None:
    """Source shares: a pie on the left and labelled horizontal bars on the right."""
    u = st.u
    p.save()
    p.setRenderHint(QPainter.RenderHint.Antialiasing, True)
    _title(p, rect, st, title)
    total = sum(max(s, 0) for s in shares) or 1.0
    d = min(rect.height() - 24 * u, rect.width() * 0.26)
    pie = QRectF(rect.left() + 8 * u, rect.top() + 18 * u, d, d)
    angle = 90 * 16
    for i, s in enumerate(shares):
        span = -int(round(max(s, 0) / total * 360 * 16))
        p.setBrush(QColor(PALETTE[i % len(PALETTE)]))
        p.setPen(st.pen("#ffffff", 0.8))
        p.drawPie(pie, angle, span)
        angle += span
    bx = pie.right() + 24 * u
    bw = rect.right() - bx - 40 * u
    lw = bw * 0.42
    rh = min(16 * u, (rect.height() - 24 * u) / max(1, len(labels)))
    p.setFont(st.font(7.5))
    vmax = max(shares) if shares else 1
    for i, (lab, s) in enumerate(zip(labels, shares)):
        y = rect.top() + 20 * u + i * rh
        p.setPen(QColor(20, 20, 20))
        _text(p, QRectF(bx, y, lw - 4 * u, rh), Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter, lab)
        w = (bw - lw) * (s / vmax if vmax > 0 else 0)
        p.fillRect(QRectF(bx + lw, y + rh * 0.18, w, rh * 0.64), QColor(PALETTE[i % len(PALETTE)]))
        _text(p, QRectF(bx + lw + w + 3 * u, y, 40 * u, rh), Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter,
              f"{100 * s / total:.1f}%")
    p.restore()


def paint_level_bar(p: QPainter, rect: QRectF, st: ChartStyle, counts: list[tuple[str, list[int]]], title: str) -> None:
    """Stacked bars of days per AQI level for each city (assessment report)."""
    u = st.u
    p.save()
    _title(p, rect, st, title)
    area = QRectF(rect.left() + 56 * u, rect.top() + 18 * u, rect.width() - 70 * u, rect.height() - 34 * u)
    n = max(1, len(counts))
    tot = max(1, max(sum(c) for _, c in counts)) if counts else 1
    rh = area.height() / n
    p.setFont(st.font(7))
    cols = [QColor(lv.hex) for lv in levels()]
    for i, (name, c) in enumerate(counts):
        y = area.top() + i * rh
        p.setPen(QColor(20, 20, 20))
        _text(p, QRectF(rect.left(), y, 52 * u, rh), Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter, name)
        x = area.left()
        for lv, k in enumerate(c):
            w = area.width() * k / tot
            if k:
                p.fillRect(QRectF(x, y + rh * 0.15, w, rh * 0.7), cols[lv])
                p.setPen(QColor(0, 0, 0) if lv < 3 else QColor(255, 255, 255))
                _text(p, QRectF(x, y, w, rh), Qt.AlignmentFlag.AlignCenter, str(k))
            x += w
    p.restore()


def paint_reliability(p: QPainter, rect: QRectF, st: ChartStyle, rows: list[dict], title: str) -> None:
    """Reliability diagram: observed frequency against forecast probability per bin, with the 95 % interval
    of each bin (when the rows carry ``observed_lo``/``observed_hi``) and the diagonal of perfect reliability.
    ``rows`` are :func:`forecasting.metrics.reliability` rows; marker area grows with the number of cases."""
    u = st.u
    p.save()
    p.setRenderHint(QPainter.RenderHint.Antialiasing, True)
    _title(p, rect, st, title)
    side = min(rect.width() - 60 * u, rect.height() - 44 * u)
    area = QRectF(rect.left() + 46 * u, rect.top() + 20 * u, side, side)
    ax = Axes(area, 0.0, 1.0, 0.0, 1.0)
    p.setFont(st.font(7))
    for v in np.linspace(0, 1, 6):
        p.setPen(st.pen("#dddddd", 0.5))
        p.drawLine(QPointF(ax.px(v), area.top()), QPointF(ax.px(v), area.bottom()))
        p.drawLine(QPointF(area.left(), ax.py(v)), QPointF(area.right(), ax.py(v)))
        p.setPen(QColor(60, 60, 60))
        _text(p, QRectF(ax.px(v) - 12 * u, area.bottom() + 2 * u, 24 * u, 10 * u), Qt.AlignmentFlag.AlignCenter, f"{v:.1f}")
        _text(p, QRectF(area.left() - 26 * u, ax.py(v) - 5 * u, 22 * u, 10 * u),
              Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter, f"{v:.1f}")
    zh = st.lang == "zh"
    _text(p, QRectF(area.left(), area.bottom() + 12 * u, side, 10 * u), Qt.AlignmentFlag.AlignCenter,
          "预报概率" if zh else "forecast probability")
    p.save()
    p.translate(area.left() - 34 * u, area.center().y())
    p.rotate(-90)
    _text(p, QRectF(-side / 2, -5 * u, side, 10 * u), Qt.AlignmentFlag.AlignCenter, "观测频率" if zh else "observed frequency")
    p.restore()
    p.setPen(st.pen("#888888", 0.8, Qt.PenStyle.DashLine))
    p.drawLine(QPointF(ax.px(0), ax.py(0)), QPointF(ax.px(1), ax.py(1)))
    rows = [r for r in rows if r.get("n")]
    nmax = max((r["n"] for r in rows), default=1)
    for r in rows:
        x, y = ax.px(r["mean_forecast"]), ax.py(r["observed_freq"])
        ok = r.get("consistent", True)
        colour = PALETTE[0] if ok else PALETTE[1]
        if "observed_lo" in r:
            p.setPen(st.pen(colour, 1.0))
            p.drawLine(QPointF(x, ax.py(r["observed_lo"])), QPointF(x, ax.py(r["observed_hi"])))
        rad = (1.5 + 3.5 * math.sqrt(r["n"] / nmax)) * u
        p.setBrush(QColor(colour))
        p.setPen(st.pen("#ffffff", 0.5))
        p.drawEllipse(QPointF(x, y), rad, rad)
    p.restore()
