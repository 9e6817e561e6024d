"""Finding a CJK font so that Chinese text never renders as empty glyphs (maps, charts, reports)."""
from __future__ import annotations

import glob
import os
from functools import lru_cache
from pathlib import Path

from console.errors import LantianError

#: candidate font files, most preferred first (Debian fonts-noto-cjk, fonts-wqy, common desktop paths)
CANDIDATES = (
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/opentype/noto/NotoSerifCJK-Regular.ttc",
    "/usr/share/fonts/truetype/noto/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/noto-cjk/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc",
    "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc",
    "/usr/share/fonts/truetype/arphic/uming.ttc",
    "C:/Windows/Fonts/msyh.ttc",
    "C:/Windows/Fonts/simhei.ttf",
    "C:/Windows/Fonts/simsun.ttc",
    "/System/Library/Fonts/PingFang.ttc",
    "/Library/Fonts/Arial Unicode.ttf",
)
ENV = "LANTIAN_CJK_FONT"
NO_FONT_MESSAGE = ("no Chinese (CJK) font found: install one (Debian/Ubuntu: `apt-get install fonts-noto-cjk`) "
                   f"or point {ENV} at a .ttf/.otf/.ttc file")


@lru_cache(maxsize=1)
def find_cjk_font_file() -> Path | None:
    """A CJK font file on this machine (``$LANTIAN_CJK_FONT`` first), or None."""
    env = os.environ.get(ENV)
    if env and Path(env).is_file():
        return Path(env)
    for c in CANDIDATES:
        if Path(c).is_file():
            return Path(c)
    for pattern in ("/usr/share/fonts/**/*CJK*Regular*", "/usr/share/fonts/**/*wqy*", "/usr/share/fonts/**/*Hei*"):
        hits = sorted(glob.glob(pattern, recursive=True))
        if hits:
            return Path(hits[0])
    return None


def require_cjk_font_file() -> Path:
    """Like :func:`find_cjk_font_file` but raises a clear error when there is none."""
    f = find_cjk_font_file()
    if f is None:
        raise LantianError(NO_FONT_MESSAGE)
    return f


@lru_cache(maxsize=1)
def qt_cjk_family() -> str:
    """Register the CJK font with Qt (needs a QGuiApplication) and return its family name."""
    from PySide6.QtGui import QFontDatabase

    path = require_cjk_font_file()
    fid = QFontDatabase.addApplicationFont(str(path))
    families = QFontDatabase.applicationFontFamilies(fid) if fid >= 0 else []
    # a .ttc holds several faces (SC, TC, JP …): prefer Simplified Chinese
    for fam in families:
        if "SC" in fam or "CN" in fam or "Hei" in fam:
            return fam
    if families:
        return families[0]
    raise LantianError(f"the font file {path} could not be loaded by Qt; {NO_FONT_MESSAGE}")
