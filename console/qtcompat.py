"""Work-arounds for the Qt binding on this stack.

PySide6 6.12 on CPython 3.11 returns ``None`` from many void methods (``QPainter.setPen``,
``fillRect``, ``drawLine`` …) without taking a reference, so every call lowers ``None``'s reference
count by one.  CPython ≥ 3.12 makes ``None`` immortal and never notices; on 3.11 a report or a busy
map repaints a few ten thousand times and the interpreter aborts with "Fatal Python error:
none_dealloc".  :func:`protect_none` gives ``None`` a reference count no program can exhaust — the
3.12 behaviour (``None`` is never freed anyway).
"""
from __future__ import annotations

import ctypes
import sys

_PAD = 1 << 40


def protect_none() -> None:
    """Make ``None`` effectively immortal on CPython < 3.12 (idempotent; a no-op elsewhere)."""
    if sys.implementation.name != "cpython" or sys.version_info >= (3, 12):
        return
    ref = ctypes.c_ssize_t.from_address(id(None))
    if ref.value < _PAD // 2:
        ref.value += _PAD
