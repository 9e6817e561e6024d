"""Briefing reports (空气质量专报, 重污染天气会商报告, 过程评估报告) as PDF, DOCX and HTML.

Pipeline: :func:`context.build_context` (facts from the store + optional providers) →
:func:`document.build_document` (typed blocks in the template's order) → one writer per format
(:mod:`pages` vector PDF with QPainter, :mod:`docx_writer`, :mod:`html_writer`).  Headless: only
QtGui is used, on an offscreen QGuiApplication.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from console.errors import LantianError

FORMATS = (".pdf", ".docx", ".html")


@dataclass
class ReportOutput:
    """What was written."""

    paths: list[Path]
    pages: int | None  # PDF page count (None when no PDF was written)
    absent: dict[str, str] = field(default_factory=dict)
    timings: dict[str, float] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)


def check_font() -> Path:
    """The CJK font the reports will embed; a clear error (and nothing written) when there is none."""
    from console import fonts

    path = fonts.find_cjk_font_file()
    if path is None:
        raise LantianError("cannot write a report: " + fonts.NO_FONT_MESSAGE)
    return path


def output_format(path: Path) -> str:
    suf = path.suffix.lower()
    if suf == ".htm":
        suf = ".html"
    if suf not in FORMATS:
        raise LantianError(f"{path}: unknown report format '{path.suffix}' (use .pdf, .docx or .html)")
    return suf


def make_report(repo, kind: str, day: date, outs: list[str | Path], cities: list[str] | None = None, lang: str = "zh",
                start: date | None = None, end: date | None = None, template_file: str | Path | None = None,
                convention: str = "standard") -> ReportOutput:
    """Build one report and write it to each of ``outs`` (format from the suffix)."""
    import time

    from console.qtheadless import ensure_gui_app
    from console.reports.context import build_context
    from console.reports.document import build_document
    from console.reports.templates import load_template

    paths = [Path(o) for o in outs]
    fmts = [output_format(p) for p in paths]  # validate before any work
    check_font()
    ensure_gui_app()
    from console.fonts import qt_cjk_family
    from console.reports import docx_writer, html_writer, pages

    t = {"start": time.perf_counter()}
    tpl = load_template(kind, template_file) if template_file else None
    ctx = build_context(repo, kind, day, cities, lang, start, end, tpl, convention)
    t["context"] = time.perf_counter()
    doc = build_document(ctx)
    family = qt_cjk_family()
    warnings = []
    missing = pages.missing_glyphs(doc, family)
    if missing:
        warnings.append(f"the report font ({family}) has no glyph for {missing!r}; these characters may print as "
                        "empty boxes — change the template text or set LANTIAN_CJK_FONT to a font that has them")
    cache: dict[str, bytes] = {}

    def png(fig):
        if fig.key not in cache:
            cache[fig.key] = pages.figure_png(fig, family, lang, 453.0 if fig.kind != "map" else 390.0)
        return cache[fig.key]

    npages = None
    for path, fmt in zip(paths, fmts):
        if fmt == ".pdf":
            npages = pages.write_pdf(doc, path)
        elif fmt == ".docx":
            docx_writer.write_docx(doc, path, family, png)
        else:
            html_writer.write_html(doc, path, png,
                                   lambda fig: pages.figure_svg(fig, family, lang, 453.0 if fig.kind != "map" else 390.0))
        t[fmt] = time.perf_counter()
    timings, prev = {}, t["start"]
    for k, v in t.items():
        if k != "start":
            timings[k] = v - prev
            prev = v
    return ReportOutput(paths, npages, dict(ctx.absent), timings, warnings)


@dataclass
class Preview:
    """Rendered pages for the console preview."""

    images: list  # QImage per page
    absent: dict[str, str]
    title: str


def preview_pages(repo, kind: str, day: date, cities: list[str] | None = None, lang: str = "zh",
                  start: date | None = None, end: date | None = None, dpi: float = 80.0,
                  convention: str = "standard") -> Preview:
    """Render the report's pages to images with the same layout code as the PDF (safe in a worker thread)."""
    from console.qtheadless import ensure_gui_app
    from console.reports.context import build_context
    from console.reports.document import build_document
    from console.reports.pages import page_images

    check_font()
    ensure_gui_app()
    ctx = build_context(repo, kind, day, cities, lang, start, end, convention=convention)
    doc = build_document(ctx)
    return Preview(page_images(doc, dpi), dict(ctx.absent), f"{doc.title} {doc.serial}")
