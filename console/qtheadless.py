"""A QGuiApplication for headless rendering (maps and charts in reports, screenshots) — no widgets."""
from __future__ import annotations

import os


def ensure_gui_app():
    """Return the running Qt application, creating an offscreen QGuiApplication when there is none."""
    from PySide6.QtGui import QGuiApplication

    from console.qtcompat import protect_none

    protect_none()  # PySide6 6.12 on Python 3.11 leaks None references (console/qtcompat.py)

    app = QGuiApplication.instance()
    if app is None:
        if not os.environ.get("DISPLAY") and not os.environ.get("WAYLAND_DISPLAY"):
            os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
        app = QGuiApplication([])
    return app
