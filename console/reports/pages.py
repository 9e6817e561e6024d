"""Page layout and painting of a report Document with QPainter: vector PDF pages (QPdfWriter) and page images.

Layout runs in device units of the target device (so line breaks match what is painted), in two passes:
:func:`layout` places every block on A4 pages (tables split by rows with a repeated header, headings kept
with what follows), then :func:`paint_page` draws one page including the running header, the footer
with "page n of N" and, on page 1, the masthead (红头).
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from PySide6.QtCore import QMarginsF, QPointF, QRectF, Qt
from PySide6.QtGui import (
    QColor,
    QFontMetricsF,
    QImage,
    QPageLayout,
    QPageSize,
    QPaintDevice,
    QPainter,
    QPdfWriter,
    QPen,
)

from console.atomic import atomic_path
from console.reports.charts import ChartStyle
from console.reports.document import (
    Approval,
    Document,
    Figure,
    Heading,
    Paragraph,
    Table,
)
from console.reports.pdftext import fix_tounicode

A4_PT = (595.28, 841.89)
MARGIN = {"left": 56.0, "right": 56.0, "top": 62.0, "bottom": 58.0}
RED = QColor(200, 16, 16)
PDF_DPI = 288
BODY_PT = 10.5
WRAP = int(Qt.TextFlag.TextWordWrap) | int(Qt.AlignmentFlag.AlignLeft) | int(Qt.AlignmentFlag.AlignTop)


@dataclass
class Placed:
    """A block (or a slice of a table) at a rectangle of a page."""

    block: object
    rect: QRectF
    rows: tuple[int, int] | None = None  # table rows [a, b)
    row_heights: list[float] | None = None
    header_h: float = 0.0


class Layout:
    """Fonts, metrics and geometry of one device."""

    def __init__(self, device: QPaintDevice, family: str, lang: str):
        self.device = device
        self.u = device.logicalDpiY() / 72.0
        self.style = ChartStyle(family, self.u, lang)
        self.lang = lang
        self.pw, self.ph = device.width(), device.height()
        self.content = QRectF(MARGIN["left"] * self.u, MARGIN["top"] * self.u,
                              self.pw - (MARGIN["left"] + MARGIN["right"]) * self.u,
                              self.ph - (MARGIN["top"] + MARGIN["bottom"]) * self.u)

    def font(self, pt: float, bold: bool = False):
        return self.style.font(pt, bold)

    def text_height(self, text: str, pt: float, width: float, bold: bool = False) -> float:
        fm = QFontMetricsF(self.font(pt, bold), self.device)
        return fm.boundingRect(QRectF(0, 0, width, 1e7), WRAP, text).height()

    # ---------------------------------------------------------------- block sizes
    def para_text(self, b: Paragraph) -> str:
        indent = "\u3000\u3000" if self.lang == "zh" and b.style == "body" else ""
        return indent + b.text

    def para_pt(self, b: Paragraph) -> float:
        return {"body": BODY_PT, "note": 9.0, "absent": 10.0, "small": 7.5}.get(b.style, BODY_PT)

    def height(self, b) -> float:
        u, w = self.u, self.content.width()
        if isinstance(b, Heading):
            return self.text_height(b.text, 12.5, w, True) + 12 * u
        if isinstance(b, Paragraph):
            pad = 8 * u if b.style == "absent" else 0
            return self.text_height(self.para_text(b), self.para_pt(b), w - 2 * pad) + 2 * pad + 6 * u
        if isinstance(b, Figure):
            return self.figure_width(b) * b.aspect + 8 * u
        if isinstance(b, Approval):
            return 46 * u
        raise TypeError(b)

    def figure_width(self, b: Figure) -> float:
        return self.content.width() * (0.86 if b.kind == "map" else 1.0)

    def col_widths(self, t: Table) -> list[float]:
        rel = t.widths or [1.0] * len(t.columns)
        s = sum(rel)
        return [self.content.width() * r / s for r in rel]

    def row_height(self, t: Table, cells: list[str], bold: bool = False) -> float:
        pad = 3 * self.u
        return max(self.text_height(c, t.font_pt, w - 2 * pad, bold) for c, w in zip(cells, self.col_widths(t))) + 2 * pad


def layout(doc: Document, lay: Layout) -> list[list[Placed]]:
    """Place the blocks on pages."""
    u = lay.u
    pages: list[list[Placed]] = [[]]
    top0 = lay.content.top() + masthead_height(lay)
    y = top0
    bottom = lay.content.bottom()
    x, w = lay.content.left(), lay.content.width()

    def new_page():
        nonlocal y
        pages.append([])
        y = lay.content.top()

    blocks = doc.blocks
    for i, b in enumerate(blocks):
        if isinstance(b, Table):
            hh = lay.row_height(b, b.columns, True)
            rh = [lay.row_height(b, r) for r in b.rows]
            cap = lay.text_height(b.caption, 7.5, w) + 4 * u if b.caption else 0
            whole = hh + sum(rh)
            if len(rh) <= 8 and y + whole > bottom and lay.content.top() + whole <= bottom:
                new_page()  # a short table is not split
            a = 0
            while a < len(rh) or (a == 0 and not rh):
                if y + hh + (rh[a] if rh else 0) > bottom:
                    new_page()
                k, h = a, hh
                while k < len(rh) and y + h + rh[k] <= bottom:
                    h += rh[k]
                    k += 1
                pages[-1].append(Placed(b, QRectF(x, y, w, h), (a, k), rh[a:k], hh))
                y += h
                a = k
                if not rh:
                    break
            if cap:
                if y + cap > bottom:
                    new_page()
                pages[-1].append(Placed(Paragraph(b.caption, "small"), QRectF(x, y + 2 * u, w, cap)))
                y += cap
            y += 8 * u
            continue
        h = lay.height(b)
        need = h
        if isinstance(b, Heading) and i + 1 < len(blocks):  # keep a heading with the start of the next block
            nxt = blocks[i + 1]
            if isinstance(nxt, Table):
                need += lay.row_height(nxt, nxt.columns, True) * 2
            elif isinstance(nxt, (Figure, Approval)):
                need += lay.height(nxt)  # cannot split
            else:
                need += min(lay.height(nxt), 120 * u)
        if y + need > bottom and y > lay.content.top() + 1:
            new_page()
        if isinstance(b, Figure):
            fw = lay.figure_width(b)
            pages[-1].append(Placed(b, QRectF(x + (w - fw) / 2, y, fw, fw * b.aspect)))
        else:
            pages[-1].append(Placed(b, QRectF(x, y, w, h)))
        y += h
    return pages


def masthead_height(lay: Layout) -> float:
    return 96 * lay.u


def _paint_masthead(p: QPainter, lay: Layout, doc: Document) -> None:
    u, c = lay.u, lay.content
    p.setPen(RED)
    size = 24.0
    while size > 12 and QFontMetricsF(lay.font(size, True), lay.device).horizontalAdvance(doc.title) > c.width():
        size -= 1  # long (English) titles shrink to fit the line
    p.setFont(lay.font(size, True))
    p.drawText(QRectF(c.left(), c.top(), c.width(), 40 * u), int(Qt.AlignmentFlag.AlignCenter), doc.title)
    p.setPen(QColor(30, 30, 30))
    p.setFont(lay.font(9.5))
    p.drawText(QRectF(c.left(), c.top() + 48 * u, c.width() * 0.68, 30 * u),
               int(Qt.TextFlag.TextWordWrap) | int(Qt.AlignmentFlag.AlignLeft) | int(Qt.AlignmentFlag.AlignBottom), doc.issuer)
    p.drawText(QRectF(c.left() + c.width() * 0.6, c.top() + 48 * u, c.width() * 0.4, 30 * u),
               int(Qt.AlignmentFlag.AlignRight) | int(Qt.AlignmentFlag.AlignBottom), doc.serial)
    y = c.top() + 82 * u
    p.setPen(QPen(RED, 2.2 * u))
    p.drawLine(QPointF(c.left(), y), QPointF(c.right(), y))
    p.setPen(QPen(RED, 0.7 * u))
    p.drawLine(QPointF(c.left(), y + 3.5 * u), QPointF(c.right(), y + 3.5 * u))


def _paint_frame(p: QPainter, lay: Layout, doc: Document, n: int, total: int) -> None:
    u, c = lay.u, lay.content
    p.setFont(lay.font(7.5))
    p.setPen(QColor(90, 90, 90))
    top = c.top() - 26 * u
    if n > 1:
        p.drawText(QRectF(c.left(), top, c.width() / 2, 14 * u), int(Qt.AlignmentFlag.AlignLeft), doc.title)
        p.drawText(QRectF(c.center().x(), top, c.width() / 2, 14 * u), int(Qt.AlignmentFlag.AlignRight), doc.serial)
        p.setPen(QPen(QColor(150, 150, 150), 0.5 * u))
        p.drawLine(QPointF(c.left(), top + 15 * u), QPointF(c.right(), top + 15 * u))
    else:
        p.drawText(QRectF(c.left(), top, c.width(), 14 * u), int(Qt.AlignmentFlag.AlignRight), doc.classification)
    fy = c.bottom() + 18 * u
    p.setPen(QPen(QColor(150, 150, 150), 0.5 * u))
    p.drawLine(QPointF(c.left(), fy - 4 * u), QPointF(c.right(), fy - 4 * u))
    p.setPen(QColor(90, 90, 90))
    page = f"第 {n} 页 共 {total} 页" if lay.lang == "zh" else f"Page {n} of {total}"
    p.drawText(QRectF(c.left(), fy, c.width(), 14 * u), int(Qt.AlignmentFlag.AlignCenter), page)
    p.drawText(QRectF(c.left(), fy, c.width() * 0.4, 14 * u), int(Qt.AlignmentFlag.AlignLeft), doc.footer)


def _paint_table(p: QPainter, lay: Layout, pl: Placed) -> None:
    t: Table = pl.block
    u = lay.u
    pad = 3 * u
    widths = lay.col_widths(t)
    x0, y = pl.rect.left(), pl.rect.top()
    grid = QPen(QColor(120, 120, 120), 0.5 * u)

    def row(cells, h, fills, bold):
        x = x0
        p.setFont(lay.font(t.font_pt, bold))
        for j, (c, w) in enumerate(zip(cells, widths)):
            r = QRectF(x, y, w, h)
            f = fills[j] if fills else None
            if f:
                p.fillRect(r, QColor(f))
            p.setPen(grid)
            p.drawRect(r)
            q = QColor(f) if f else None
            dark = q is not None and 0.299 * q.red() + 0.587 * q.green() + 0.114 * q.blue() < 110
            p.setPen(QColor(255, 255, 255) if dark else QColor(0, 0, 0))
            p.drawText(r.adjusted(pad, pad, -pad, -pad),
                       int(Qt.TextFlag.TextWordWrap) | int(Qt.AlignmentFlag.AlignCenter), c)
            x += w

    row(t.columns, pl.header_h, ["#E8EDF3"] * len(t.columns), True)
    y += pl.header_h
    a, b = pl.rows
    for k, h in zip(range(a, b), pl.row_heights):
        row(t.rows[k], h, t.fills[k] if t.fills else None, False)
        y += h


def paint_page(p: QPainter, lay: Layout, doc: Document, page: list[Placed], n: int, total: int) -> None:
    """Draw one laid-out page."""
    u = lay.u
    p.setRenderHint(QPainter.RenderHint.Antialiasing, True)
    p.setRenderHint(QPainter.RenderHint.TextAntialiasing, True)
    _paint_frame(p, lay, doc, n, total)
    if n == 1:
        _paint_masthead(p, lay, doc)
    for pl in page:
        b, r = pl.block, pl.rect
        p.save()
        if isinstance(b, Heading):
            p.setPen(QColor(0, 0, 0))
            p.setFont(lay.font(12.5, True))
            p.drawText(r.adjusted(0, 6 * u, 0, 0), WRAP, b.text)
        elif isinstance(b, Paragraph):
            if b.style == "absent":
                box = r.adjusted(0, 0, 0, -6 * u)
                p.fillRect(box, QColor(255, 246, 220))
                p.fillRect(QRectF(box.left(), box.top(), 3 * u, box.height()), QColor(220, 140, 0))
                p.setPen(QColor(120, 60, 0))
                p.setFont(lay.font(lay.para_pt(b)))
                p.drawText(box.adjusted(8 * u, 8 * u, -8 * u, -8 * u), WRAP, b.text)
            else:
                p.setPen(QColor(60, 60, 60) if b.style != "body" else QColor(0, 0, 0))
                p.setFont(lay.font(lay.para_pt(b)))
                p.drawText(r, WRAP, lay.para_text(b))
        elif isinstance(b, Table):
            _paint_table(p, lay, pl)
        elif isinstance(b, Figure):
            p.setClipRect(r)
            b.draw(p, r, lay.style)
        elif isinstance(b, Approval):
            p.setPen(QPen(QColor(60, 60, 60), 0.6 * u))
            p.drawLine(QPointF(r.left(), r.top() + 10 * u), QPointF(r.right(), r.top() + 10 * u))
            p.setPen(QColor(0, 0, 0))
            p.setFont(lay.font(10.5))
            k = max(1, len(b.labels))
            for i, label in enumerate(b.labels):
                p.drawText(QRectF(r.left() + i * r.width() / k, r.top() + 18 * u, r.width() / k, 18 * u),
                           int(Qt.AlignmentFlag.AlignLeft) | int(Qt.AlignmentFlag.AlignVCenter), label + " ________")
        p.restore()


def document_text(doc: Document) -> str:
    """All characters the document states (used to resolve glyphs shared by several code points)."""
    parts = [doc.title, doc.serial, doc.issuer, doc.classification, doc.footer, "第页共", "签发审核拟稿"]
    for b in doc.blocks:
        if isinstance(b, (Heading, Paragraph)):
            parts.append(b.text)
        elif isinstance(b, Table):
            parts += b.columns + [c for r in b.rows for c in r] + [b.caption]
        elif isinstance(b, Approval):
            parts += b.labels
    return "".join(parts)


def missing_glyphs(doc: Document, family: str) -> str:
    """Characters of the document the report font cannot draw (they would print as empty boxes)."""
    from PySide6.QtGui import QFont, QRawFont

    raw = QRawFont.fromFont(QFont(family))
    chars = sorted({c for c in document_text(doc) if c.isprintable() and not c.isspace()})
    return "".join(c for c in chars if not raw.supportsCharacter(ord(c)))


def _family() -> str:
    from console.fonts import qt_cjk_family

    return qt_cjk_family()


def write_pdf(doc: Document, path: str | Path) -> int:
    """Write the document as a vector PDF (fonts embedded as subsets); returns the page count."""
    fam = _family()
    with atomic_path(path) as tmp:
        w = QPdfWriter(str(tmp))
        w.setResolution(PDF_DPI)
        w.setPageLayout(QPageLayout(QPageSize(QPageSize.PageSizeId.A4), QPageLayout.Orientation.Portrait,
                                    QMarginsF(0, 0, 0, 0)))
        w.setTitle(f"{doc.title} {doc.serial}")
        w.setCreator("Lantian (蓝天)")
        lay = Layout(w, fam, doc.lang)
        pages = layout(doc, lay)
        p = QPainter(w)
        try:
            for i, page in enumerate(pages):
                if i:
                    w.newPage()
                paint_page(p, lay, doc, page, i + 1, len(pages))
        finally:
            p.end()
        fix_tounicode(tmp, fam, document_text(doc))  # searchable, copyable Chinese text
    return len(pages)


def page_images(doc: Document, dpi: float = 96) -> list[QImage]:
    """Render every page to an image (console preview); same layout code as the PDF."""
    fam = _family()
    wpx, hpx = int(A4_PT[0] / 72 * dpi), int(A4_PT[1] / 72 * dpi)
    probe = QImage(wpx, hpx, QImage.Format.Format_RGB32)
    dpm = int(round(dpi / 0.0254))
    probe.setDotsPerMeterX(dpm)
    probe.setDotsPerMeterY(dpm)
    lay = Layout(probe, fam, doc.lang)
    pages = layout(doc, lay)
    out = []
    for i, page in enumerate(pages):
        img = QImage(probe.size(), QImage.Format.Format_RGB32)
        img.setDotsPerMeterX(dpm)
        img.setDotsPerMeterY(dpm)
        img.fill(QColor(255, 255, 255))
        p = QPainter(img)
        try:
            paint_page(p, lay, doc, page, i + 1, len(pages))
        finally:
            p.end()
        out.append(img)
    return out


def figure_png(fig: Figure, family: str, lang: str, width_pt: float = 453.0, dpi: float = 200.0) -> bytes:
    """A figure as PNG bytes (DOCX and HTML embed these; the PDF paints the vector original)."""
    from PySide6.QtCore import QBuffer, QByteArray, QIODevice

    w = int(width_pt / 72 * dpi)
    h = int(w * fig.aspect)
    img = QImage(w, h, QImage.Format.Format_RGB32)
    dpm = int(round(dpi / 0.0254))
    img.setDotsPerMeterX(dpm)
    img.setDotsPerMeterY(dpm)
    img.fill(QColor(255, 255, 255))
    p = QPainter(img)
    try:
        p.setRenderHint(QPainter.RenderHint.Antialiasing, True)
        fig.draw(p, QRectF(0, 0, w, h), ChartStyle(family, dpi / 72.0, lang))
    finally:
        p.end()
    data = QByteArray()
    buf = QBuffer(data)
    buf.open(QIODevice.OpenModeFlag.WriteOnly)
    img.save(buf, "PNG")
    buf.close()
    return bytes(data.data())


def figure_svg(fig: Figure, family: str, lang: str, width_pt: float = 453.0) -> str:
    """A figure as an SVG document (vector, text kept as text) for the HTML report."""
    from PySide6.QtCore import QBuffer, QByteArray, QIODevice, QSize
    from PySide6.QtSvg import QSvgGenerator

    scale = 2.0  # SVG user units per point: fonts and lines keep the proportions of the PDF
    w = int(width_pt * scale)
    h = int(w * fig.aspect)
    data = QByteArray()
    buf = QBuffer(data)
    buf.open(QIODevice.OpenModeFlag.WriteOnly)
    gen = QSvgGenerator()
    gen.setOutputDevice(buf)
    gen.setSize(QSize(w, h))
    gen.setViewBox(QRectF(0, 0, w, h))
    gen.setResolution(int(72 * scale))
    gen.setTitle(fig.caption)
    p = QPainter(gen)
    try:
        fig.draw(p, QRectF(0, 0, w, h), ChartStyle(family, scale, lang))
    finally:
        p.end()
    buf.close()
    text = bytes(data.data()).decode("utf-8")
    return text[text.index("<svg"):]  # drop the XML declaration for inlining
