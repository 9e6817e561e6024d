"""The one map (一张图): pan/zoom widget over ``console.maprender`` plus a layer list with checkboxes."""
from __future__ import annotations

from PySide6.QtCore import QPointF, QRectF, QSize, Qt, Signal, Slot
from PySide6.QtGui import QColor, QMouseEvent, QPainter, QPixmap, QTransform, QWheelEvent
from PySide6.QtWidgets import QListWidget, QListWidgetItem, QToolTip, QWidget

from console.maprender import Hit, MapContext, geometry, paint_legend, render_map, view_transform
from ui.maplayers import MapLayers
from ui.state import ConsoleState

CLICK_SLOP = 4  # pixels a press may move and still count as a click
CACHE_BELOW_Z = 20  # layers below this z (fills, outlines, points) are cached between paints
BACKGROUND = QColor(236, 242, 247)


class MapWidget(QWidget):
    """Paints the layers with a pan/zoom transform: drag pans, wheel zooms at the cursor, double-click resets."""

    siteClicked = Signal(str)

    def __init__(self, state: ConsoleState, layers: MapLayers, parent=None):
        super().__init__(parent)
        self.state, self.layers = state, layers
        self.setObjectName("map")
        self.setMouseTracking(True)
        self.setMinimumSize(320, 260)
        self.setAttribute(Qt.WidgetAttribute.WA_OpaquePaintEvent, True)
        self.view = QTransform()  # user pan/zoom, applied after the fit-to-widget transform
        self._press: QPointF | None = None
        self._last: QPointF | None = None
        self._dragged = False
        self._ctx: MapContext | None = None
        self._cache: QPixmap | None = None
        self._cache_key = None
        layers.changed.connect(self.update)
        self.siteClicked.connect(state.select)

    # ----------------------------------------------------------------- geometry
    def base_transform(self) -> QTransform:
        return view_transform(geometry().extent, QRectF(self.rect()))

    def transform(self) -> QTransform:
        """Projected → widget coordinates (fit, then the user's pan/zoom)."""
        return self.base_transform() * self.view

    def reset_view(self) -> None:
        self.view = QTransform()
        self.update()

    def zoom_at(self, pos: QPointF, factor: float) -> None:
        """Zoom by ``factor`` keeping ``pos`` (widget coords) fixed; limited to 0.5×–40×."""
        cur = self.view.m11()
        factor = max(0.5 / cur, min(40.0 / cur, factor))
        self.view = self.view * QTransform.fromTranslate(-pos.x(), -pos.y()) * QTransform.fromScale(factor, factor) \
            * QTransform.fromTranslate(pos.x(), pos.y())
        self.update()

    def pan(self, dx: float, dy: float) -> None:
        self.view = self.view * QTransform.fromTranslate(dx, dy)
        self.update()

    # ----------------------------------------------------------------- painting
    def paintEvent(self, _event) -> None:
        """A cached image of everything that does not change with the clock, plus labels and time on top.

        Cached: the layers below ``CACHE_BELOW_Z`` (city fill, outline, stations …), north arrow, scale bar
        and legend — re-rendered only when a layer's revision or visibility, the view or the size changes.
        A replay tick usually only changes the labels' numbers, so it costs a blit and a few lines of text.
        While dragging, the cached image slides with the mouse; the full render follows on release.
        """
        rect = QRectF(self.rect())
        tf = self.transform()
        layers = self.layers.layers()
        below = [l for l in layers if l.z < CACHE_BELOW_Z]
        above = [l for l in layers if l.z >= CACHE_BELOW_Z]
        origin = tf.map(QPointF(0, 0))
        key = (self.size().toTuple(), self.devicePixelRatioF(), origin.toTuple(), tf.m11(), self.state.language,
               tuple((l.name, l.visible, l.simulated, self.layers.revision(l.name) if l.z < CACHE_BELOW_Z else 0)
                     for l in layers))
        offset = QPointF(0, 0)
        ck = self._cache_key
        only_moved = ck is not None and key[:2] == ck[:2] and key[3:] == ck[3:]
        if self._dragged and only_moved:
            offset = origin - QPointF(*ck[2])
        elif key != ck:
            dpr = self.devicePixelRatioF()
            self._cache = QPixmap((self.size() * dpr).expandedTo(QSize(1, 1)))
            self._cache.setDevicePixelRatio(dpr)
            cp = QPainter(self._cache)
            try:
                ctx = render_map(cp, rect, below, language=self.state.language, transform=tf, legend=False,
                                 decorations=True, background=BACKGROUND)
                paint_legend(cp, rect, ctx, layers)  # notes for simulated layers need all layers
            finally:
                cp.end()
            self._cache_key = key
        p = QPainter(self)
        try:
            if not offset.isNull():
                p.fillRect(rect, BACKGROUND)
            p.drawPixmap(offset, self._cache)
            self._ctx = render_map(p, rect, above, language=self.state.language, transform=tf, legend=False,
                                   decorations=False, background=QColor(0, 0, 0, 0))
            self._paint_title(p, rect)
        finally:
            p.end()

    def _paint_title(self, p: QPainter, rect: QRectF) -> None:
        """The clock hour at the top (same font as the briefings' map titles)."""
        title = self._title()
        if title and self._ctx is not None:
            p.setFont(self._ctx.font(11, bold=True))
            p.setPen(QColor(20, 20, 20))
            p.drawText(QRectF(rect.left(), rect.top() + 4, rect.width(), 22), Qt.AlignmentFlag.AlignCenter, title)

    def _title(self) -> str | None:
        t = self.state.time()
        if t is None:
            return self.tr("Loading data…")
        return f"{t:%Y-%m-%d %H:00}"

    # ----------------------------------------------------------------- interaction
    def hit(self, pos: QPointF) -> Hit | None:
        """Top-most visible feature under ``pos`` (widget coords)."""
        ctx = self._ctx or MapContext(self.transform(), self.state.language)
        ctx.transform = self.transform()
        for layer in reversed(self.layers.layers()):
            if layer.visible:
                h = layer.hit(ctx, pos)
                if h is not None:
                    return h
        return None

    def mousePressEvent(self, e: QMouseEvent) -> None:
        if e.button() == Qt.MouseButton.LeftButton:
            self._press = self._last = e.position()
            self._dragged = False
            self.setCursor(Qt.CursorShape.ClosedHandCursor)

    def mouseMoveEvent(self, e: QMouseEvent) -> None:
        pos = e.position()
        if self._press is not None:
            if (pos - self._press).manhattanLength() > CLICK_SLOP:
                self._dragged = True
            if self._dragged:
                d = pos - self._last
                self._last = pos
                self.pan(d.x(), d.y())
            return
        h = self.hit(pos)
        if h is None:
            QToolTip.hideText()
        else:
            QToolTip.showText(e.globalPosition().toPoint(), h.text, self)

    def mouseReleaseEvent(self, e: QMouseEvent) -> None:
        if e.button() != Qt.MouseButton.LeftButton or self._press is None:
            return
        self.unsetCursor()
        if not self._dragged:
            h = self.hit(e.position())
            if h is not None and h.layer in ("cities", "stations"):
                self.siteClicked.emit(h.key)
        self._press = None
        self._dragged = False
        self.update()  # full-quality render at the final position

    def mouseDoubleClickEvent(self, _e) -> None:
        self.reset_view()

    def wheelEvent(self, e: QWheelEvent) -> None:
        steps = e.angleDelta().y() / 120.0
        if steps:
            self.zoom_at(e.position(), 1.25 ** steps)


class LayerList(QListWidget):
    """Checkbox list of the map layers (top-most first); toggling shows/hides a layer."""

    def __init__(self, state: ConsoleState, layers: MapLayers, parent=None):
        super().__init__(parent)
        self.state, self.layers = state, layers
        self.setObjectName("layerList")
        self._building = False
        layers.listChanged.connect(self.rebuild)
        state.languageChanged.connect(self.rebuild)
        self.itemChanged.connect(self._toggled)
        self.rebuild()

    @Slot()
    def rebuild(self) -> None:
        self._building = True
        self.clear()
        for layer in reversed(self.layers.layers()):
            item = QListWidgetItem(layer.title(self.state.language))
            item.setData(Qt.ItemDataRole.UserRole, layer.name)
            item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
            item.setCheckState(Qt.CheckState.Checked if layer.visible else Qt.CheckState.Unchecked)
            self.addItem(item)
        self._building = False

    def _toggled(self, item: QListWidgetItem) -> None:
        if not self._building:
            self.layers.set_visible(item.data(Qt.ItemDataRole.UserRole), item.checkState() == Qt.CheckState.Checked)
