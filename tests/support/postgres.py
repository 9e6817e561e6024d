"""A throwaway PostgreSQL server for tests (real server, loopback only), or a clear reason why not.

Finds initdb/pg_ctl of Debian's `postgresql` package, runs them as the `postgres` user when the tests
run as root, keeps data and socket in a temp directory and listens on a free 127.0.0.1 port.
"""
from __future__ import annotations

import glob
import os
import shutil
import socket
import subprocess
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path


@dataclass
class PgServer:
    """A running throwaway cluster."""

    port: int
    datadir: Path
    bindir: Path
    runas: list[str]

    @property
    def url(self) -> str:
        """SQLAlchemy URL of the default database."""
        return f"postgresql+psycopg2://postgres@127.0.0.1:{self.port}/postgres"

    def create_database(self, name: str) -> str:
        """Create a database and return its URL."""
        import psycopg2

        con = psycopg2.connect(host="127.0.0.1", port=self.port, user="postgres", dbname="postgres")
        con.autocommit = True
        with con.cursor() as cur:
            cur.execute(f'CREATE DATABASE "{name}"')
        con.close()
        return f"postgresql+psycopg2://postgres@127.0.0.1:{self.port}/{name}"

    def stop(self) -> None:
        """Stop the server and remove its files."""
        subprocess.run(self.runas + [str(self.bindir / "pg_ctl"), "-D", str(self.datadir), "-m", "immediate", "stop"],
                       capture_output=True, timeout=60)
        shutil.rmtree(self.datadir.parent, ignore_errors=True)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_postgres() -> PgServer | str:
    """Start a server; returns a PgServer or the reason none could be started."""
    try:
        import psycopg2  # noqa: F401
    except ImportError:
        return "psycopg2 is not installed"
    bins = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"))
    initdb = bins[-1] if bins else shutil.which("initdb")
    if not initdb:
        return "no PostgreSQL server binaries (initdb) found; install the Debian package `postgresql`"
    bindir = Path(initdb).parent
    runas: list[str] = []
    if os.geteuid() == 0:
        if not shutil.which("runuser"):
            return "running as root without runuser to switch to the postgres user"
        runas = ["runuser", "-u", "postgres", "--"]
    base = Path(tempfile.mkdtemp(prefix="lantian-pg-"))
    datadir = base / "data"
    if runas:
        shutil.chown(base, "postgres")
        os.chmod(base, 0o700)
    r = subprocess.run(runas + [str(bindir / "initdb"), "-D", str(datadir), "-U", "postgres", "--auth=trust",
                                "-E", "UTF8", "--locale=C"], capture_output=True, text=True, timeout=120)
    if r.returncode:
        shutil.rmtree(base, ignore_errors=True)
        return f"initdb failed: {r.stderr.strip()[:300]}"
    port = _free_port()
    opts = f"-c listen_addresses=127.0.0.1 -p {port} -k {base} -c fsync=off -c full_page_writes=off"
    r = subprocess.run(runas + [str(bindir / "pg_ctl"), "-D", str(datadir), "-o", opts, "-l", str(base / "log"),
                                "-w", "-t", "60", "start"], capture_output=True, text=True, timeout=90)
    if r.returncode:
        log = (base / "log").read_text(errors="replace")[-300:] if (base / "log").exists() else r.stderr
        shutil.rmtree(base, ignore_errors=True)
        return f"PostgreSQL did not start: {log.strip()}"
    server = PgServer(port, datadir, bindir, runas)
    for _ in range(50):
        try:
            import psycopg2

            psycopg2.connect(host="127.0.0.1", port=port, user="postgres", dbname="postgres").close()
            return server
        except Exception:
            time.sleep(0.2)
    server.stop()
    return "PostgreSQL started but does not accept connections"
