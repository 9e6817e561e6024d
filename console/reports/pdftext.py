"""Searchable text in Qt-written PDFs: repair of the ToUnicode maps.

Qt builds a PDF font's glyph→Unicode map from the font's cmap.  Where a CJK font draws several code
points with one glyph it may record the wrong one — a Kangxi radical (⽓ U+2F53) for 气, a radicals-
supplement form (⻚ U+2EDA) for 页, U+2012 for the en dash — so the page looks right but copying,
searching or `pdftotext` give look-alikes.  :func:`fix_tounicode` rewrites the destination code points
using the font itself (which ideograph shares the glyph) and the document's own text.
"""
from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from functools import lru_cache
from pathlib import Path

_HEX = re.compile(rb"<([0-9A-Fa-f]{4,8})>")


@lru_cache(maxsize=4)
def radical_map(family: str) -> dict[int, int]:
    """CJK radical code points (2E80–2FDF) → the unified ideograph drawn with the same glyph in ``family``.

    Kangxi radicals also have NFKC mappings, but the radicals supplement (e.g. ⻚ for 页) does not, so
    the font itself decides: a radical maps to the ideograph that shares its glyph.
    """
    from PySide6.QtGui import QFont, QRawFont

    raw = QRawFont.fromFont(QFont(family))
    uni = "".join(chr(c) for c in range(0x4E00, 0xA000))
    first: dict[int, str] = {}
    for ch, g in zip(uni, raw.glyphIndexesForString(uni)):
        if g:
            first.setdefault(g, ch)
    rad = "".join(chr(c) for c in range(0x2E80, 0x2FE0))
    out = {ord(r): ord(first[g]) for r, g in zip(rad, raw.glyphIndexesForString(rad)) if g and g in first}
    for c in range(0x2F00, 0x2FD6):  # Kangxi radicals: NFKC where the font has no shared glyph
        n = unicodedata.normalize("NFKC", chr(c))
        if c not in out and len(n) == 1:
            out[c] = ord(n)
    return out


COMMON = "".join(chr(c) for c in range(0x20, 0x7F)) + "–—…（）：；，。、·“”‘’％°µμ³²≥≤Δ±×→＞＜"


def lookalike_resolver(family: str, preferred: str) -> Callable[[int], int]:
    """A function mapping a code point that shares its glyph with a preferred character (e.g. U+2012 ‒ with
    the en dash –) to that character; other code points map to themselves."""
    from PySide6.QtGui import QFont, QRawFont

    raw = QRawFont.fromFont(QFont(family))
    chars = "".join(dict.fromkeys(COMMON + preferred))
    by_glyph: dict[int, int] = {}
    for ch, g in zip(chars, raw.glyphIndexesForString(chars)):
        if g:
            by_glyph.setdefault(g, ord(ch))
    keep = {ord(c) for c in chars}

    def resolve(cp: int) -> int:
        if cp in keep:
            return cp
        g = raw.glyphIndexesForString(chr(cp))
        return by_glyph.get(g[0], cp) if g and g[0] else cp

    return resolve


def _fix_cmap(data: bytes, radicals: dict[int, int], resolve) -> bytes:
    """Rewrite only the destination code points of a ToUnicode CMap (bfrange arrays / third token, bfchar)."""
    def fix_hex(tok: bytes) -> bytes:
        h = tok[1:-1]
        if len(h) != 4:
            return tok
        cp = int(h, 16)
        new = radicals.get(cp, cp)
        new = resolve(new)
        return tok if new == cp else b"<%04X>" % new

    out, mode = [], None
    for line in data.split(b"\n"):
        s = line.strip()
        if s.endswith(b"beginbfrange"):
            mode = "range"
        elif s.endswith(b"beginbfchar"):
            mode = "char"
        elif s in (b"endbfrange", b"endbfchar"):
            mode = None
        elif mode == "range" and b"[" in line:
            head, rest = line.split(b"[", 1)
            line = head + b"[" + _HEX.sub(lambda m: fix_hex(m.group(0)), rest)
        elif mode in ("range", "char"):
            toks = _HEX.findall(line)
            k = 2 if mode == "range" else 1
            if len(toks) > k:
                parts = _HEX.split(line)
                # parts alternates text, hex, text, hex …; destination is hex number k
                idx = 1 + 2 * k
                parts[idx] = fix_hex(b"<" + parts[idx] + b">")[1:-1]
                line = b"".join(p if i % 2 == 0 else b"<" + p + b">" for i, p in enumerate(parts))
        out.append(line)
    return b"\n".join(out)


def fix_tounicode(path: str | Path, family: str, text: str = "") -> None:
    """Rewrite the PDF's ToUnicode maps in place so that text extraction/search yields 广, 气, 月 … not ⼴, ⽓, ⽉.

    Qt builds the glyph→Unicode map from the font's cmap and, for glyphs shared by a CJK radical and a
    unified ideograph (Noto CJK), keeps the radical — the page looks right but copied text is wrong.
    """
    from pypdf import PdfReader, PdfWriter

    radicals = radical_map(family)
    resolve = lookalike_resolver(family, text)
    reader = PdfReader(str(path))
    writer = PdfWriter(clone_from=reader)
    seen = set()
    changed = False
    for page in writer.pages:
        fonts = page.get("/Resources", {}).get("/Font", {})
        for ref in fonts.values():
            font = ref.get_object()
            tu = font.get("/ToUnicode")
            if tu is None or id(tu.get_object()) in seen:
                continue
            obj = tu.get_object()
            seen.add(id(obj))
            data = obj.get_data()
            new = _fix_cmap(data, radicals, resolve)
            if new != data:
                obj.set_data(new)
                changed = True
    if changed:
        with open(path, "wb") as fh:
            writer.write(fh)
