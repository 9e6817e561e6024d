"""``lantian brief`` from the command line: headless, clear errors, nothing written on failure."""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

# a QApplication from pytest-qt first: a bare QGuiApplication made by the core would stop later widget tests
pytestmark = pytest.mark.usefixtures("qapp")

ROOT = Path(__file__).resolve().parents[2]
CLI = "import sys; from console.cli import main; sys.exit(main())"


def _env(home: Path) -> dict:
    env = {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM", "LANTIAN_DB")}
    env["LANTIAN_HOME"] = str(home)
    return env


def test_headless_episode_pdf_on_empty_store(tmp_path):
    """No display, empty store: the demo is loaded and a PDF is written."""
    out = tmp_path / "ep.pdf"
    proc = subprocess.run([sys.executable, "-c", CLI, "brief", "episode", "--date", "2019-01-27", "--out", str(out),
                           "--city", "南宁市,柳州市", "--city", "450300"],
                          cwd=ROOT, env=_env(tmp_path / "home"), capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr
    assert out.is_file() and out.read_bytes()[:5] == b"%PDF-"
    assert "episode report for 2019-01-27" in proc.stdout and "pages" in proc.stdout
    assert "demo" in proc.stderr
    from pypdf import PdfReader

    text = "".join(p.extract_text() for p in PdfReader(str(out)).pages)
    assert "南宁市" in text and "桂林市" in text and "来宾市" not in text.split("附")[0].split("三、")[1]


def test_no_cjk_font_fails_clearly_and_writes_nothing(tmp_path, monkeypatch, capsys):
    from console import fonts
    from console.cli import main

    monkeypatch.setattr(fonts, "find_cjk_font_file", lambda: None)
    monkeypatch.setenv("LANTIAN_HOME", str(tmp_path / "home"))
    out = tmp_path / "r.pdf"
    code = main(["brief", "daily", "--date", "2019-01-27", "--out", str(out)])
    err = capsys.readouterr().err
    assert code == 2
    assert "no Chinese (CJK) font found" in err and "fonts-noto-cjk" in err
    assert not out.exists() and list(tmp_path.glob("*r.pdf*")) == []
    assert not (tmp_path / "home").exists()  # failed before touching the store


@pytest.mark.parametrize("args, message", [
    (["--date", "2019-13-01", "--out", "x.pdf"], "not a date"),
    (["--date", "2019-01-27", "--out", "x.txt"], "unknown report format"),
    (["--date", "2019-01-27", "--out", "x.pdf", "--city", "北京市"], "unknown city 北京市"),
    (["--date", "2030-01-01", "--out", "x.pdf"], "no valid daily observations for 2030-01-01"),
])
def test_bad_input_is_one_clear_line(tmp_path, monkeypatch, capsys, args, message):
    from console.cli import main

    monkeypatch.setenv("LANTIAN_HOME", str(tmp_path / "home"))
    monkeypatch.chdir(tmp_path)
    code = main(["brief", "daily", *args])
    err = capsys.readouterr().err
    assert code == 2 and message in err and "Traceback" not in err
    assert not (tmp_path / "x.pdf").exists()


def test_edit_template_copies_then_reports_use_it(tmp_path, monkeypatch, capsys):
    import json

    from console.cli import main
    from console.reports.templates import load_template

    monkeypatch.setenv("LANTIAN_HOME", str(tmp_path))
    assert main(["brief", "episode", "--edit-template"]) == 0
    path = tmp_path / "templates" / "episode.json"
    assert str(path) in capsys.readouterr().out and path.is_file()
    doc = json.loads(path.read_text(encoding="utf-8"))
    doc["issuer"]["zh"] = "南宁市重污染天气应急指挥部"
    path.write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")
    tpl = load_template("episode")
    assert tpl.issuer["zh"] == "南宁市重污染天气应急指挥部" and tpl.origin == str(path)
    path.write_text('{"schema": "lantian.report-template/1", "id": "episode"}', encoding="utf-8")
    assert main(["brief", "episode", "--edit-template"]) == 2
    assert "episode.json: report template lacks 'sections'" in capsys.readouterr().err


def test_date_and_out_required(tmp_path, monkeypatch, capsys):
    from console.cli import main

    monkeypatch.setenv("LANTIAN_HOME", str(tmp_path))
    assert main(["brief", "daily", "--out", "x.pdf"]) == 2
    assert "--date and --out are required" in capsys.readouterr().err


def test_db_option_after_the_subcommand(tmp_path, monkeypatch, capsys):
    from console.cli import build_parser

    args = build_parser().parse_args(["brief", "daily", "--date", "2019-01-27", "--out", "a.pdf", "--db", "sqlite:///x.db"])
    assert args.db == "sqlite:///x.db"
    args = build_parser().parse_args(["--db", "sqlite:///y.db", "brief", "daily", "--date", "2019-01-27", "--out", "a.pdf"])
    assert args.db == "sqlite:///y.db"
