"""Opening the store: SQLite in the user's data directory by default, PostgreSQL by URL; migrations."""
from __future__ import annotations

import os
from importlib import resources
from pathlib import Path

from sqlalchemy import Engine, create_engine, event, text
from sqlalchemy.orm import Session, sessionmaker

from console.errors import LantianError

ENV_URL = "LANTIAN_DB"
APP_NAME = "lantian"


def data_dir() -> Path:
    """The user's Lantian data directory (platformdirs), created on demand."""
    from platformdirs import user_data_dir

    d = Path(os.environ.get("LANTIAN_HOME") or user_data_dir(APP_NAME, appauthor=False))
    d.mkdir(parents=True, exist_ok=True)
    return d


def default_url() -> str:
    """``$LANTIAN_DB`` if set, else the embedded SQLite file in the user data directory."""
    return os.environ.get(ENV_URL) or f"sqlite:///{data_dir() / 'lantian.db'}"


def _sqlite_pragmas(dbapi_conn, _record) -> None:
    cur = dbapi_conn.cursor()
    cur.execute("PRAGMA journal_mode=WAL")      # readers never block the writer; crash-safe
    cur.execute("PRAGMA synchronous=FULL")      # a committed load survives power loss
    cur.execute("PRAGMA foreign_keys=ON")
    cur.execute("PRAGMA busy_timeout=10000")
    cur.close()


class Store:
    """A connection to one Lantian database (engine + session factory), migrated to the newest schema."""

    def __init__(self, url: str | None = None, migrate: bool = True):
        self.url = url or default_url()
        kwargs = {}
        if self.url.startswith("sqlite"):
            path = self.url.split("///", 1)[-1]
            if path and path != ":memory:":
                Path(path).parent.mkdir(parents=True, exist_ok=True)
            kwargs["connect_args"] = {"timeout": 30}
        try:
            self.engine: Engine = create_engine(self.url, future=True, **kwargs)
        except Exception as exc:  # bad URL, missing driver
            raise LantianError(f"cannot open database '{self.display_url}': {exc}") from None
        if self.engine.dialect.name == "sqlite":
            event.listen(self.engine, "connect", _sqlite_pragmas)
        self.session: sessionmaker[Session] = sessionmaker(self.engine, expire_on_commit=False)
        if migrate:
            self.migrate()

    @property
    def dialect(self) -> str:
        """'sqlite' or 'postgresql'."""
        return self.engine.dialect.name

    @property
    def display_url(self) -> str:
        """The URL with any password masked."""
        from sqlalchemy.engine import make_url

        try:
            return make_url(self.url).render_as_string(hide_password=True)
        except Exception:
            return self.url

    @staticmethod
    def _alembic_config():
        from alembic.config import Config

        cfg = Config()
        cfg.set_main_option("script_location", str(resources.files("console") / "migrations"))
        return cfg

    @classmethod
    def head_revision(cls) -> str:
        """The newest schema revision this version of Lantian knows."""
        from alembic.script import ScriptDirectory

        return ScriptDirectory.from_config(cls._alembic_config()).get_current_head()

    def migrate(self) -> None:
        """Bring the schema to the newest Alembic revision (creates a new database).

        A database already at the newest revision is recognised without importing Alembic (start-up).
        """
        if self._at_head():
            return
        from alembic import command

        cfg = self._alembic_config()
        try:
            with self.engine.begin() as conn:
                cfg.attributes["connection"] = conn
                command.upgrade(cfg, "head")
        except Exception as exc:
            raise LantianError(f"cannot open or migrate database '{self.display_url}': {exc}") from None

    def _at_head(self) -> bool:
        try:
            with self.engine.connect() as conn:
                current = conn.execute(text("SELECT version_num FROM alembic_version")).scalar()
        except Exception:  # no table yet: a new database
            return False
        return current is not None and current == script_head()

    def revision(self) -> str | None:
        """Current Alembic revision of the database."""
        with self.engine.connect() as conn:
            return conn.execute(text("SELECT version_num FROM alembic_version")).scalar()

    def get_meta(self, key: str) -> str | None:
        """A value of the key/value meta table."""
        from console.store.schema import Meta

        with self.session() as s:
            row = s.get(Meta, key)
            return row.value if row else None

    def set_meta(self, key: str, value: str) -> None:
        """Set a meta value (in its own transaction)."""
        from console.store.schema import Meta

        with self.session.begin() as s:
            s.merge(Meta(key=key, value=value))

    def close(self) -> None:
        """Release all connections."""
        self.engine.dispose()


def script_head() -> str | None:
    """Newest revision among console/migrations/versions (read from the files, no Alembic import)."""
    import re

    revs, downs = set(), set()
    for f in (resources.files("console") / "migrations" / "versions").iterdir():
        if not f.name.endswith(".py") or f.name.startswith("_"):
            continue
        src = f.read_text(encoding="utf-8")
        m = re.search(r"^revision\s*=\s*['\"]([^'\"]+)['\"]", src, re.M)
        d = re.search(r"^down_revision\s*=\s*['\"]([^'\"]+)['\"]", src, re.M)
        if m:
            revs.add(m.group(1))
        if d:
            downs.add(d.group(1))
    heads = revs - downs
    return heads.pop() if len(heads) == 1 else None


def open_store(url: str | None = None) -> Store:
    """Open (and migrate) the store at ``url`` or the default location."""
    return Store(url)
