"""Versioned rule tables shipped in ``resources/rules`` (standards as data, never as code)."""
from __future__ import annotations

import json
from functools import lru_cache
from importlib import resources
from typing import Any


@lru_cache(maxsize=None)
def load_rule_file(name: str) -> dict[str, Any]:
    """Return the parsed JSON rule table ``resources/rules/<name>`` (cached, read-only by convention)."""
    text = resources.files("resources.rules").joinpath(name).read_text(encoding="utf-8")
    return json.loads(text)
