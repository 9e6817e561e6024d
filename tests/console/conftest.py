"""Fixtures of the console tests: a temporary store and users (PostgreSQL: tests/conftest.py)."""
from __future__ import annotations

import pytest


@pytest.fixture
def home(tmp_path, monkeypatch):
    """LANTIAN_HOME in a temp dir (spool, overrides, default store)."""
    monkeypatch.setenv("LANTIAN_HOME", str(tmp_path / "home"))
    monkeypatch.delenv("LANTIAN_DB", raising=False)
    return tmp_path / "home"


@pytest.fixture
def store(home):
    from console.store.db import Store

    st = Store(f"sqlite:///{home / 'lantian.db'}")
    yield st
    st.close()


@pytest.fixture
def crew(store):
    """operator, analyst and commander users (password 'pw')."""
    from console.command.users import add_user

    return {r: add_user(store, f"{r}1", r, "pw") for r in ("operator", "analyst", "commander")}
