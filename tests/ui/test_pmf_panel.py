"""PMF console panel, headless: load, run in a worker, show profiles, rename, export; no leaked threads."""
import json
from pathlib import Path

import pytest

pytest.importorskip("pytestqt")

from ui.panels.pmf_panel import PMFPanel  # noqa: E402

DATA = Path(__file__).resolve().parents[1] / "data" / "pmf"


@pytest.fixture
def panel(qtbot):
    from ui import i18n

    i18n.install("en")  # messages are checked in English (an earlier test may have left Chinese installed)
    w = PMFPanel()
    qtbot.addWidget(w)
    yield w
    w.shutdown()
    assert not w.is_running()


def test_panel_runs_and_shows_profiles(panel, qtbot, tmp_path):
    assert panel.load_files(DATA / "small_con.csv", DATA / "small_unc.csv", total="PM25")
    assert panel.species_table.rowCount() == 8
    panel.factors_spin.setValue(3)
    panel.starts_spin.setValue(3)
    panel.bs_spin.setValue(5)
    panel.workers_spin.setValue(1)
    with qtbot.waitSignal(panel.resultReady, timeout=60000):
        assert panel.start_run()
        assert panel.is_running()
    qtbot.waitUntil(lambda: not panel.is_running(), timeout=10000)
    r = panel.result
    assert r is not None and r.factors == 3 and r.bootstrap is not None
    assert panel.factor_combo.count() == 3
    bars = [i for i in panel.mass_plot.getPlotItem().items if type(i).__name__ == "BarGraphItem"]
    assert bars, "profile bars not drawn"
    assert "Q(true)" in panel.status.text()
    panel.rename_factor(0, "Traffic")
    panel._update_pie()
    files = panel.export_to(tmp_path)
    assert any(f.name == "summary.json" for f in files)
    assert json.loads((tmp_path / "summary.json").read_text())["factor_names"][0] == "Traffic"
    rows = panel.period_rows()
    assert 0 < rows.size <= 60


def test_panel_bad_input_message(panel, tmp_path):
    bad = tmp_path / "u.csv"
    bad.write_text((DATA / "small_unc.csv").read_text().replace("NO3", "Nitrate", 1))
    assert not panel.load_files(DATA / "small_con.csv", bad)
    assert "u.csv" in panel.status.text() and "Nitrate" in panel.status.text()
    assert not panel.start_run()


def test_panel_cancel_and_scan(panel, qtbot):
    assert panel.load_files(DATA / "small_con.csv", DATA / "small_unc.csv")
    panel.workers_spin.setValue(1)
    panel.starts_spin.setValue(200)
    panel.factors_spin.setValue(3)
    panel.start_run()
    panel.cancel()
    qtbot.waitUntil(lambda: not panel.is_running(), timeout=30000)
    assert "cancel" in panel.status.text()
    panel.starts_spin.setValue(2)
    panel.start_scan()
    qtbot.waitUntil(lambda: not panel.is_running(), timeout=60000)
    assert [r["factors"] for r in panel.scan_rows] == [2, 3, 4, 5, 6]


def test_panel_speaks_chinese_and_keeps_its_logic(qtbot):
    """In the Chinese UI the panel's texts are Chinese; category and total choices still act on their codes."""
    from ui import i18n

    i18n.install("zh")
    try:
        w = PMFPanel()
        qtbot.addWidget(w)
        assert w.run_btn.text() == "运行" and w.tabs.tabText(2) == "源谱" and w.total_combo.itemText(0) == "（无）"
        assert w.status.text() == "请载入浓度文件及其不确定度文件"
        assert w.load_files(DATA / "small_con.csv", DATA / "small_unc.csv")
        assert "已载入" in w.status.text()
        box = w.species_table.cellWidget(0, 3)
        assert [box.itemText(i) for i in range(3)] == ["强", "弱", "剔除"]
        species = w.species_table.item(0, 0).text()
        box.setCurrentIndex(2)
        assert w.data.categories[w.data.species.index(species)] == "bad"
        w.shutdown()
    finally:
        i18n.install("en")
