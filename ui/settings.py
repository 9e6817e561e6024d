"""Versioned console settings (JSON in the user config dir), written atomically, migrated on load.

Version history:
  1 — flat keys: ``geometry``, ``dock_state`` (base64), ``db``, ``lang``.
  2 — grouped: ``window{geometry,state}``, ``dataset{db,time,mode}``, ``language``, ``aqi{standard,convention}``,
      ``timeseries{variables,cities}``.
  3 — the window gained the command/analysis docks (alarms, warnings, timeline, sources, forecast, briefing)
      and the mode banner: the v2 dock layout is dropped (the new default layout is used; window geometry is
      kept); ``aqi.convention`` default is now ``standard`` (the rule as written) and ``aqi.convention_chosen``
      records an explicit menu choice; ``alarms{muted}``; ``user`` (last signed-in name, never a password).
      A v1/v2 file whose AQI settings were the old defaults (``auto`` + ``published``, written by every v2
      save whether chosen or not) moves to ``standard`` with a one-line notice; any other choice is kept.
  Later in v3 (no migration: defaults fill missing keys): ``warnings{basis}`` (model | persistence).
A file from a newer version is left alone (defaults are used and it is not overwritten).
"""
from __future__ import annotations

import copy
import json
import os
from pathlib import Path
from typing import Any

from console.atomic import atomic_write

VERSION = 3
FILE_NAME = "console-settings.json"
DEFAULTS: dict[str, Any] = {
    "version": VERSION,
    "window": {"geometry": "", "state": ""},
    "dataset": {"db": None, "time": None, "mode": "replay"},
    "language": "auto",  # auto = follow the system locale
    "aqi": {"standard": "auto", "convention": "standard", "convention_chosen": False},
    "timeseries": {"variables": ["AQI"], "cities": []},
    "layers": {},  # layer name → visible
    "alarms": {"muted": False},  # audible cue for new high-priority alarms
    "warnings": {"basis": None},  # what warning recommendations come from: model | persistence (None: the default)
    "user": None,  # last signed-in user name (the password is asked every time)
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
    notes: list[str] = []
    if version == 2:
        doc = copy.deepcopy(doc)
        window = dict(doc.get("window") or {})
        if window.get("state"):
            notes.append("dock layout reset: the console has new panels (View → Panels)")
        window["state"] = ""  # v2 layout knows none of the new docks
        doc["window"] = window
        aqi = dict(doc.get("aqi") or {})
        if aqi.get("convention", "published") == "published" and aqi.get("standard", "auto") == "auto":
            if "convention" in aqi or "aqi" not in doc:
                notes.append("AQI convention is now 'as written in the standard' (the new default); "
                             "'as published' stays selectable in the AQI menu")
            aqi.update(standard="auto", convention="standard", convention_chosen=False)
        else:
            aqi["convention_chosen"] = True  # a non-default choice was made in the AQI menu: keep it
        doc["aqi"] = aqi
        doc["version"] = 3
        version = 3
    out = _merge(DEFAULTS, doc)
    if notes:
        out["_migration_notes"] = notes
    return out


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
        doc = migrate(doc)
        notes = doc.pop("_migration_notes", None)
        if notes:
            self.problem = "Settings updated: " + "; ".join(notes)
        return doc

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
