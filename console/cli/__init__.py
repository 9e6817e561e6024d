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


def _module_names() -> list[str]:
    return sorted(i.name for i in pkgutil.iter_modules(__path__) if not i.name.startswith("_"))


def _discovered(only: str | None = None) -> list[Registrar]:
    regs = []
    for name in _module_names():
        if only is not None and name != only:
            continue
        mod = importlib.import_module(f"{__name__}.{name}")
        if hasattr(mod, "register"):
            regs.append(mod.register)
    return regs


def _command_of(argv: Sequence[str]) -> str | None:
    """The subcommand named in ``argv`` (first positional word), without parsing anything else."""
    skip = False
    for tok in argv:
        if skip:
            skip = False
            continue
        if tok == "--db":
            skip = True
            continue
        if tok.startswith("-"):
            if tok in ("-h", "--help"):
                return None
            continue
        return tok
    return None


def build_parser(extra: Iterable[Registrar] = (), command: str | None = None) -> argparse.ArgumentParser:
    """The full argument parser (discovered subcommands plus ``extra`` registrars)."""
    parser = argparse.ArgumentParser(
        prog="lantian",
        description="Lantian (蓝天) air-pollution episode console. Without a command, opens the console.",
    )
    parser.add_argument("--db", default=os.environ.get("LANTIAN_DB"),
                        help="database URL (default: SQLite in the user data directory; "
                             "postgresql://… for a shared server; env LANTIAN_DB)")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    # a named command imports only its own module (start-up time); help and unknown words load them all
    if command is not None and command in _module_names():
        regs = _discovered(only=command)
    elif command is not None and extra:
        regs = []
    else:
        regs = _discovered()
    for reg in [*regs, *extra]:
        reg(sub)
    if command is not None and command not in sub.choices:
        return build_parser(extra)
    return parser


def main(argv: Sequence[str] | None = None, extra: Iterable[Registrar] = (), default: str | None = None) -> int:
    """Run the CLI; returns the process exit code."""
    argv = list(sys.argv[1:] if argv is None else argv)
    command = _command_of(argv)
    if command is None and default is not None and not any(t in ("-h", "--help") for t in argv):
        argv, command = [*argv, default], default
    parser = build_parser(extra, command)
    args = parser.parse_args(argv)
    if args.command is None:
        parser.print_help()
        return EXIT_USAGE
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
