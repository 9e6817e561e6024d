"""Update resources/i18n/lantian_zh.ts from the ui/ sources and compile it to .qm with pyside6-lrelease.

    python packaging/translations.py            # extract + merge + compile
    python packaging/translations.py --check    # fail if a source string has no translation

Extraction uses the AST (``self.tr("…")``, ``t("…")`` where ``t = self.tr``, and the module-level
``tr("…")`` helpers), so strings split over lines or passed through aliases are found — pyside6-lupdate
misses those.  Existing translations in the .ts file are kept; new strings are added as unfinished.
The compiled .qm is committed, so a fresh machine needs no Qt tools.
"""
from __future__ import annotations

import ast
import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
TS = ROOT / "resources" / "i18n" / "lantian_zh.ts"
QM = TS.with_suffix(".qm")
#: module-level tr() helpers → their translation context
MODULE_CONTEXT = {"maplayers.py": "MapLayers", "mainwindow.py": "MainWindow", "warnings_panel.py": "WarningsPanel"}


def extract() -> dict[str, list[str]]:
    """context → source strings (ordered, unique)."""
    out: dict[str, list[str]] = {}

    def add(ctx: str, text: str) -> None:
        lst = out.setdefault(ctx, [])
        if text not in lst:
            lst.append(text)

    for path in sorted((ROOT / "ui").rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        default_ctx = MODULE_CONTEXT.get(path.name)

        def visit(node, ctx):
            if isinstance(node, ast.ClassDef):
                ctx = node.name
            if isinstance(node, ast.Call) and node.args and isinstance(node.args[0], ast.Constant) \
                    and isinstance(node.args[0].value, str):
                f = node.func
                if isinstance(f, ast.Attribute) and f.attr == "tr" and ctx:
                    add(ctx, node.args[0].value)
                elif isinstance(f, ast.Name) and f.id == "tr" and (default_ctx or ctx):
                    add(default_ctx or ctx, node.args[0].value)  # the module's tr() helper
                elif isinstance(f, ast.Name) and f.id == "t" and ctx:
                    add(ctx, node.args[0].value)  # t = self.tr
            for child in ast.iter_child_nodes(node):
                visit(child, ctx)

        visit(tree, None)
    return out


def read_ts(path: Path) -> dict[tuple[str, str], str]:
    if not path.exists():
        return {}
    known = {}
    for ctx in ET.parse(path).getroot().iter("context"):
        name = ctx.findtext("name")
        for msg in ctx.iter("message"):
            tr = msg.find("translation")
            if tr is not None and tr.text and tr.get("type") != "unfinished":
                known[(name, msg.findtext("source"))] = tr.text
    return known


def write_ts(path: Path, strings: dict[str, list[str]], known: dict[tuple[str, str], str]) -> list[str]:
    """Write the .ts file; returns the strings still untranslated."""
    root = ET.Element("TS", version="2.1", language="zh_CN", sourcelanguage="en")
    missing = []
    for ctx in sorted(strings):
        c = ET.SubElement(root, "context")
        ET.SubElement(c, "name").text = ctx
        for s in strings[ctx]:
            m = ET.SubElement(c, "message")
            ET.SubElement(m, "source").text = s
            t = ET.SubElement(m, "translation")
            if (ctx, s) in known:
                t.text = known[(ctx, s)]
            else:
                t.set("type", "unfinished")
                missing.append(f"{ctx}: {s}")
    ET.indent(root)
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "w", encoding="utf-8") as fh:
        fh.write('<?xml version="1.0" encoding="utf-8"?>\n<!DOCTYPE TS>\n')
        fh.write(ET.tostring(root, encoding="unicode"))
        fh.write("\n")
    return missing


def lrelease() -> str:
    """The lrelease shipped with PySide6-Essentials (pyside6-lrelease or the binary in the package)."""
    exe = shutil.which("pyside6-lrelease")
    if exe:
        return exe
    import PySide6

    cand = Path(PySide6.__file__).parent / "lrelease"
    if cand.exists():
        return str(cand)
    raise SystemExit("lrelease not found (install PySide6-Essentials)")


def main(argv: list[str]) -> int:
    strings = extract()
    missing = write_ts(TS, strings, read_ts(TS))
    if missing:
        print(f"{len(missing)} untranslated:", *missing, sep="\n  ")
        if "--check" in argv:
            return 1
    subprocess.run([lrelease(), str(TS), "-qm", str(QM)], check=True, capture_output=True)
    print(f"wrote {TS.relative_to(ROOT)} and {QM.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
