"""Users and roles (operator, analyst, commander, admin); every decision checks its role here.

Users live in the ``app_user`` table of the store — a local list on SQLite, the shared table on a
PostgreSQL server (the database login is the console's service account; the application role of
each person is the row's ``role``).  Passwords are hashed with PBKDF2-SHA256 (hashlib).
"""
from __future__ import annotations

import hashlib
import hmac
import os
from dataclasses import dataclass
from datetime import datetime, timezone

from sqlalchemy import select

from console.errors import LantianError
from console.store.command_schema import AppUser
from console.store.db import Store

ROLES = ("operator", "analyst", "commander", "admin")
#: permission → roles allowed
PERMISSIONS: dict[str, tuple[str, ...]] = {
    "alarm.ack": ("operator", "commander"),
    "alarm.shelve": ("operator", "commander"),
    "warning.propose": ("operator", "analyst", "commander"),
    "warning.approve": ("commander",),
    "handover.create": ("operator", "analyst", "commander"),
    "handover.sign": ("operator", "commander"),
    "measure.approve": ("commander",),
    "user.admin": ("admin",),
    "drill.run": ("operator", "analyst", "commander", "admin"),
}
ITERATIONS = 60_000


class PermissionDenied(LantianError):
    """An action was attempted without the role it needs."""


@dataclass(frozen=True)
class Actor:
    """An authenticated person acting in one role."""

    name: str
    role: str


def hash_password(password: str, salt: bytes | None = None) -> str:
    """``pbkdf2_sha256$iterations$salt$hash`` (hex)."""
    salt = salt or os.urandom(16)
    dk = hashlib.pbkdf2_hmac("sha256", password.encode(), salt, ITERATIONS)
    return f"pbkdf2_sha256${ITERATIONS}${salt.hex()}${dk.hex()}"


def check_password(password: str, stored: str) -> bool:
    """Constant-time check of a password against :func:`hash_password` output."""
    try:
        _, it, salt, want = stored.split("$")
        dk = hashlib.pbkdf2_hmac("sha256", password.encode(), bytes.fromhex(salt), int(it))
    except ValueError:
        return False
    return hmac.compare_digest(dk.hex(), want)


def require(actor: Actor, permission: str) -> None:
    """Raise :class:`PermissionDenied` naming the missing role unless ``actor`` may do ``permission``."""
    allowed = PERMISSIONS.get(permission)
    if allowed is None:
        raise LantianError(f"unknown permission '{permission}'")
    if actor.role not in allowed:
        raise PermissionDenied(f"{actor.name} ({actor.role}) may not {permission}: needs role "
                               f"{' or '.join(allowed)}")


def add_user(store: Store, name: str, role: str, password: str) -> Actor:
    """Create a user (names are unique)."""
    if role not in ROLES:
        raise LantianError(f"unknown role '{role}' (roles: {', '.join(ROLES)})")
    if not name.strip() or not password:
        raise LantianError("a user needs a name and a password")
    with store.session.begin() as s:
        if s.scalar(select(AppUser.id).where(AppUser.name == name)):
            raise LantianError(f"user '{name}' exists")
        s.add(AppUser(name=name, role=role, pw_hash=hash_password(password), active=1,
                      created_at=datetime.now(timezone.utc).replace(tzinfo=None)))
    return Actor(name, role)


def authenticate(store: Store, name: str, password: str) -> Actor:
    """The :class:`Actor` of a user whose password matches (clear error otherwise)."""
    with store.session() as s:
        u = s.scalar(select(AppUser).where(AppUser.name == name))
    if u is None or not u.active or not check_password(password, u.pw_hash):
        raise PermissionDenied(f"unknown user or wrong password for '{name}'")
    return Actor(u.name, u.role)


def list_users(store: Store) -> list[tuple[str, str, bool]]:
    """(name, role, active) of every user."""
    with store.session() as s:
        return [(u.name, u.role, bool(u.active)) for u in s.scalars(select(AppUser).order_by(AppUser.name))]
