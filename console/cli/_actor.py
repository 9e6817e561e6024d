"""Who is acting on the command line: ``--user NAME`` with the password from $LANTIAN_PASSWORD or a prompt."""
from __future__ import annotations

import getpass
import os

from console.command.users import Actor, authenticate
from console.errors import LantianError
from console.store.db import Store


def add_user_args(p) -> None:
    """--user (env LANTIAN_USER)."""
    p.add_argument("--user", default=os.environ.get("LANTIAN_USER"),
                   help="acting user (env LANTIAN_USER); password from $LANTIAN_PASSWORD or prompted")


def actor(store: Store, args) -> Actor:
    """Authenticate the acting user."""
    if not args.user:
        raise LantianError("this decision needs --user NAME (or $LANTIAN_USER)")
    pw = os.environ.get("LANTIAN_PASSWORD")
    if pw is None:
        pw = getpass.getpass(f"password for {args.user}: ")
    return authenticate(store, args.user, pw)
