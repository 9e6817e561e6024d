"""The briefing panel previews pages off the GUI thread and exports the chosen format."""
from __future__ import annotations

from datetime import date

import pytest

pytest.importorskip("pytestqt")


@pytest.fixture(scope="module")
def repo(demo_repository):
    return demo_repository


def test_preview_then_export(qtbot, repo, tmp_path):
    from ui.panels.brief_panel import BriefPanel

    panel = BriefPanel(repo, day=date(2019, 1, 27))
    qtbot.addWidget(panel)
    panel.resize(900, 1000)
    panel.show()
    panel.set_request(kind="episode")
    with qtbot.waitSignal(panel.previewReady, timeout=60000) as sig:
        panel.preview_btn.click()
    n = sig.args[0]
    assert 2 <= n <= 12
    labels = panel.page_labels()
    assert len(labels) == n and all(not lab.pixmap().isNull() for lab in labels)
    assert labels[0].pixmap().height() > labels[0].pixmap().width()  # portrait A4 pages
    assert "重污染天气会商报告" in panel.status.text()
    assert panel.export_btn.isEnabled()
    qtbot.wait(50)
    panel.grab().save(str(tmp_path / "brief_panel.png"))
    out = tmp_path / "episode.docx"
    with qtbot.waitSignal(panel.exported, timeout=60000):
        panel.export_to(str(out))
    assert out.is_file() and out.stat().st_size > 10000
    pdf = tmp_path / "episode.pdf"  # the vector PDF is also written from the worker thread
    with qtbot.waitSignal(panel.exported, timeout=60000):
        panel.export_to(str(pdf))
    from pypdf import PdfReader

    assert len(PdfReader(str(pdf)).pages) == n
    panel.close()
    assert panel._thread is None


def test_error_is_shown_not_raised(qtbot, repo):
    from ui.panels.brief_panel import BriefPanel

    panel = BriefPanel(repo, day=date(2030, 1, 1))
    qtbot.addWidget(panel)
    with qtbot.waitSignal(panel.failed, timeout=60000) as sig:
        panel.preview()
    assert "2030-01-01" in sig.args[0]
    assert "2030-01-01" in panel.status.text()
    panel.close()


def test_default_day_is_the_last_day_with_data(qtbot, repo):
    from ui.panels.brief_panel import BriefPanel

    panel = BriefPanel(repo)
    qtbot.addWidget(panel)
    assert panel.params()["day"] == date(2019, 6, 30) and panel.params()["kind"] == "daily"
    panel.set_request(kind="assessment", cities="南宁市，柳州市", lang="en")
    assert panel.params() == {"kind": "assessment", "day": date(2019, 6, 30), "cities": ["南宁市", "柳州市"], "lang": "en"}


def test_missing_font_is_reported_in_the_panel(qtbot, repo, monkeypatch):
    from console import fonts
    from ui.panels.brief_panel import BriefPanel

    monkeypatch.setattr(fonts, "find_cjk_font_file", lambda: None)
    panel = BriefPanel(repo, day=date(2019, 1, 27))
    qtbot.addWidget(panel)
    with qtbot.waitSignal(panel.failed, timeout=5000) as sig:
        panel.preview()
    assert "no Chinese (CJK) font found" in sig.args[0] and panel.page_labels() == []


def test_panel_speaks_the_ui_language(qtbot, repo):
    """The form's words follow the UI language (switched live); the report's own language is a separate choice
    and the report type is read from item data, not from the words."""
    from ui import i18n
    from ui.panels.brief_panel import BriefPanel

    try:
        assert i18n.install("zh")
        panel = BriefPanel(repo, day=date(2019, 1, 27))
        qtbot.addWidget(panel)
        assert [panel.kind.itemText(i) for i in range(3)] == ["空气质量专报", "重污染天气会商报告", "过程评估报告"]
        assert (panel.preview_btn.text(), panel.cancel_btn.text(), panel.export_btn.text()) == ("预览", "取消", "导出…")
        assert panel.status.text() == "选择报告类型和日期后点击“预览”。"
        i18n.install("en")
        panel.retranslate()
        assert panel.kind.itemText(1) == "Episode consultation" and panel.preview_btn.text() == "Preview"
        assert panel.status.text() == "Choose the report type and day, then Preview."
        panel.set_request(kind="assessment", lang="zh")
        assert panel.params()["kind"] == "assessment" and panel.params()["lang"] == "zh"
        panel.close()
    finally:
        i18n.install("en")
