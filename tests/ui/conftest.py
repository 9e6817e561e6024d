"""Fixtures for the console tests: offscreen Qt, one demo store per session, isolated settings, and a
check that fails a test which leaves a QTimer or QThread running (as napari does)."""
from __future__ import annotations

import os
import weakref

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import pytest  # noqa: E402

from console.qtcompat import protect_none  # noqa: E402

protect_none()  # before any Qt call: PySide6 6.12 on Python 3.11 drops a None reference per void call


@pytest.fixture(scope="session")
def demo_store(tmp_path_factory):
    """The full built-in demo in a temporary SQLite store (loads in ~2 s, shared by the session)."""
    from console import demo
    from console.store.db import Store

    home = tmp_path_factory.mktemp("store")
    store = Store(f"sqlite:///{home / 'demo.db'}")
    demo.ensure_demo(store)
    yield store
    store.close()


@pytest.fixture(scope="session")
def demo_data(demo_store):
    from ui.data import load_console_data

    return load_console_data(demo_store, ensure_demo=False)


@pytest.fixture(autouse=True)
def lantian_home(tmp_path, monkeypatch):
    """Settings and logs of each test go to its own temp dir."""
    monkeypatch.setenv("LANTIAN_HOME", str(tmp_path))
    return tmp_path


@pytest.fixture(autouse=True)
def no_leaked_timers_or_threads(qapp, monkeypatch):
    """Fail the test if a QTimer/QThread it started is still running, or pool work is still queued."""
    from PySide6.QtCore import QThread, QThreadPool, QTimer

    started: list[weakref.ref] = []
    orig_timer, orig_thread = QTimer.start, QThread.start

    def timer_start(self, *args):
        started.append(weakref.ref(self))
        return orig_timer(self, *args)

    def thread_start(self, *args):
        started.append(weakref.ref(self))
        return orig_thread(self, *args)

    monkeypatch.setattr(QTimer, "start", timer_start)
    monkeypatch.setattr(QThread, "start", thread_start)
    yield
    pool_idle = QThreadPool.globalInstance().waitForDone(5000)
    leaked = []
    for ref in started:
        obj = ref()
        if obj is None:
            continue
        try:
            running = obj.isActive() if isinstance(obj, QTimer) else obj.isRunning()
        except RuntimeError:  # C++ object already deleted
            continue
        if running:
            leaked.append(repr(obj))
    assert pool_idle, "thread-pool work still running after the test"
    assert not leaked, f"left running: {leaked}"


@pytest.fixture
def make_window(qtbot, demo_store, demo_data, lantian_home):
    """Build main windows on the demo store; closes them (timers, workers) at the end."""
    from ui.mainwindow import MainWindow
    from ui.settings import Settings

    made = []

    def make(load: str = "cached", language: str = "zh"):
        settings = Settings()
        settings.set("language", language)
        from ui import i18n

        i18n.install(language)
        win = MainWindow(demo_store, settings)
        qtbot.addWidget(win)
        made.append(win)
        if load == "cached":  # the session's snapshot (read-only), as the worker would deliver it
            win._loaded(demo_data)
        elif load == "sync":
            win.load_sync()
        elif load == "none":
            pass
        elif load == "async":
            win.load_async()
            qtbot.waitUntil(lambda: win.state.data is not None and win.task is None, timeout=15000)
        return win

    yield make
    for w in made:
        w.close()
