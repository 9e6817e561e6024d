"""Shared test fixtures: an isolated data directory, paths to fixtures and to ../shared/data."""
from __future__ import annotations

import os
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "tests" / "data"
SHARED = ROOT.parent / "shared" / "data"

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from console.qtcompat import protect_none  # noqa: E402

protect_none()  # before any Qt call: PySide6 6.12 on Python 3.11 drops a None reference per void call


@pytest.fixture(scope="session", autouse=True)
def _qapplication_first(qapp):
    """Create the QApplication before any test: a QGuiApplication made first by a headless (report/map)
    test would make every later widget test abort."""
    return qapp


@pytest.fixture(autouse=True)
def isolated_home(tmp_path_factory, monkeypatch):
    """Every test gets its own Lantian data directory (never the user's real store)."""
    home = tmp_path_factory.mktemp("lantian_home")
    monkeypatch.setenv("LANTIAN_HOME", str(home))
    monkeypatch.delenv("LANTIAN_DB", raising=False)
    return home


@pytest.fixture
def shared_data() -> Path:
    """../shared/data, or skip when the repository is a fresh clone without it."""
    if not SHARED.is_dir():
        pytest.skip("needs ../shared/data (real CNEMC/EPA/UCI sets); absent in a fresh clone")
    return SHARED


@pytest.fixture
def sqlite_url(tmp_path) -> str:
    """URL of a fresh SQLite database file."""
    return f"sqlite:///{tmp_path / 'test.db'}"


@pytest.fixture(scope="session")
def pg_server():
    """A real throwaway PostgreSQL server for the session (skipped with the reason if impossible)."""
    from tests.support.postgres import start_postgres

    server = start_postgres()
    if isinstance(server, str):
        pytest.skip(f"no PostgreSQL server: {server}")
    yield server
    server.stop()


@pytest.fixture
def pg_url(pg_server, request) -> str:
    """A fresh database on the throwaway server."""
    import re

    name = "t_" + re.sub(r"\W", "_", request.node.name.lower())[:50]
    return pg_server.create_database(name)


@pytest.fixture
def pg_db(pg_url) -> str:
    """Alias of :func:`pg_url` used by the command tests."""
    return pg_url


@pytest.fixture(scope="session")
def demo_repository(tmp_path_factory):
    """A store holding the built-in demo, shared read-only by the tests that only read it."""
    from console.demo import load_demo
    from console.store import Store
    from console.store.repository import Repository

    store = Store(f"sqlite:///{tmp_path_factory.mktemp('demo_store') / 'demo.db'}")
    load_demo(store)
    return Repository(store)
