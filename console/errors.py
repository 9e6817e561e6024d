"""Errors the user can read: each names the file, line/field and reason (never a traceback)."""
from __future__ import annotations

from dataclasses import dataclass


class LantianError(Exception):
    """An error meant for the user; its text is shown as is by the CLI and the console."""


class InputError(LantianError):
    """A whole input file cannot be read (wrong format, unreadable, truncated …)."""

    def __init__(self, path: str, reason: str, line: int | None = None, field: str | None = None):
        self.path, self.reason, self.line, self.field = str(path), reason, line, field
        where = self.path
        if line is not None:
            where += f", line {line}"
        if field:
            where += f", column '{field}'"
        super().__init__(f"{where}: {reason}")


@dataclass(frozen=True)
class RowProblem:
    """One rejected or suspect value/row of an input file, kept in the ingest log."""

    path: str
    line: int | None
    field: str | None
    value: str | None
    reason: str
    severity: str = "rejected"  # rejected | warning

    def __str__(self) -> str:
        where = self.path
        if self.line is not None:
            where += f", line {self.line}"
        if self.field:
            where += f", column '{self.field}'"
        val = f" (value {self.value!r})" if self.value is not None else ""
        return f"{where}: {self.reason}{val}"
