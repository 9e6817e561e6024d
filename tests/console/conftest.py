"""Fixtures of the console tests: a temporary store, users, and a throwaway PostgreSQL server."""
from __future__ import annotations

import glob
import os
import shutil
import socket
import subprocess
import tempfile
from pathlib import Path

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


# ------------------------------------------------------------------ PostgreSQL
def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _pg_bin() -> Path | None:
    for d in sorted(glob.glob("/usr/lib/postgresql/*/bin"), reverse=True):
        if Path(d, "initdb").exists() and Path(d, "pg_ctl").exists():
            return Path(d)
    found = shutil.which("initdb")
    return Path(found).parent if found else None


@pytest.fixture(scope="session")
def pg_url():
    """A throwaway PostgreSQL cluster on 127.0.0.1 (random port); skipped with the reason when none can start."""
    try:
        import psycopg2  # noqa: F401
    except ImportError:
        pytest.skip("psycopg2 is not installed (pip install psycopg2-binary)")
    bindir = _pg_bin()
    if bindir is None:
        pytest.skip("PostgreSQL server binaries (initdb, pg_ctl) not found; install the 'postgresql' package")
    as_root = os.geteuid() == 0
    base = Path(tempfile.mkdtemp(prefix="lantian-pg-"))
    data, sock = base / "data", base / "sock"
    sock.mkdir()
    prefix: list[str] = []
    if as_root:
        import pwd

        try:
            pw = pwd.getpwnam("postgres")
        except KeyError:
            pytest.skip("running as root and there is no 'postgres' system user to run the server")
        for p in (base, sock):
            os.chown(p, pw.pw_uid, pw.pw_gid)
        prefix = ["runuser", "-u", "postgres", "--"] if shutil.which("runuser") else []
        if not prefix:
            pytest.skip("running as root and 'runuser' is not available to start PostgreSQL as 'postgres'")
    port = _free_port()
    user = "postgres" if as_root else os.environ.get("USER", "lantian")

    def run(*cmd, timeout=60):
        return subprocess.run([*prefix, *cmd], capture_output=True, text=True, timeout=timeout)

    r = run(str(bindir / "initdb"), "-D", str(data), "-U", user, "-A", "trust", "-E", "UTF8", "--no-sync")
    if r.returncode != 0:
        pytest.skip(f"initdb failed: {r.stderr.strip()[:300]}")
    opts = f"-c listen_addresses=127.0.0.1 -p {port} -k {sock} -c fsync=off -c max_connections=50"
    r = run(str(bindir / "pg_ctl"), "-D", str(data), "-o", opts, "-l", str(base / "log"), "-w", "-t", "30", "start")
    if r.returncode != 0:
        log = (base / "log").read_text() if (base / "log").exists() else ""
        pytest.skip(f"PostgreSQL did not start: {r.stderr.strip()[:200]} {log[-300:]}")
    try:
        url = f"postgresql+psycopg2://{user}@127.0.0.1:{port}/postgres"
        yield url
    finally:
        run(str(bindir / "pg_ctl"), "-D", str(data), "-m", "immediate", "-w", "stop")
        shutil.rmtree(base, ignore_errors=True)


@pytest.fixture
def pg_db(pg_url):
    """A fresh database on the throwaway server for one test."""
    import uuid

    import sqlalchemy as sa

    name = f"t_{uuid.uuid4().hex[:10]}"
    eng = sa.create_engine(pg_url, isolation_level="AUTOCOMMIT")
    with eng.connect() as c:
        c.execute(sa.text(f"CREATE DATABASE {name}"))
    eng.dispose()
    yield pg_url.rsplit("/", 1)[0] + f"/{name}"
