"""Creating the Qt application for the console: offscreen when there is no display, CJK font, style,
translations."""
from __future__ import annotations

import os
import sys


def headless() -> bool:
    """True when there is no display to draw on."""
    return sys.platform.startswith("linux") and not (os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY"))


def application(language: str = "auto", force_offscreen: bool = False):
    """The running QApplication (created if needed) with font, style and translator installed."""
    if force_offscreen or headless():
        os.environ["QT_QPA_PLATFORM"] = "offscreen"
    from console.qtcompat import protect_none

    protect_none()  # PySide6 6.12 + Python 3.11 drops a None reference per void call (see console/qtcompat.py)
    from PySide6.QtGui import QFont
    from PySide6.QtWidgets import QApplication

    import pyqtgraph as pg

    from console.fonts import qt_cjk_family
    from ui import i18n

    app = QApplication.instance() or QApplication(sys.argv[:1])
    app.setApplicationName("Lantian")
    app.setOrganizationName("Lantian")
    app.setStyle("Fusion")
    font = QFont(qt_cjk_family())
    font.setPointSizeF(9.5)
    app.setFont(font)
    pg.setConfigOptions(antialias=True, background="w", foreground="#333")
    i18n.install(i18n.resolve(language))
    return app
