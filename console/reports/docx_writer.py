"""DOCX output (python-docx): editable text and tables, East Asian font set on every style and run.

Charts and the map are embedded as 200-dpi PNG: Word cannot hold the Qt vector drawing simply (the PDF
carries the vector originals).  Level colours become cell shading; page numbers are Word fields.
"""
from __future__ import annotations

import io
from pathlib import Path

from docx import Document as DocxDocument
from docx.enum.section import WD_ORIENT
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Pt, RGBColor

from console.atomic import atomic_path
from console.reports.document import (
    Approval,
    Document,
    Figure,
    Heading,
    Paragraph,
    Table,
)

LATIN = "Arial"


def _set_fonts(rpr_parent, east_asia: str, latin: str = LATIN) -> None:
    """Set ascii/hAnsi/eastAsia fonts on a run or style (removing theme fonts that would override them)."""
    rpr = rpr_parent.get_or_add_rPr()
    rfonts = rpr.find(qn("w:rFonts"))
    if rfonts is None:
        rfonts = OxmlElement("w:rFonts")
        rpr.insert(0, rfonts)
    for attr in ("w:asciiTheme", "w:hAnsiTheme", "w:eastAsiaTheme", "w:cstheme"):
        rfonts.attrib.pop(qn(attr), None)
    rfonts.set(qn("w:ascii"), latin)
    rfonts.set(qn("w:hAnsi"), latin)
    rfonts.set(qn("w:eastAsia"), east_asia)
    rfonts.set(qn("w:cs"), latin)
    lang = rpr.find(qn("w:lang"))
    if lang is None:
        lang = OxmlElement("w:lang")
        rpr.append(lang)
    lang.set(qn("w:eastAsia"), "zh-CN")


def _run(par, text: str, east_asia: str, size: float | None = None, bold: bool = False, colour: RGBColor | None = None):
    r = par.add_run(text)
    _set_fonts(r._r, east_asia)
    if size:
        r.font.size = Pt(size)
    r.bold = bold or None
    if colour is not None:
        r.font.color.rgb = colour
    return r


def _shade(el, hex_fill: str) -> None:
    """Background shading of a table cell (tcPr) or a paragraph (pPr)."""
    shd = OxmlElement("w:shd")
    shd.set(qn("w:val"), "clear")
    shd.set(qn("w:color"), "auto")
    shd.set(qn("w:fill"), hex_fill.lstrip("#").upper())
    el.append(shd)


def _field(par, instr: str, east_asia: str, size: float) -> None:
    """A Word field (PAGE, NUMPAGES) that Word updates when the document is opened/printed."""
    for kind, text in (("begin", None), ("instr", instr), ("separate", None), ("text", "1"), ("end", None)):
        r = par.add_run()
        _set_fonts(r._r, east_asia)
        r.font.size = Pt(size)
        if kind == "instr":
            it = OxmlElement("w:instrText")
            it.set(qn("xml:space"), "preserve")
            it.text = f" {text} "
            r._r.append(it)
        elif kind == "text":
            r.text = text
        else:
            fc = OxmlElement("w:fldChar")
            fc.set(qn("w:fldCharType"), kind)
            r._r.append(fc)


def _border_bottom(par, colour: str = "C81010", size: int = 18) -> None:
    ppr = par._p.get_or_add_pPr()
    bdr = OxmlElement("w:pBdr")
    b = OxmlElement("w:bottom")
    b.set(qn("w:val"), "double" if size > 12 else "single")
    b.set(qn("w:sz"), str(size))
    b.set(qn("w:space"), "1")
    b.set(qn("w:color"), colour)
    bdr.append(b)
    ppr.append(bdr)


def write_docx(doc: Document, path: str | Path, east_asia: str, figure_png) -> None:
    """Write the document as DOCX; ``figure_png(fig) -> bytes`` renders figures."""
    d = DocxDocument()
    sec = d.sections[0]
    sec.orientation = WD_ORIENT.PORTRAIT
    sec.page_width, sec.page_height = Cm(21.0), Cm(29.7)
    sec.left_margin = sec.right_margin = Cm(2.0)
    sec.top_margin, sec.bottom_margin = Cm(2.2), Cm(2.0)
    for name in ("Normal", "Heading 1", "Heading 2", "Title", "Caption", "Table Grid", "Header", "Footer"):
        try:
            st = d.styles[name]
        except KeyError:
            continue
        _set_fonts(st.element, east_asia)
        if name.startswith("Heading"):
            st.font.color.rgb = RGBColor(0, 0, 0)
    d.styles["Normal"].font.size = Pt(10.5)
    d.core_properties.title = f"{doc.title} {doc.serial}"
    d.core_properties.author = "Lantian (蓝天)"
    d.core_properties.language = "zh-CN" if doc.lang == "zh" else "en-GB"

    # running header and footer with page numbers
    hp = sec.header.paragraphs[0]
    _run(hp, f"{doc.title}    {doc.serial}", east_asia, 8, colour=RGBColor(90, 90, 90))
    fp = sec.footer.paragraphs[0]
    fp.alignment = WD_ALIGN_PARAGRAPH.CENTER
    zh = doc.lang == "zh"
    _run(fp, "第 " if zh else "Page ", east_asia, 8)
    _field(fp, "PAGE", east_asia, 8)
    _run(fp, " 页 共 " if zh else " of ", east_asia, 8)
    _field(fp, "NUMPAGES", east_asia, 8)
    _run(fp, " 页" if zh else "", east_asia, 8)

    # masthead
    p = d.add_paragraph()
    p.alignment = WD_ALIGN_PARAGRAPH.RIGHT
    _run(p, doc.classification, east_asia, 8, colour=RGBColor(90, 90, 90))
    p = d.add_paragraph()
    p.alignment = WD_ALIGN_PARAGRAPH.CENTER
    _run(p, doc.title, east_asia, 24, True, RGBColor(0xC8, 0x10, 0x10))
    p = d.add_paragraph()
    _run(p, doc.issuer, east_asia, 9.5)
    _run(p, "\t" + doc.serial, east_asia, 9.5)
    p.paragraph_format.tab_stops.add_tab_stop(Cm(17.0), alignment=2)  # right
    _border_bottom(p)

    for b in doc.blocks:
        if isinstance(b, Heading):
            h = d.add_heading("", level=1)
            _run(h, b.text, east_asia, 13, True, RGBColor(0, 0, 0))
        elif isinstance(b, Paragraph):
            p = d.add_paragraph()
            if b.style == "body" and zh:
                p.paragraph_format.first_line_indent = Pt(21)
            size = {"body": 10.5, "note": 9, "absent": 10, "small": 7.5}.get(b.style, 10.5)
            colour = RGBColor(0x78, 0x3C, 0) if b.style == "absent" else (RGBColor(60, 60, 60) if b.style != "body" else None)
            _run(p, b.text, east_asia, size, colour=colour)
            if b.style == "absent":
                _shade(p._p.get_or_add_pPr(), "#FFF6DC")
        elif isinstance(b, Table):
            t = d.add_table(rows=1 + len(b.rows), cols=len(b.columns))
            t.style = d.styles["Table Grid"]
            t.alignment = WD_TABLE_ALIGNMENT.CENTER
            rel = b.widths or [1.0] * len(b.columns)
            total = sum(rel)
            grid = [row.cells for row in t.rows]  # t.cell(i, j) rescans the whole table on every call
            trpr = t.rows[0]._tr.get_or_add_trPr()
            head = OxmlElement("w:tblHeader")  # repeat the header row on every page
            head.set(qn("w:val"), "true")
            trpr.append(head)
            for j, name in enumerate(b.columns):
                c = grid[0][j]
                c.width = Cm(17.0 * rel[j] / total)
                c.paragraphs[0].alignment = WD_ALIGN_PARAGRAPH.CENTER
                _run(c.paragraphs[0], name, east_asia, b.font_pt, True)
                _shade(c._tc.get_or_add_tcPr(), "#E8EDF3")
            for i, row in enumerate(b.rows, 1):
                for j, val in enumerate(row):
                    c = grid[i][j]
                    c.width = Cm(17.0 * rel[j] / total)
                    c.paragraphs[0].alignment = WD_ALIGN_PARAGRAPH.CENTER
                    fill = b.fills[i - 1][j] if b.fills else None
                    dark = bool(fill) and fill.upper() in ("#99004C", "#7E0023", "#FF0000", "#F44336")
                    _run(c.paragraphs[0], val, east_asia, b.font_pt,
                         colour=RGBColor(255, 255, 255) if dark else None)
                    if fill:
                        _shade(c._tc.get_or_add_tcPr(), fill)
            if b.caption:
                cp = d.add_paragraph()
                _run(cp, b.caption, east_asia, 7.5, colour=RGBColor(60, 60, 60))
        elif isinstance(b, Figure):
            d.add_picture(io.BytesIO(figure_png(b)), width=Cm(14.5 if b.kind == "map" else 17.0))
            d.paragraphs[-1].alignment = WD_ALIGN_PARAGRAPH.CENTER
        elif isinstance(b, Approval):
            p = d.add_paragraph()
            p.paragraph_format.space_before = Pt(18)
            _border_bottom(p, "555555", 6)
            p = d.add_paragraph()
            _run(p, "        ".join(f"{label}________" for label in b.labels), east_asia, 10.5)
    with atomic_path(path) as tmp:
        d.save(str(tmp))
