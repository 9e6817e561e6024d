"""Report templates: versioned JSON (section order, titles, boilerplate with {placeholders}, issuer, approval).

Looked up in the user's override directories first — ``$LANTIAN_HOME/templates`` and
``platformdirs.user_config_dir("lantian")/templates`` — then in the shipped ``resources/reports``.
A template names the sections to show (known section ids, see :data:`SECTION_IDS`) in its order; the
texts are ``str.format`` strings over the report facts (unknown placeholders are left visible).
"""
from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path

from console.errors import LantianError

SCHEMA = "lantian.report-template/1"
SECTION_IDS = ("summary", "map", "ranking", "calendar", "timeseries", "period", "forecast", "sources", "warnings",
               "measures", "health", "assessment", "provenance")


@dataclass
class SectionSpec:
    """One section of a template."""

    id: str
    title: dict[str, str]
    text: dict[str, str] = field(default_factory=dict)


@dataclass
class Template:
    """A loaded report template."""

    id: str
    version: str
    origin: str  # "shipped" or the override file path
    title: dict[str, str]
    issuer: dict[str, str]
    sections: list[SectionSpec]
    approval: dict[str, list[str]]
    absent: dict[str, dict[str, str]]
    serial: dict[str, str]
    footer: dict[str, str]
    classification: dict[str, str]

    def t(self, key: str, lang: str) -> str:
        """A top-level localised string (title, issuer, footer …)."""
        d = getattr(self, key)
        return d.get(lang) or d.get("zh", "")


def override_dirs() -> list[Path]:
    """User template directories, most specific first."""
    out = []
    if os.environ.get("LANTIAN_HOME"):
        out.append(Path(os.environ["LANTIAN_HOME"]) / "templates")
    try:
        from platformdirs import user_config_dir

        out.append(Path(user_config_dir("lantian")) / "templates")
    except Exception:  # pragma: no cover - platformdirs is a dependency
        pass
    return out


def _parse(doc: dict, origin: str) -> Template:
    where = origin

    def need(d: dict, key: str, ctx: str):
        if key not in d:
            raise LantianError(f"{where}: report template lacks '{ctx}{key}'")
        return d[key]

    if doc.get("schema") != SCHEMA:
        raise LantianError(f"{where}: not a report template (schema must be '{SCHEMA}', found {doc.get('schema')!r})")
    secs = []
    for i, s in enumerate(need(doc, "sections", "")):
        sid = need(s, "id", f"sections[{i}].")
        if sid not in SECTION_IDS:
            raise LantianError(f"{where}: sections[{i}].id {sid!r} is unknown (known: {', '.join(SECTION_IDS)})")
        secs.append(SectionSpec(sid, dict(need(s, "title", f"sections[{i}]."),), dict(s.get("text", {}))))
    return Template(id=need(doc, "id", ""), version=str(need(doc, "version", "")), origin=origin,
                    title=need(doc, "title", ""), issuer=need(doc, "issuer", ""), sections=secs,
                    approval=doc.get("approval", {}), absent=doc.get("absent", {}), serial=doc.get("serial", {}),
                    footer=doc.get("footer", {}), classification=doc.get("classification", {}))


def load_template(kind: str, path: str | Path | None = None) -> Template:
    """The template of a report type (``daily``, ``episode``, ``assessment``) or from an explicit file."""
    if path is not None:
        files = [Path(path)]
    else:
        files = [d / f"{kind}.json" for d in override_dirs()]
    for f in files:
        if f.is_file():
            try:
                doc = json.loads(f.read_text(encoding="utf-8"))
            except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
                raise LantianError(f"{f}: cannot read report template: {exc}") from None
            return _parse(doc, str(f))
        if path is not None:
            raise LantianError(f"{f}: report template not found")
    ref = resources.files("resources.reports").joinpath(f"{kind}.json")
    if not ref.is_file():
        raise LantianError(f"no report template for {kind!r}")
    return _parse(json.loads(ref.read_text(encoding="utf-8")), "shipped")


class _Keep(dict):
    def __missing__(self, key):  # unknown placeholders stay visible so a template error is noticed
        return "{" + key + "}"


def fill(text: str, facts: dict) -> str:
    """Fill ``{placeholders}`` from the facts (unknown ones are left as they are)."""
    try:
        return text.format_map(_Keep(facts))
    except (ValueError, IndexError):
        return text
