"""The ``lantian`` command line.

Each module in this package that defines ``register(subparsers)`` contributes subcommands, so new
capabilities add a module instead of editing a central list.  Outer layers (the Qt console in ``ui``)
pass extra registrars to :func:`main`.

Exit codes scripts can trust: 0 success; 1 finished but some input rows were rejected (see the
ingest log); 2 usage error or unreadable input; 3 a check failed (e.g. audit verification);
130 interrupted.
"""
from __future__ import annotations

import argparse
import importlib
import os
import pkgutil
import sys
from typing import Callable, Iterable, Sequence

from console.errors import LantianError

EXIT_OK, EXIT_PARTIAL, EXIT_USAGE, EXIT_CHECK_FAILED, EXIT_INTERRUPTED = 0, 1, 2, 3, 130
Registrar = Callable[[argparse._SubParsersAction], None]


def _discovered() -> list[Registrar]:
    regs = []
    for info in sorted(pkgutil.iter_modules(__path__), key=lambda i: i.name):
        if info.name.startswith("_"):
            continue
        mod = importlib.import_module(f"{__name__}.{info.name}")
        if hasattr(mod, "register"):
            regs.append(mod.register)
    return regs


def build_parser(extra: Iterable[Registrar] = ()) -> argparse.ArgumentParser:
    """The full argument parser (discovered subcommands plus ``extra`` registrars)."""
    parser = argparse.ArgumentParser(
        prog="lantian",
        description="Lantian (蓝天) air-pollution episode console. Without a command, opens the console.",
    )
    parser.add_argument("--db", default=os.environ.get("LANTIAN_DB"),
                        help="database URL (default: SQLite in the user data directory; "
                             "postgresql://… for a shared server; env LANTIAN_DB)")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for reg in [*_discovered(), *extra]:
        reg(sub)
    return parser


def main(argv: Sequence[str] | None = None, extra: Iterable[Registrar] = (), default: str | None = None) -> int:
    """Run the CLI; returns the process exit code."""
    parser = build_parser(extra)
    args = parser.parse_args(argv)
    if args.command is None:
        if default is None:
            parser.print_help()
            return EXIT_USAGE
        args = parser.parse_args([*(argv or []), default])
    try:
        return int(args.func(args) or 0)
    except LantianError as exc:
        print(f"lantian: error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except KeyboardInterrupt:
        print("lantian: interrupted", file=sys.stderr)
        return EXIT_INTERRUPTED
    except Exception as exc:  # an unexpected failure: a readable line here, the traceback in the log file
        log = _log_traceback()
        print(f"lantian: internal error: {exc.__class__.__name__}: {exc} (details: {log})", file=sys.stderr)
        return EXIT_USAGE


def _log_traceback() -> str:
    """Append the current traceback to the crash log in the user data directory; return its path."""
    import traceback
    from datetime import datetime

    from console.store.db import data_dir

    path = data_dir() / "lantian-errors.log"
    with open(path, "a", encoding="utf-8") as fh:
        fh.write(f"--- {datetime.now().isoformat()}\n{traceback.format_exc()}\n")
    return str(path)


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
