"""Versioned console settings (JSON in the user config dir), written atomically, migrated on load.

Version history:
  1 — flat keys: ``geometry``, ``dock_state`` (base64), ``db``, ``lang``.
  2 — grouped: ``window{geometry,state}``, ``dataset{db,time,mode}``, ``language``, ``aqi{standard,convention}``,
      ``timeseries{variables,cities}``.
A file from a newer version is left alone (defaults are used and it is not overwritten).
"""
from __future__ import annotations

import copy
import json
import os
from pathlib import Path
from typing import Any

from console.atomic import atomic_write

VERSION = 2
FILE_NAME = "console-settings.json"
DEFAULTS: dict[str, Any] = {
    "version": VERSION,
    "window": {"geometry": "", "state": ""},
    "dataset": {"db": None, "time": None, "mode": "replay"},
    "language": "auto",  # auto = follow the system locale
    "aqi": {"standard": "auto", "convention": "published"},
    "timeseries": {"variables": ["AQI"], "cities": []},
    "layers": {},  # layer name → visible
}


def config_dir() -> Path:
    """``$LANTIAN_HOME`` (tests, portable installs) or the platform's user config dir."""
    home = os.environ.get("LANTIAN_HOME")
    if home:
        return Path(home)
    from platformdirs import user_config_dir

    return Path(user_config_dir("lantian"))


def settings_path() -> Path:
    return config_dir() / FILE_NAME


def _merge(base: dict, over: dict) -> dict:
    out = copy.deepcopy(base)
    for k, v in over.items():
        out[k] = _merge(out[k], v) if isinstance(v, dict) and isinstance(out.get(k), dict) else v
    return out


def migrate(doc: dict) -> dict:
    """Bring a settings document of any known older version up to :data:`VERSION`."""
    version = int(doc.get("version", 1))
    if version == 1:
        doc = {
            "version": 2,
            "window": {"geometry": doc.get("geometry", ""), "state": doc.get("dock_state", "")},
            "dataset": {"db": doc.get("db"), "time": None, "mode": "replay"},
            "language": {"zh": "zh", "en": "en"}.get(str(doc.get("lang", "auto")), "auto"),
        }
        version = 2
    return _merge(DEFAULTS, doc)


class Settings:
    """Load/save the settings document; unreadable files fall back to defaults with a message."""

    def __init__(self, path: Path | None = None):
        self.path = path or settings_path()
        self.problem: str | None = None
        self.read_only = False
        self.doc = self._load()

    def _load(self) -> dict:
        if not self.path.exists():
            return copy.deepcopy(DEFAULTS)
        try:
            doc = json.loads(self.path.read_text(encoding="utf-8"))
            if not isinstance(doc, dict):
                raise ValueError("not a JSON object")
        except (OSError, ValueError) as exc:
            self.problem = f"{self.path}: settings ignored ({exc})"
            return copy.deepcopy(DEFAULTS)
        if int(doc.get("version", 1)) > VERSION:
            self.problem = f"{self.path}: written by a newer Lantian (version {doc['version']}); using defaults"
            self.read_only = True
            return copy.deepcopy(DEFAULTS)
        return migrate(doc)

    def get(self, *keys: str, default=None):
        cur: Any = self.doc
        for k in keys:
            if not isinstance(cur, dict) or k not in cur:
                return default
            cur = cur[k]
        return cur

    def set(self, *keys_and_value) -> None:
        *keys, value = keys_and_value
        cur = self.doc
        for k in keys[:-1]:
            cur = cur.setdefault(k, {})
        cur[keys[-1]] = value

    def save(self) -> None:
        """Write atomically (never a half-written file)."""
        if self.read_only:
            return
        self.doc["version"] = VERSION
        with atomic_write(self.path, encoding="utf-8") as fh:
            json.dump(self.doc, fh, ensure_ascii=False, indent=2)
