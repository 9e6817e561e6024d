"""Process entry point of the ``lantian`` command: the core CLI plus the GUI subcommands."""
from __future__ import annotations

import sys
from typing import Sequence

from console.cli import main as core_main


def _register_gui(sub) -> None:
    from ui import commands  # no Qt import at module level there either

    commands.register(sub)


def main(argv: Sequence[str] | None = None) -> int:
    """``lantian`` with no command opens the console on the built-in demo."""
    return core_main(argv if argv is not None else sys.argv[1:], extra=[_register_gui], default="console")


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
