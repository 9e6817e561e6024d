"""GUI subcommands of ``lantian``: ``console`` (the main window) and ``shot`` (offscreen screenshot).

No Qt import at module level: the headless CLI imports this module to build its parser.
"""
from __future__ import annotations

import argparse
import os
import re


def register(sub: argparse._SubParsersAction) -> None:
    """Add the ``console`` and ``shot`` subcommands."""
    p = sub.add_parser("console", help="open the command console window (the default)")
    p.add_argument("--time", help="open at this hour (ISO, Beijing time) instead of the worst episode")
    p.add_argument("--language", choices=("auto", "zh", "en"), help="UI language (default: saved choice / system)")
    p.set_defaults(func=run_console)

    s = sub.add_parser("shot", help="render the console offscreen to a PNG at a clock time")
    s.add_argument("--out", required=True, help="PNG file to write")
    s.add_argument("--time", help="clock hour (ISO, Beijing time); default: the demo's opening hour")
    s.add_argument("--size", default="1600x1000", help="window size WxH (default 1600x1000)")
    s.add_argument("--language", choices=("zh", "en"), default="zh", help="UI and map language (default zh)")
    s.add_argument("--select", help="city adcode or station code to select (default: the worst city)")
    s.add_argument("--raise", dest="raise_panels", default="",
                   help="comma-separated panels to bring to the front, e.g. timeline,warnings "
                        "(alarms, warnings, timeline, forecast, sources, briefing, timeseries)")
    s.add_argument("--weather", help="weather-forecast file (NetCDF/GRIB) to load into the forecast panel, as "
                                     "its Weather forecast ▸ Load… does (raises the forecast panel)")
    s.add_argument("--weather-utc", action="store_true", help="the NetCDF file's valid times are UTC")
    s.set_defaults(func=run_shot)


def _parse_size(text: str) -> tuple[int, int]:
    from console.errors import InputError

    m = re.fullmatch(r"\s*(\d{2,5})\s*[xX×]\s*(\d{2,5})\s*", text or "")
    if not m:
        raise InputError("--size", f"'{text}' is not WIDTHxHEIGHT, e.g. 1600x1000")
    return int(m.group(1)), int(m.group(2))


def _parse_time(text: str | None):
    if not text:
        return None
    import pandas as pd

    from console.errors import InputError

    try:
        return pd.Timestamp(text)
    except (ValueError, TypeError):
        raise InputError("--time", f"'{text}' is not an ISO date/time, e.g. 2019-01-10T08:00") from None


def _store(args, settings):
    from console.store.db import Store

    url = getattr(args, "db", None) or settings.get("dataset", "db")
    store = Store(url)
    if getattr(args, "db", None):
        settings.set("dataset", "db", args.db)
    return store


def run_console(args) -> int:
    """Open the main window on the demo (first start loads it in a worker) and run the event loop."""
    when = _parse_time(args.time)
    from ui.settings import Settings

    settings = Settings()
    if args.language:
        settings.set("language", args.language)
    url = getattr(args, "db", None) or settings.get("dataset", "db")
    if getattr(args, "db", None):
        settings.set("dataset", "db", args.db)
    from ui.data import Preload

    # the store is opened and the data loaded in a thread while Qt is imported and the window built
    preload = Preload(url, settings.get("aqi", "standard"), settings.get("aqi", "convention"))
    from ui.app import application

    app = application(settings.get("language"))
    from ui.mainwindow import MainWindow

    win = MainWindow(None, settings, preload=preload)
    from ui.app import install_excepthook

    install_excepthook(win)
    win.open_at = when
    if os.environ.get("LANTIAN_EXIT_WHEN_READY"):  # benchmarks: quit after the first painted map with data
        _exit_when_ready(app, win)
    win.show()
    win.load_async()
    rc = app.exec()
    win.shutdown()
    return int(rc)


def _exit_when_ready(app, win) -> None:
    from PySide6.QtCore import QEvent, QObject, QTimer

    class FirstPaint(QObject):
        def eventFilter(self, obj, ev):
            if ev.type() == QEvent.Type.Paint and win.state.data is not None:
                obj.removeEventFilter(self)
                QTimer.singleShot(0, lambda: (print("READY", flush=True), app.quit()))
            return False

    win._ready_filter = FirstPaint(win)
    win.map.installEventFilter(win._ready_filter)


def render_shot(out: str, when=None, size=(1600, 1000), language: str = "zh", select: str | None = None,
                store=None, raise_panels: list[str] | None = None, weather: str | None = None,
                weather_utc: bool = False) -> str:
    """Render the console at ``when`` offscreen into ``out`` (PNG); returns the path."""
    from ui.app import application
    from ui.settings import Settings

    settings = Settings()
    settings.read_only = True  # a screenshot never changes the user's settings
    settings.doc["window"] = {"geometry": "", "state": ""}
    application(language, force_offscreen=True)
    from PySide6.QtWidgets import QApplication

    from ui.mainwindow import MainWindow

    store = store or _store(argparse.Namespace(db=None), settings)
    win = MainWindow(store, settings)
    win.state.set_language(language)
    win.retranslate()
    win.resize(*size)
    win.default_layout()
    win.load_sync()
    d = win.state.data
    if when is not None:
        win.state.set_time(when)
    if select:
        win.state.select(select)
    else:
        col = d.aqi[:, win.state.index]
        import numpy as np

        if np.isfinite(col).any():
            win.state.select(d.codes[int(np.nanargmax(col))])
    win.show()
    QApplication.processEvents()
    win.default_layout()  # dock sizes need a laid-out, visible window
    win.timeseries.zoom_around_clock(3.5)
    if raise_panels:
        win.command.raise_panels(raise_panels)
    for _ in range(3):
        QApplication.processEvents()
    win.command.settle()  # lazily built panels: let their first refresh/worker finish
    for _ in range(3):
        QApplication.processEvents()
    if weather:
        _load_weather(win, weather, weather_utc)
    img = win.grab()
    if img.width() != size[0] or img.height() != size[1]:
        img = img.scaled(size[0], size[1])
    from console.atomic import atomic_path

    with atomic_path(out) as tmp:
        if not img.save(str(tmp), "PNG"):
            from console.errors import LantianError

            raise LantianError(f"{out}: could not write the PNG")
    umask = os.umask(0)
    os.umask(umask)
    os.chmod(out, 0o666 & ~umask)  # a normal file, not the temp file's private 0600
    win.shutdown()
    win.close()
    win.deleteLater()
    QApplication.processEvents()
    return out


def _load_weather(win, path: str, utc: bool) -> None:
    """Load a weather forecast into the forecast panel and wait for the forecast issued with it."""
    from PySide6.QtWidgets import QApplication

    if win.command.forecast_dock is None or win.command.forecast_dock.panel is None:
        win.command.raise_panels(["forecast"])
        win.command.settle()
    panel = win.command.forecast_dock.panel
    panel.load_weather_file(path, utc)
    for _ in range(3):   # the load, then the forecast it starts
        panel.wait_idle(60_000)
        QApplication.processEvents()
    win.command.settle()


def run_shot(args) -> int:
    """``lantian shot``: the screenshot contract (works with no display)."""
    size = _parse_size(args.size)
    when = _parse_time(args.time)
    from ui.app import headless

    if headless():
        os.environ["QT_QPA_PLATFORM"] = "offscreen"
    from ui.settings import Settings

    store = _store(args, Settings())
    panels = [p.strip() for p in (args.raise_panels or "").split(",") if p.strip()]
    if args.weather and "forecast" not in panels:
        panels.append("forecast")
    path = render_shot(args.out, when, size, args.language, args.select, store=store, raise_panels=panels,
                       weather=args.weather, weather_utc=args.weather_utc)
    print(path)
    return 0
