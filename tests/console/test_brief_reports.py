"""Briefing reports end to end on the demo store: Chinese text really in PDF/DOCX/HTML, charts and map present."""
from __future__ import annotations

import re
import shutil
import subprocess
from datetime import date
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

# a QApplication from pytest-qt first: a bare QGuiApplication made by the core would stop later widget tests
pytestmark = pytest.mark.usefixtures("qapp")

pytest.importorskip("pypdf")
pytest.importorskip("docx")

from console.reports import make_report
from console.reports import providers as prov

CITIES = ("南宁市", "柳州市", "桂林市", "来宾市")


@pytest.fixture(scope="module", autouse=True)
def isolated_providers():
    """Run discovery now, then start from an empty registry (real providers from other packages are
    restored afterwards), so these tests see exactly the providers they register."""
    prov.discover()
    saved = dict(prov._registry)
    prov._registry.clear()
    yield
    prov._registry.clear()
    prov._registry.update(saved)


@pytest.fixture(scope="module")
def repo(demo_repository):
    return demo_repository


def _pdf_text(path: Path) -> tuple[str, object]:
    from pypdf import PdfReader

    r = PdfReader(str(path))
    text = "\n".join(p.extract_text() for p in r.pages)
    return re.sub(r"[\t ]+", " ", text), r  # pypdf separates runs by tabs


def _docx_text(path: Path) -> tuple[str, object]:
    import docx

    d = docx.Document(str(path))
    parts = [p.text for p in d.paragraphs]
    for t in d.tables:
        for row in t.rows:
            parts.extend(c.text for c in row.cells)
    return "\n".join(parts), d


@pytest.fixture(scope="module")
def episode_plain(repo, tmp_path_factory):
    """Episode report with no providers registered."""
    out = tmp_path_factory.mktemp("ep")
    res = make_report(repo, "episode", date(2019, 1, 27), [out / "ep.pdf", out / "ep.docx", out / "ep.html"])
    return res, out


def test_pdf_has_chinese_text_map_and_charts(episode_plain):
    res, out = episode_plain
    text, reader = _pdf_text(out / "ep.pdf")
    assert 2 <= res.pages <= 12 and len(reader.pages) == res.pages
    for s in ("重污染天气会商报告", "污染形势", "空气质量", "首要污染物", "签发", "审核", "拟稿", "第 1 页"):
        assert s in text, s
    for c in CITIES:
        assert c in text, c
    # no Kangxi-radical look-alikes (⽓ for 气) and no unmapped glyphs
    assert not re.search("[\u2e80-\u2fdf]", text)
    assert "2019年1月27日" in text
    # the embedded font is a CJK font
    fonts = {str(f.get_object()["/BaseFont"]) for p in reader.pages for f in p["/Resources"]["/Font"].values()}
    assert any("CJK" in f or "Hei" in f or "Song" in f for f in fonts), fonts
    # vector drawing: the map page and chart page carry many path operators and no raster images
    ops = [len(re.findall(rb"\b(?:l|c|re)\n", p.get_contents().get_data())) for p in reader.pages]
    assert max(ops) > 2000, ops  # city polygons + time-series lines
    assert all("/XObject" not in p["/Resources"] or not p["/Resources"]["/XObject"] for p in reader.pages)
    # the map's city polygons are filled with the HJ 633 level colours (#FF7E00 light, #99004C heavy)
    page1 = reader.pages[0].get_contents().get_data()
    assert len(re.findall(rb"\n1 0\.494\d* 0 scn\n", page1)) >= 5
    assert re.search(rb"\n0\.6\d* 0 0\.298\d* scn\n", page1)


def test_absent_analyses_are_named(episode_plain):
    res, out = episode_plain
    assert set(res.absent) == {"forecast", "sources", "warnings", "measures"}
    text, _ = _pdf_text(out / "ep.pdf")
    assert "本报告未包含预报结果：系统中尚无预报模型。" in text.replace("\n", "")
    assert "本报告未包含来源解析结果" in text.replace("\n", "")
    html = (out / "ep.html").read_text(encoding="utf-8")
    assert "本报告未包含预警级别建议" in html and "本报告未包含管控措施建议" in html


def test_docx_text_fonts_and_pictures(episode_plain):
    from docx.oxml.ns import qn

    _, out = episode_plain
    text, d = _docx_text(out / "ep.docx")
    for s in ("重污染天气会商报告", "污染形势", "南宁市", "来宾市", "签发", "本报告未包含预报结果"):
        assert s in text, s
    runs = [r for p in d.paragraphs for r in p.runs if r.text.strip()]
    runs += [r for t in d.tables for row in t.rows for c in row.cells for p in c.paragraphs for r in p.runs if r.text.strip()]
    assert runs
    missing = [r.text for r in runs if r._r.rPr is None or r._r.rPr.rFonts is None or not r._r.rPr.rFonts.get(qn("w:eastAsia"))]
    assert not missing, missing[:5]
    assert d.styles["Normal"].element.rPr.rFonts.get(qn("w:eastAsia"))
    assert len(d.inline_shapes) >= 2  # map + hourly chart
    # level colours as cell shading
    xml = d.tables[0]._tbl.xml
    assert 'w:fill="FF7E00"' in xml or 'w:fill="FF0000"' in xml


def test_html_self_contained(episode_plain):
    _, out = episode_plain
    html = (out / "ep.html").read_text(encoding="utf-8")
    assert '<meta charset="utf-8">' in html and "重污染天气会商报告" in html and "南宁市" in html
    assert html.count("<svg ") >= 2 and 'data-kind="map"' in html  # map + hourly chart, vector
    assert html.count("<path") > 20 and "2019年1月27日城市日均" in html
    assert not re.search(r'(?:src|href)="(?:https?:)?//', html) and "<link" not in html  # nothing external


@pytest.mark.skipif(shutil.which("pdftotext") is None, reason="poppler-utils (pdftotext) not installed")
def test_poppler_extracts_the_chinese_text(episode_plain):
    _, out = episode_plain
    txt = subprocess.run(["pdftotext", str(out / "ep.pdf"), "-"], capture_output=True, text=True, check=True).stdout
    assert "空气质量" in txt and "南宁市" in txt and "重污染天气会商报告" in txt


# --------------------------------------------------------------------------- providers plugged in
def _fake_forecast(req: prov.ProviderRequest) -> prov.ForecastResult:
    t0 = pd.Timestamp(req.date) + pd.Timedelta(hours=24)
    times = pd.date_range(t0 + pd.Timedelta(hours=1), periods=72, freq="h")
    base = 150 + 40 * np.sin(np.arange(72) / 10)
    series = {c: prov.QuantileSeries(times, base * 0.7, base, base * 1.3) for c in req.cities[:3]}
    outlook = [prov.OutlookDay(c, (t0 + pd.Timedelta(days=k)).date(), 120, 180, 4, "PM2.5", 0.8)
               for c in req.cities for k in range(3)]
    return prov.ForecastResult("FAKE-QUANTILE-MODEL", t0, series, outlook, version="fake-1")


def _fake_sources(req):
    return prov.SourcesResult("PMF（测试）", [prov.SourceFactor("机动车", "Vehicles", 0.35),
                                           prov.SourceFactor("燃煤", "Coal", 0.25),
                                           prov.SourceFactor("扬尘", "Dust", 0.4)], version="pmf-test")


def _fake_warnings(req):
    return prov.WarningsResult("广西测试方案", "test-2024", [prov.WarningRow(req.cities[0], 2, 1, "预报AQI>200持续48小时")])


def _fake_measures(req):
    return prov.MeasuresResult("catalogue-test", [prov.Measure("", "工业", "C级企业停产（测试措施）", 2, "≥20%")])


@pytest.fixture(scope="module")
def episode_with_providers(repo, tmp_path_factory):
    for k, fn in (("forecast", _fake_forecast), ("sources", _fake_sources), ("warnings", _fake_warnings),
                  ("measures", _fake_measures)):
        prov.register_provider(k, fn)
    try:
        out = tmp_path_factory.mktemp("epp")
        res = make_report(repo, "episode", date(2019, 1, 27), [out / "ep.pdf", out / "ep.docx", out / "ep.html"])
    finally:
        for k in prov.KINDS:
            prov.unregister_provider(k)
    return res, out


def test_provider_content_appears(episode_with_providers, episode_plain):
    res, out = episode_with_providers
    assert res.absent == {}
    text, _ = _pdf_text(out / "ep.pdf")
    flat = text.replace("\n", "")
    for s in ("FAKE-QUANTILE-MODEL", "未来三天空气质量预报", "中度污染 120–180", "P10–P90", "机动车", "C级企业停产（测试措施）",
              "预报AQI>200持续48小时", "广西测试方案", "test-2024"):
        assert s in flat, s
    assert "本报告未包含" not in flat
    assert res.pages > episode_plain[0].pages  # fan charts, outlook, shares add pages
    dtext, d = _docx_text(out / "ep.docx")
    assert "FAKE-QUANTILE-MODEL" in dtext and "机动车" in dtext
    assert len(d.inline_shapes) >= 5  # map, hourly, 2 fan rows, shares
    html = (out / "ep.html").read_text(encoding="utf-8")
    assert 'data-key="fan0"' in html and 'data-key="sources"' in html


def test_broken_provider_is_reported_not_fatal(repo, tmp_path):
    def boom(req):
        raise RuntimeError("model file missing")

    prov.register_provider("forecast", boom)
    try:
        res = make_report(repo, "daily", date(2019, 1, 27), [tmp_path / "d.html"])
    finally:
        prov.unregister_provider("forecast")
    assert res.paths == [tmp_path / "d.html"]
    assert "model file missing" in res.absent["forecast"]
    assert "model file missing" in (tmp_path / "d.html").read_text(encoding="utf-8")


@pytest.mark.parametrize("kind", ["daily", "assessment"])
def test_other_report_types(repo, tmp_path, kind):
    res = make_report(repo, kind, date(2019, 1, 27), [tmp_path / "r.pdf"])
    text, _ = _pdf_text(tmp_path / "r.pdf")
    title = {"daily": "空气质量专报", "assessment": "重污染天气过程评估报告"}[kind]
    assert title in text and "南宁市" in text and 2 <= res.pages <= 12
    if kind == "assessment":
        assert "2019年1月19日" in text and "2019年1月30日" in text  # detected episode period


def test_english_and_city_filter(repo, tmp_path):
    res = make_report(repo, "daily", date(2019, 1, 27), [tmp_path / "r.docx", tmp_path / "r.pdf"], cities=["450100", "柳州"],
                      lang="en")
    text, _ = _docx_text(tmp_path / "r.docx")
    assert "Daily Air Quality Briefing" in text and "Nanning" in text and "Liuzhou" in text
    assert "Guilin" not in text
    ptext, _ = _pdf_text(tmp_path / "r.pdf")
    assert res.pages and res.absent.keys() == {"forecast", "warnings"}
    assert "Nanning" in ptext and "Page 1 of" in ptext


def test_user_template_override(repo, tmp_path, monkeypatch):
    import json
    from importlib import resources

    doc = json.loads(resources.files("resources.reports").joinpath("daily.json").read_text(encoding="utf-8"))
    doc["title"]["zh"] = "南宁市空气质量日报（用户模板）"
    doc["sections"] = [s for s in doc["sections"] if s["id"] in ("summary", "ranking", "provenance")]
    home = tmp_path / "home"
    (home / "templates").mkdir(parents=True)
    (home / "templates" / "daily.json").write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")
    monkeypatch.setenv("LANTIAN_HOME", str(home))
    res = make_report(repo, "daily", date(2019, 1, 27), [tmp_path / "r.html"])
    assert res.warnings == []
    html = (tmp_path / "r.html").read_text(encoding="utf-8")
    assert "南宁市空气质量日报（用户模板）" in html and "<svg" not in html  # no map/chart sections
    assert str(home / "templates" / "daily.json") in html  # provenance names the template used


@pytest.mark.skipif(shutil.which("pdftoppm") is None, reason="poppler-utils (pdftoppm) not installed")
def test_rendered_pages_show_masthead_and_map(episode_plain, tmp_path):
    """Rasterise the PDF like a viewer would: page 1 has the red masthead and the AQI-coloured map."""
    from PySide6.QtGui import QColor, QImage

    _, out = episode_plain
    subprocess.run(["pdftoppm", "-r", "40", "-png", str(out / "ep.pdf"), str(tmp_path / "p")], check=True)
    pages = sorted(tmp_path.glob("p-*.png"))
    assert len(pages) >= 2
    img = QImage(str(pages[0]))
    colours = {}
    for y in range(0, img.height(), 2):
        for x in range(0, img.width(), 2):
            c = QColor(img.pixel(x, y))
            colours[(c.red() // 32, c.green() // 32, c.blue() // 32)] = colours.get((c.red() // 32, c.green() // 32, c.blue() // 32), 0) + 1
    red = colours.get((6, 0, 0), 0)  # masthead title and rule (#C81010)
    orange = sum(v for k, v in colours.items() if k[0] == 7 and 3 <= k[1] <= 4 and k[2] == 0)  # 轻度污染 #FF7E00
    purple = sum(v for k, v in colours.items() if k[0] == 4 and k[1] == 0 and 1 <= k[2] <= 2)  # 重度污染 #99004C
    assert red > 30 and orange > 200 and purple > 50, (red, orange, purple)
    for p in pages:  # no blank pages
        im = QImage(str(p))
        dark = sum(1 for y in range(0, im.height(), 4) for x in range(0, im.width(), 4) if QColor(im.pixel(x, y)).lightness() < 128)
        assert dark > 50, p.name


def test_characters_missing_from_the_font_are_reported(repo, tmp_path, monkeypatch):
    import json
    from importlib import resources

    doc = json.loads(resources.files("resources.reports").joinpath("daily.json").read_text(encoding="utf-8"))
    doc["title"]["zh"] = "空气质量专报\U0001F600"
    (tmp_path / "templates").mkdir()
    (tmp_path / "templates" / "daily.json").write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")
    monkeypatch.setenv("LANTIAN_HOME", str(tmp_path))
    res = make_report(repo, "daily", date(2019, 1, 27), [tmp_path / "r.html"])
    assert len(res.warnings) == 1 and "\U0001F600" in res.warnings[0] and "LANTIAN_CJK_FONT" in res.warnings[0]


def test_discovery_imports_known_modules_and_skips_missing(tmp_path, monkeypatch):
    (tmp_path / "lantian_fake_sources_provider.py").write_text(
        "from console.reports.providers import register_provider, SourcesResult, SourceFactor\n"
        "register_provider('sources', lambda req: SourcesResult('fake', [SourceFactor('扬尘', 'Dust', 1.0)]))\n",
        encoding="utf-8")
    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.setattr(prov, "KNOWN_MODULES", ("no_such_module_anywhere", "lantian_fake_sources_provider"))
    monkeypatch.setattr(prov, "_discovered", False)
    try:
        req = prov.ProviderRequest("episode", date(2019, 1, 27), date(2019, 1, 19), date(2019, 1, 27), ("450100",))
        res, reason = prov.run_provider("sources", req)
        assert reason is None and res.factors[0].name_zh == "扬尘"
        assert prov.run_provider("forecast", req) == (None, "no_provider")
    finally:
        prov.unregister_provider("sources")
