"""Long work off the GUI thread: a QRunnable with progress, cancel and readable errors (Orange3-style).

``Task(fn)`` runs ``fn(progress, cancelled)`` in the global QThreadPool; ``progress(pct, text)`` and
``cancelled()`` are callables the function uses cooperatively.  Results and errors come back on the GUI
thread as signals; a LantianError's text is shown as is, anything else as one readable line.
"""
from __future__ import annotations

import threading
import traceback
from typing import Any, Callable

from PySide6.QtCore import QObject, QRunnable, QThreadPool, Signal, Slot

from console.errors import LantianError
from ui.data import Cancelled


def readable(exc: BaseException) -> str:
    """One line a user can read (no traceback)."""
    if isinstance(exc, LantianError):
        return str(exc)
    return f"{exc.__class__.__name__}: {exc}" if str(exc) else exc.__class__.__name__


class TaskSignals(QObject):
    progress = Signal(int, str)
    finished = Signal(object)
    failed = Signal(str)
    cancelled = Signal()
    done = Signal()  # always last, whatever the outcome


class Task(QRunnable):
    """One cancellable job for the thread pool."""

    def __init__(self, fn: Callable[..., Any]):
        super().__init__()
        self.setAutoDelete(False)  # we keep a reference until ``done``
        self.fn = fn
        self.signals = TaskSignals()
        self._cancel = threading.Event()
        self._finished = threading.Event()

    def cancel(self) -> None:
        self._cancel.set()

    def is_cancelled(self) -> bool:
        return self._cancel.is_set()

    def wait(self, timeout: float | None = None) -> bool:
        """Block until the job ended (for shutdown and tests)."""
        return self._finished.wait(timeout)

    @Slot()
    def run(self) -> None:
        try:
            result = self.fn(lambda pct, text="": self.signals.progress.emit(int(pct), str(text)), self.is_cancelled)
        except Cancelled:
            self.signals.cancelled.emit()
        except Exception as exc:  # noqa: BLE001 - becomes a readable message
            self._log(exc)
            self.signals.failed.emit(readable(exc))
        else:
            if self.is_cancelled():
                self.signals.cancelled.emit()
            else:
                self.signals.finished.emit(result)
        finally:
            self._finished.set()
            self.signals.done.emit()

    @staticmethod
    def _log(exc: BaseException) -> None:
        if isinstance(exc, LantianError):
            return
        try:
            from console.store.db import data_dir

            with open(data_dir() / "lantian-errors.log", "a", encoding="utf-8") as fh:
                fh.write("".join(traceback.format_exception(exc)))
        except OSError:
            pass


def start(task: Task, pool: QThreadPool | None = None) -> Task:
    """Queue ``task`` on the (global) thread pool and return it."""
    (pool or QThreadPool.globalInstance()).start(task)
    return task
