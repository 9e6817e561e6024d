"""The one map (一张图): layered, offline rendering of city polygons, stations and rasters with QPainter.

Shared by the console's map panel (on screen, with pan/zoom) and the briefing reports (QPdfWriter,
QSvgGenerator, QImage) — the same code draws both.  Only QtGui is used (no widgets), so it runs
headless.  Coordinates are projected with a simple equirectangular projection scaled by cos(lat₀)
(plenty for a province); boundaries are DataV GeoJSON (most likely GCJ-02, a few hundred metres off
WGS-84 station coordinates — invisible at province scale).

Layer model: a map is an ordered list of :class:`Layer` objects, each with ``visible``, a z-order, a
``paint`` in projected coordinates and an optional ``hit`` for tooltips/selection.  Later data
(satellite rasters, grid sensors, vehicles, enterprises) are new Layer subclasses; simulated data
set ``simulated=True`` and the legend marks them as such.
"""
from __future__ import annotations

import json
import math
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources
from typing import Callable, Iterable, Sequence

import numpy as np
from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import (QBrush, QColor, QFont, QImage, QPainter, QPainterPath, QPen, QPolygonF, QTransform)

from models.aqi import aqi_level, levels

LAT0 = 23.8  # centre latitude of Guangxi for the projection
KX = math.cos(math.radians(LAT0))
MISSING_COLOUR = QColor(200, 200, 200)


def project(lon: np.ndarray | float, lat: np.ndarray | float) -> tuple[np.ndarray, np.ndarray]:
    """lon/lat (degrees) → projected plane (x east, y down)."""
    return np.asarray(lon, float) * KX, -np.asarray(lat, float)


def unproject(x: float, y: float) -> tuple[float, float]:
    """Projected plane → lon/lat."""
    return x / KX, -y


@dataclass
class CityShape:
    """One city polygon (projected) with its names and label anchor."""

    code: str
    name_zh: str
    name_en: str
    path: QPainterPath
    rings: list[np.ndarray]  # projected (n, 2) arrays for hit tests
    label: QPointF


@dataclass
class Geometry:
    """City shapes and the province outline."""

    cities: list[CityShape]
    outline: QPainterPath
    extent: QRectF

    def city_at(self, p: QPointF) -> CityShape | None:
        """The city whose polygon contains projected point ``p``."""
        for c in self.cities:
            if c.path.contains(p):
                return c
        return None


def _ring_path(path: QPainterPath, ring: Sequence[Sequence[float]]) -> np.ndarray:
    arr = np.asarray(ring, dtype=float)
    x, y = project(arr[:, 0], arr[:, 1])
    path.addPolygon(QPolygonF([QPointF(a, b) for a, b in zip(x, y)]))
    path.closeSubpath()
    return np.column_stack([x, y])


@lru_cache(maxsize=4)
def geometry(cities_file: str = "guangxi_cities.geojson", outline_file: str = "guangxi_province.geojson") -> Geometry:
    """Load and project the boundary GeoJSON shipped in resources/boundaries (cached)."""
    from console.ingest.common import city_table

    pkg = resources.files("resources.boundaries")
    doc = json.loads(pkg.joinpath(cities_file).read_text(encoding="utf-8"))
    shapes = []
    for f in doc["features"]:
        props = f["properties"]
        geom = f["geometry"]
        polys = geom["coordinates"] if geom["type"] == "MultiPolygon" else [geom["coordinates"]]
        path = QPainterPath()
        path.setFillRule(Qt.FillRule.OddEvenFill)
        rings = [_ring_path(path, ring) for poly in polys for ring in poly]
        cx, cy = project(*(props.get("centroid") or props.get("center")))
        info = city_table().get(props["name"], {})
        shapes.append(CityShape(str(props.get("adcode", props["name"])), props["name"], info.get("name_en", ""),
                                path, rings, QPointF(float(cx), float(cy))))
    outline = QPainterPath()
    try:
        odoc = json.loads(pkg.joinpath(outline_file).read_text(encoding="utf-8"))
        for f in odoc["features"]:
            geom = f["geometry"]
            polys = geom["coordinates"] if geom["type"] == "MultiPolygon" else [geom["coordinates"]]
            for poly in polys:
                _ring_path(outline, poly[0])
    except FileNotFoundError:
        pass
    extent = QRectF()
    for s in shapes:
        extent = extent.united(s.path.boundingRect())
    return Geometry(shapes, outline, extent)


def aqi_colour(aqi: float | None) -> QColor:
    """HJ 633 level colour of an AQI value (grey when missing)."""
    if aqi is None or (isinstance(aqi, float) and math.isnan(aqi)):
        return QColor(MISSING_COLOUR)
    lv = int(aqi_level(np.array([aqi]))[0])
    return QColor(levels()[lv - 1].hex) if lv else QColor(MISSING_COLOUR)


def text_colour_on(bg: QColor) -> QColor:
    """Black or white, whichever reads better on ``bg``."""
    lum = 0.299 * bg.red() + 0.587 * bg.green() + 0.114 * bg.blue()
    return QColor(0, 0, 0) if lum > 140 else QColor(255, 255, 255)


@dataclass
class MapContext:
    """What layers need while painting: the projected→device transform and display options."""

    transform: QTransform
    language: str = "zh"
    font_family: str = ""
    pixel_scale: float = 1.0  # device pixels per logical point (bigger for print)

    def device(self, p: QPointF) -> QPointF:
        """Projected point → device point."""
        return self.transform.map(p)

    def font(self, size_pt: float, bold: bool = False) -> QFont:
        """A font that renders Chinese."""
        f = QFont(self.font_family) if self.font_family else QFont()
        f.setPointSizeF(size_pt * self.pixel_scale)
        f.setBold(bold)
        return f


@dataclass
class Hit:
    """What is under the cursor: a feature id and a tooltip text."""

    layer: str
    key: str
    text: str


@dataclass
class Layer:
    """Base map layer."""

    name: str
    title_zh: str
    title_en: str
    visible: bool = True
    z: int = 0
    simulated: bool = False

    def paint(self, painter: QPainter, ctx: MapContext) -> None:  # pragma: no cover - interface
        """Draw the layer (painter already holds no transform; use ``ctx.device``)."""

    def hit(self, ctx: MapContext, device_point: QPointF) -> Hit | None:
        """Feature under a device point, if any."""
        return None

    def title(self, language: str) -> str:
        """Display name (marked when simulated)."""
        t = self.title_zh if language == "zh" else self.title_en
        if self.simulated:
            t += "（模拟数据）" if language == "zh" else " (simulated)"
        return t


@dataclass
class CityFillLayer(Layer):
    """City polygons filled with the AQI level colour."""

    values: dict[str, float] = field(default_factory=dict)  # city code → AQI
    tooltips: dict[str, str] = field(default_factory=dict)
    selected: str | None = None

    def paint(self, painter: QPainter, ctx: MapContext) -> None:
        geo = geometry()
        painter.save()
        painter.setTransform(ctx.transform)
        edge = QPen(QColor(90, 90, 90), 0)
        edge.setCosmetic(True)
        edge.setWidthF(0.8 * ctx.pixel_scale)
        for c in geo.cities:
            painter.setBrush(QBrush(aqi_colour(self.values.get(c.code))))
            painter.setPen(edge)
            painter.drawPath(c.path)
        if self.selected:
            sel = next((c for c in geo.cities if c.code == self.selected), None)
            if sel is not None:
                pen = QPen(QColor(0, 90, 200), 0)
                pen.setCosmetic(True)
                pen.setWidthF(3 * ctx.pixel_scale)
                painter.setPen(pen)
                painter.setBrush(Qt.BrushStyle.NoBrush)
                painter.drawPath(sel.path)
        painter.restore()

    def hit(self, ctx: MapContext, device_point: QPointF) -> Hit | None:
        inv, ok = ctx.transform.inverted()
        if not ok:
            return None
        c = geometry().city_at(inv.map(device_point))
        if c is None:
            return None
        name = c.name_zh if ctx.language == "zh" else (c.name_en or c.name_zh)
        return Hit(self.name, c.code, self.tooltips.get(c.code, name))


@dataclass
class OutlineLayer(Layer):
    """The province outline."""

    def paint(self, painter: QPainter, ctx: MapContext) -> None:
        painter.save()
        painter.setTransform(ctx.transform)
        pen = QPen(QColor(40, 40, 40), 0)
        pen.setCosmetic(True)
        pen.setWidthF(1.8 * ctx.pixel_scale)
        painter.setPen(pen)
        painter.setBrush(Qt.BrushStyle.NoBrush)
        painter.drawPath(geometry().outline)
        painter.restore()


@dataclass
class CityLabelLayer(Layer):
    """City names (Chinese or English) with an optional value line (e.g. the AQI)."""

    values: dict[str, float] = field(default_factory=dict)
    show_values: bool = True

    def paint(self, painter: QPainter, ctx: MapContext) -> None:
        painter.save()
        for c in geometry().cities:
            p = ctx.device(c.label)
            name = c.name_zh if ctx.language == "zh" else (c.name_en or c.name_zh)
            v = self.values.get(c.code)
            lines = [name] + ([f"{v:.0f}"] if self.show_values and v is not None and not math.isnan(v) else [])
            bg = aqi_colour(v)
            painter.setFont(ctx.font(8.5, bold=True))
            fm = painter.fontMetrics()
            h = fm.height()
            for i, line in enumerate(lines):
                w = fm.horizontalAdvance(line)
                y = p.y() - h * len(lines) / 2 + i * h
                rect = QRectF(p.x() - w / 2, y, w, h)
                halo = text_colour_on(text_colour_on(bg))
                painter.setPen(halo)
                for dx, dy in ((-1, 0), (1, 0), (0, -1), (0, 1)):
                    painter.drawText(rect.translated(dx * ctx.pixel_scale, dy * ctx.pixel_scale),
                                     Qt.AlignmentFlag.AlignCenter, line)
                painter.setPen(text_colour_on(bg))
                painter.drawText(rect, Qt.AlignmentFlag.AlignCenter, line)
        painter.restore()


@dataclass
class PointLayer(Layer):
    """Point features (stations, sensors, enterprises …) coloured by AQI or a fixed colour."""

    codes: list[str] = field(default_factory=list)
    lon: np.ndarray = field(default_factory=lambda: np.zeros(0))
    lat: np.ndarray = field(default_factory=lambda: np.zeros(0))
    values: np.ndarray | None = None  # AQI per point (colour); None → fixed colour
    colour: QColor = field(default_factory=lambda: QColor(30, 30, 30))
    radius: float = 4.0
    tooltips: list[str] = field(default_factory=list)
    symbol: str = "circle"  # circle | square | triangle

    def _device_points(self, ctx: MapContext) -> list[QPointF]:
        x, y = project(self.lon, self.lat)
        return [ctx.device(QPointF(float(a), float(b))) for a, b in zip(x, y)]

    def paint(self, painter: QPainter, ctx: MapContext) -> None:
        painter.save()
        painter.setRenderHint(QPainter.RenderHint.Antialiasing, True)
        r = self.radius * ctx.pixel_scale
        pen = QPen(QColor(20, 20, 20))
        pen.setWidthF(0.8 * ctx.pixel_scale)
        painter.setPen(pen)
        for i, p in enumerate(self._device_points(ctx)):
            if math.isnan(p.x()):
                continue
            col = aqi_colour(float(self.values[i])) if self.values is not None else self.colour
            painter.setBrush(QBrush(col))
            if self.symbol == "square":
                painter.drawRect(QRectF(p.x() - r, p.y() - r, 2 * r, 2 * r))
            elif self.symbol == "triangle":
                painter.drawPolygon(QPolygonF([QPointF(p.x(), p.y() - r * 1.2), QPointF(p.x() - r, p.y() + r * 0.8),
                                               QPointF(p.x() + r, p.y() + r * 0.8)]))
            else:
                painter.drawEllipse(p, r, r)
        painter.restore()

    def hit(self, ctx: MapContext, device_point: QPointF) -> Hit | None:
        best, best_d = None, (self.radius + 3) ** 2
        for i, p in enumerate(self._device_points(ctx)):
            d = (p.x() - device_point.x()) ** 2 + (p.y() - device_point.y()) ** 2
            if d <= best_d:
                best, best_d = i, d
        if best is None:
            return None
        text = self.tooltips[best] if best < len(self.tooltips) else self.codes[best]
        return Hit(self.name, self.codes[best], text)


@dataclass
class RasterLayer(Layer):
    """A gridded field (e.g. satellite NO2 column) drawn as a semi-transparent image on its lon/lat box."""

    data: np.ndarray = field(default_factory=lambda: np.zeros((0, 0)))  # (lat, lon), row 0 = southernmost
    lon_bounds: tuple[float, float] = (0.0, 0.0)
    lat_bounds: tuple[float, float] = (0.0, 0.0)
    vmin: float | None = None
    vmax: float | None = None
    opacity: float = 0.6
    units: str = ""
    colormap: Callable[[np.ndarray], np.ndarray] | None = None

    def image(self) -> QImage:
        """The raster as an RGBA QImage (north up); NaN transparent."""
        a = np.asarray(self.data, float)[::-1]  # north up
        lo = np.nanmin(a) if self.vmin is None else self.vmin
        hi = np.nanmax(a) if self.vmax is None else self.vmax
        z = np.clip((a - lo) / (hi - lo if hi > lo else 1.0), 0, 1)
        cmap = self.colormap or _viridis
        rgba = cmap(np.nan_to_num(z))
        rgba[..., 3] = np.where(np.isnan(a), 0, int(255 * self.opacity))
        buf = np.ascontiguousarray(rgba.astype(np.uint8))
        img = QImage(buf.data, buf.shape[1], buf.shape[0], buf.shape[1] * 4, QImage.Format.Format_RGBA8888)
        return img.copy()

    def paint(self, painter: QPainter, ctx: MapContext) -> None:
        if self.data.size == 0:
            return
        x0, y0 = project(self.lon_bounds[0], self.lat_bounds[1])
        x1, y1 = project(self.lon_bounds[1], self.lat_bounds[0])
        painter.save()
        painter.setTransform(ctx.transform)
        painter.drawImage(QRectF(float(x0), float(y0), float(x1 - x0), float(y1 - y0)), self.image())
        painter.restore()


def _viridis(z: np.ndarray) -> np.ndarray:
    """A compact viridis-like colormap → (…, 4) uint8."""
    stops = np.array([[68, 1, 84], [59, 82, 139], [33, 145, 140], [94, 201, 98], [253, 231, 37]], float)
    pos = np.linspace(0, 1, len(stops))
    out = np.zeros(z.shape + (4,), float)
    for c in range(3):
        out[..., c] = np.interp(z, pos, stops[:, c])
    return out


def view_transform(extent: QRectF, target: QRectF, margin: float = 0.04) -> QTransform:
    """Fit the projected ``extent`` into the device ``target`` rectangle, preserving aspect."""
    ex = extent.adjusted(-extent.width() * margin, -extent.height() * margin,
                         extent.width() * margin, extent.height() * margin)
    s = min(target.width() / ex.width(), target.height() / ex.height())
    tx = target.left() + (target.width() - ex.width() * s) / 2 - ex.left() * s
    ty = target.top() + (target.height() - ex.height() * s) / 2 - ex.top() * s
    return QTransform(s, 0, 0, s, tx, ty)


def paint_legend(painter: QPainter, rect: QRectF, ctx: MapContext, layers: Iterable[Layer] = ()) -> None:
    """AQI level legend (colours + names) in the lower-left corner, plus simulated-layer notes."""
    lv = levels()
    painter.save()
    painter.setFont(ctx.font(7.5))
    fm = painter.fontMetrics()
    sw = 14 * ctx.pixel_scale
    rows = [(QColor(x.hex), (x.category_zh if ctx.language == "zh" else x.category_en)
             + f" {0 if x.level == 1 else lv[x.level - 2].aqi_max + 1}–{x.aqi_max}") for x in lv]
    rows.append((MISSING_COLOUR, "无数据" if ctx.language == "zh" else "no data"))
    notes = [l.title(ctx.language) for l in layers if l.visible and l.simulated]
    h = fm.height() * 1.25
    w = max(fm.horizontalAdvance(t) for _, t in rows) + sw + 12 * ctx.pixel_scale
    title = "空气质量指数 AQI" if ctx.language == "zh" else "Air Quality Index"
    box = QRectF(rect.left() + 8 * ctx.pixel_scale, rect.bottom() - h * (len(rows) + 1 + len(notes)) - 12 * ctx.pixel_scale,
                 max(w, fm.horizontalAdvance(title) + 10), h * (len(rows) + 1 + len(notes)) + 6 * ctx.pixel_scale)
    painter.setPen(QPen(QColor(120, 120, 120)))
    painter.setBrush(QColor(255, 255, 255, 225))
    painter.drawRect(box)
    painter.setPen(QColor(0, 0, 0))
    painter.drawText(QRectF(box.left() + 5, box.top() + 2, box.width(), h), Qt.AlignmentFlag.AlignVCenter, title)
    for i, (col, label) in enumerate(rows):
        y = box.top() + 2 + h * (i + 1)
        painter.setBrush(col)
        painter.setPen(QPen(QColor(90, 90, 90)))
        painter.drawRect(QRectF(box.left() + 5, y + (h - sw * 0.7) / 2, sw, sw * 0.7))
        painter.setPen(QColor(0, 0, 0))
        painter.drawText(QRectF(box.left() + sw + 9, y, box.width(), h), Qt.AlignmentFlag.AlignVCenter, label)
    for j, note in enumerate(notes):
        y = box.top() + 2 + h * (len(rows) + 1 + j)
        painter.setPen(QColor(160, 0, 0))
        painter.drawText(QRectF(box.left() + 5, y, box.width() + 200, h), Qt.AlignmentFlag.AlignVCenter, "⚠ " + note)
    painter.restore()


def paint_decorations(painter: QPainter, rect: QRectF, ctx: MapContext, title: str | None = None) -> None:
    """North arrow, scale bar and an optional title."""
    painter.save()
    k = ctx.pixel_scale
    # north arrow (top right)
    cx, cy = rect.right() - 24 * k, rect.top() + 34 * k
    painter.setPen(QPen(QColor(0, 0, 0), 1 * k))
    painter.setBrush(QColor(0, 0, 0))
    painter.drawPolygon(QPolygonF([QPointF(cx, cy - 16 * k), QPointF(cx - 7 * k, cy + 6 * k), QPointF(cx, cy + 1 * k),
                                   QPointF(cx + 7 * k, cy + 6 * k)]))
    painter.setFont(ctx.font(8, bold=True))
    painter.drawText(QRectF(cx - 10 * k, cy + 6 * k, 20 * k, 14 * k), Qt.AlignmentFlag.AlignCenter, "N")
    # scale bar: 100 km (1° latitude ≈ 111 km)
    unit = ctx.transform.m11()  # device units per projected unit (= per degree of latitude)
    km = 100 if unit * 100 / 111 < rect.width() / 3 else 50
    length = unit * km / 111.0
    x0, y0 = rect.right() - length - 16 * k, rect.bottom() - 16 * k
    painter.setPen(QPen(QColor(0, 0, 0), 2 * k))
    painter.drawLine(QPointF(x0, y0), QPointF(x0 + length, y0))
    painter.drawLine(QPointF(x0, y0 - 4 * k), QPointF(x0, y0))
    painter.drawLine(QPointF(x0 + length, y0 - 4 * k), QPointF(x0 + length, y0))
    painter.setFont(ctx.font(7.5))
    painter.drawText(QRectF(x0, y0 - 18 * k, length, 14 * k), Qt.AlignmentFlag.AlignCenter, f"{km} km")
    if title:
        painter.setFont(ctx.font(11, bold=True))
        painter.drawText(QRectF(rect.left(), rect.top() + 4 * k, rect.width(), 22 * k), Qt.AlignmentFlag.AlignCenter, title)
    painter.restore()


def render_map(painter: QPainter, rect: QRectF, layers: Sequence[Layer], *, extent: QRectF | None = None,
               language: str = "zh", title: str | None = None, legend: bool = True, decorations: bool = True,
               pixel_scale: float = 1.0, transform: QTransform | None = None, background: QColor | None = None) -> MapContext:
    """Paint the visible layers (by z) into ``rect`` of any QPaintDevice; returns the context used."""
    from console.fonts import qt_cjk_family

    ctx = MapContext(transform or view_transform(extent or geometry().extent, rect), language,
                     qt_cjk_family(), pixel_scale)
    painter.save()
    painter.setClipRect(rect)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing, True)
    painter.setRenderHint(QPainter.RenderHint.TextAntialiasing, True)
    painter.fillRect(rect, background or QColor(234, 242, 248))
    for layer in sorted((l for l in layers if l.visible), key=lambda l: l.z):
        layer.paint(painter, ctx)
    if decorations:
        paint_decorations(painter, rect, ctx, title)
    if legend:
        paint_legend(painter, rect, ctx, layers)
    painter.restore()
    return ctx


def city_aqi_layers(values: dict[str, float], tooltips: dict[str, str] | None = None,
                    stations: dict | None = None) -> list[Layer]:
    """The standard stack: AQI-filled cities, province outline, stations, labels."""
    layers: list[Layer] = [
        CityFillLayer("cities", "城市空气质量", "City AQI", z=0, values=values, tooltips=tooltips or {}),
        OutlineLayer("outline", "省界", "Province boundary", z=5),
    ]
    if stations:
        layers.append(PointLayer("stations", "国控站点", "Monitoring stations", z=10, **stations))
    layers.append(CityLabelLayer("labels", "城市名称", "City names", z=20, values=values))
    return layers


def map_image(width: int, height: int, layers: Sequence[Layer], **kwargs) -> QImage:
    """Render to an ARGB image (needs a QGuiApplication)."""
    img = QImage(width, height, QImage.Format.Format_ARGB32_Premultiplied)
    img.fill(QColor(255, 255, 255))
    p = QPainter(img)
    try:
        render_map(p, QRectF(0, 0, width, height), layers, **kwargs)
    finally:
        p.end()
    return img
