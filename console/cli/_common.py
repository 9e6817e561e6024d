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


class ExitStatus:
    """The worst exit code seen so far (usage errors outrank rejected rows)."""

    def __init__(self) -> None:
        self.code = 0

    def worst(self, code: int) -> None:
        """Keep the more severe of the current and ``code``."""
        self.code = max(self.code, code)


def read_each(paths, fmt: str, mapping, status: ExitStatus):
    """Yield ``(path, ReadResult)`` for every readable input; unreadable ones are reported (exit 2)."""
    from console.ingest import read_file
    from console.errors import InputError

    for path in paths:
        try:
            yield path, read_file(path, format=fmt, mapping=mapping)
        except InputError as exc:
            print(f"lantian: error: {exc}", file=sys.stderr)
            status.worst(2)
