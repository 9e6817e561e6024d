"""Work-arounds for bugs of the Qt binding on this stack.

PySide6 6.12.0 on CPython 3.11 drops one reference to ``None`` on every call of a C++ method that
returns void (``QPainter.setBrush``, ``save``, ``drawRect``, ``QWidget.update`` …; measured: −1 per
call).  Before Python 3.12 ``None`` is not immortal, so a busy GUI reaches refcount 0 within seconds to
minutes and the interpreter aborts with "Fatal Python error: none_dealloc" (the same was seen for
``True``/``False``: "bool_dealloc").  :func:`protect_none` raises the reference counts of these
singletons by 2**60 — what PEP 683 does for Python ≥ 3.12 — so they can never reach zero.
Over-counting them is harmless (they are never freed anyway).
"""
from __future__ import annotations

import ctypes
import sys

_BOOST = 1 << 60
_done = False


def protect_none() -> bool:
    """Make ``None`` effectively immortal on CPython < 3.12 (idempotent); True if applied now."""
    global _done
    if _done or sys.version_info >= (3, 12) or sys.implementation.name != "cpython":
        return False
    for singleton in (None, True, False, Ellipsis, NotImplemented):
        ctypes.c_ssize_t.from_address(id(singleton)).value += _BOOST  # ob_refcnt: first field of PyObject
    _done = True
    return True


def none_refcount() -> int:
    """``sys.getrefcount(None)`` (for tests)."""
    return sys.getrefcount(None)
