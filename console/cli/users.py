"""``lantian users``: the local user list (roles operator, analyst, commander, admin)."""
from __future__ import annotations

import getpass
import os

from console.cli._common import open_store
from console.command import users as U
from console.errors import LantianError


def register(sub) -> None:
    p = sub.add_parser("users", help="list or add console users and their roles")
    s = p.add_subparsers(dest="users_cmd", metavar="ACTION")
    a = s.add_parser("add", help="add a user")
    a.add_argument("name")
    a.add_argument("--role", required=True, choices=U.ROLES)
    a.add_argument("--password-env", default="LANTIAN_NEW_PASSWORD",
                   help="environment variable holding the new password (else prompted)")
    a.set_defaults(func=_add)
    ls = s.add_parser("list", help="list users")
    ls.set_defaults(func=_list)
    p.set_defaults(func=_list)


def _add(args) -> int:
    pw = os.environ.get(args.password_env) or getpass.getpass(f"new password for {args.name}: ")
    if not pw:
        raise LantianError("empty password")
    U.add_user(open_store(args), args.name, args.role, pw)
    print(f"user {args.name} added with role {args.role}")
    return 0


def _list(args) -> int:
    for name, role, active in U.list_users(open_store(args)):
        print(f"{name:<20} {role:<10} {'active' if active else 'disabled'}")
    return 0
