"""Self-contained HTML output: UTF-8, inline CSS, figures as inline SVG (vector; base64 PNG when a figure
cannot be drawn as SVG) — one file that opens offline."""
from __future__ import annotations

import base64
import html
from pathlib import Path

from console.atomic import atomic_write
from console.reports.document import (
    Approval,
    Document,
    Figure,
    Heading,
    Paragraph,
    Table,
)

CSS = """
body{font-family:"Noto Sans CJK SC","Source Han Sans SC","Microsoft YaHei","PingFang SC",sans-serif;max-width:820px;
margin:24px auto;color:#111;line-height:1.6;font-size:15px}
.cls{text-align:right;color:#666;font-size:12px}
h1{color:#c81010;text-align:center;font-size:32px;margin:8px 0 4px;letter-spacing:2px}
.mast{display:flex;justify-content:space-between;border-bottom:4px double #c81010;padding-bottom:6px;font-size:13px}
h2{font-size:18px;margin:22px 0 8px}
p.body{text-indent:2em;margin:6px 0} p.note{color:#444;font-size:13px} p.small{color:#555;font-size:11px}
p.absent{background:#fff6dc;border-left:4px solid #dc8c00;color:#783c00;padding:8px 10px}
table{border-collapse:collapse;width:100%;font-size:12px;margin:6px 0}
th,td{border:1px solid #888;padding:3px 4px;text-align:center} th{background:#e8edf3}
figure{margin:10px 0;text-align:center} figure img{max-width:100%} figure svg{height:auto}
.approval{margin-top:28px;border-top:1px solid #555;padding-top:10px;display:flex;gap:60px}
footer{margin-top:30px;color:#777;font-size:11px;text-align:center}
"""


def _dark(hexcol: str) -> bool:
    h = hexcol.lstrip("#")
    r, g, b = (int(h[i:i + 2], 16) for i in (0, 2, 4))
    return 0.299 * r + 0.587 * g + 0.114 * b < 110


def render_html(doc: Document, figure_png, figure_svg=None) -> str:
    """The whole report as one HTML string."""
    e = html.escape
    out = [f'<!DOCTYPE html><html lang="{"zh-CN" if doc.lang == "zh" else "en"}"><head><meta charset="utf-8">',
           f"<title>{e(doc.title)} {e(doc.serial)}</title><style>{CSS}</style></head><body>",
           f'<div class="cls">{e(doc.classification)}</div><h1>{e(doc.title)}</h1>',
           f'<div class="mast"><span>{e(doc.issuer)}</span><span>{e(doc.serial)}</span></div>']
    for b in doc.blocks:
        if isinstance(b, Heading):
            out.append(f"<h2>{e(b.text)}</h2>")
        elif isinstance(b, Paragraph):
            out.append(f'<p class="{b.style}">{e(b.text)}</p>')
        elif isinstance(b, Table):
            rows = ["<tr>" + "".join(f"<th>{e(c)}</th>" for c in b.columns) + "</tr>"]
            for i, r in enumerate(b.rows):
                cells = []
                for j, v in enumerate(r):
                    f = b.fills[i][j] if b.fills else None
                    style = f' style="background:{f};color:{"#fff" if _dark(f) else "#000"}"' if f else ""
                    cells.append(f"<td{style}>{e(v)}</td>")
                rows.append("<tr>" + "".join(cells) + "</tr>")
            cap = f'<p class="small">{e(b.caption)}</p>' if b.caption else ""
            out.append('<table width="100%">' + "".join(rows) + "</table>" + cap)
        elif isinstance(b, Figure):
            width = "86%" if b.kind == "map" else "100%"
            svg = None
            if figure_svg is not None:
                try:
                    svg = figure_svg(b)
                except Exception:  # e.g. no QtSvg in a stripped build: fall back to the PNG
                    svg = None
            if svg:
                svg = svg.replace("<svg ", f'<svg style="width:{width}" role="img" aria-label="{e(b.caption)}" ', 1)
                out.append(f'<figure data-kind="{b.kind}" data-key="{e(b.key)}">{svg}</figure>')
            else:
                data = base64.b64encode(figure_png(b)).decode("ascii")
                out.append(f'<figure data-kind="{b.kind}" data-key="{e(b.key)}"><img alt="{e(b.caption)}" '
                           f'style="width:{width}" src="data:image/png;base64,{data}"></figure>')
        elif isinstance(b, Approval):
            out.append('<div class="approval">' + "".join(f"<span>{e(x)}________</span>" for x in b.labels) + "</div>")
    out.append(f"<footer>{e(doc.footer)}</footer></body></html>")
    return "\n".join(out)


def write_html(doc: Document, path: str | Path, figure_png, figure_svg=None) -> None:
    """Write the HTML file atomically."""
    text = render_html(doc, figure_png, figure_svg)
    with atomic_write(path, "w", encoding="utf-8") as fh:
        fh.write(text)
