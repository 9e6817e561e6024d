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


def install_excepthook(window=None) -> None:
    """Unexpected errors in event handlers: a readable message (status bar / dialog), traceback to the log."""
    import traceback

    def hook(exc_type, exc, tb) -> None:
        from console.errors import LantianError

        text = str(exc) if isinstance(exc, LantianError) else f"{exc_type.__name__}: {exc}"
        try:
            from console.store.db import data_dir

            with open(data_dir() / "lantian-errors.log", "a", encoding="utf-8") as fh:
                fh.write("".join(traceback.format_exception(exc_type, exc, tb)))
        except OSError:
            pass
        if window is not None:
            window.show_message(text)
            from PySide6.QtWidgets import QMessageBox

            QMessageBox.warning(window, window.tr("Lantian"), text)
        else:
            print(f"lantian: error: {text}", file=sys.stderr)

    sys.excepthook = hook
