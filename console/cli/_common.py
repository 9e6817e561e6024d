"""Helpers shared by the CLI commands."""
from __future__ import annotations

import sys
from typing import Iterable

from console.errors import RowProblem
from console.store.db import Store


def open_store(args) -> Store:
    """The store named by ``--db`` (or the default)."""
    return Store(getattr(args, "db", None))


def print_problems(problems: Iterable[RowProblem], limit: int = 20, stream=None) -> None:
    """Print the first ``limit`` row problems, then a count of the rest."""
    stream = stream or sys.stderr
    problems = list(problems)
    for p in problems[:limit]:
        print(f"  {p.severity}: {p}", file=stream)
    if len(problems) > limit:
        print(f"  … and {len(problems) - limit} more (see `lantian info --log`)", file=stream)
