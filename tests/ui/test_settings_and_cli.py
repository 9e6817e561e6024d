"""Settings persistence and migration, the GUI subcommands, and the screenshot contract."""
from __future__ import annotations

import base64
import json
import os
import subprocess
import sys
from pathlib import Path


ROOT = Path(__file__).resolve().parents[2]


def test_settings_round_trip_restores_layout_and_choices(make_window, lantian_home, qtbot):
    win = make_window()
    win.show()
    qtbot.waitExposed(win)
    win.resize(720, 560)  # inside the offscreen screen (800×800), so restoreGeometry keeps it
    win.timeseries.set_variables(["AQI", "O3"])
    win.layers.set_visible("stations", False)
    win.state.set_aqi_settings("hj633-2026", "published")
    qtbot.waitUntil(lambda: win.task is None, timeout=15000)  # the AQI change reloads in a worker
    win.removeDockWidget(win.ts_dock)
    win.addDockWidget(Qt_left(), win.ts_dock)
    win.removeDockWidget(win.command.alarm_dock)  # a new command dock is restored like the others
    win.addDockWidget(Qt_top(), win.command.alarm_dock)
    win.command.alarm_dock.show()  # removeDockWidget hides it
    win.command.pmf_dock.hide()
    size = (win.width(), win.height())
    win.close()
    path = lantian_home / "console-settings.json"
    doc = json.loads(path.read_text(encoding="utf-8"))
    assert doc["version"] == 3
    assert doc["aqi"]["standard"] == "hj633-2026"
    assert doc["timeseries"]["variables"] == ["AQI", "O3"]
    assert doc["layers"]["stations"] is False
    assert base64.b64decode(doc["window"]["state"])
    win2 = make_window(load="none")
    assert win2.state.standard == "hj633-2026"
    assert win2.timeseries.variables == ["AQI", "O3"]
    assert win2.layers.get("stations").visible is False
    assert win2.dockWidgetArea(win2.ts_dock) == Qt_left()
    assert win2.dockWidgetArea(win2.command.alarm_dock) == Qt_top()
    assert win2.command.pmf_dock.isHidden() and not win2.command.alarm_dock.isHidden()
    assert (win2.width(), win2.height()) == size != (1440, 900)  # not the default size


def Qt_top():
    from PySide6.QtCore import Qt

    return Qt.DockWidgetArea.TopDockWidgetArea


def Qt_left():
    from PySide6.QtCore import Qt

    return Qt.DockWidgetArea.LeftDockWidgetArea


def test_settings_v1_file_is_migrated(lantian_home):
    from ui.settings import VERSION, Settings, settings_path

    geom = base64.b64encode(b"geometry-bytes").decode()
    settings_path().write_text(json.dumps({"version": 1, "geometry": geom, "dock_state": "c3RhdGU=",
                                           "db": "sqlite:////data/lantian.db", "lang": "en"}), encoding="utf-8")
    s = Settings()
    assert "dock layout reset" in s.problem  # v1 → v2 → v3: the layout predates the command docks
    assert s.get("version") == VERSION == 3
    assert s.get("window", "geometry") == geom and s.get("window", "state") == ""
    assert s.get("dataset", "db") == "sqlite:////data/lantian.db"
    assert s.get("language") == "en"
    assert s.get("aqi", "convention") == "standard"  # defaults filled in (the standard's rule)
    s.save()
    assert json.loads(settings_path().read_text(encoding="utf-8"))["version"] == 3


def test_unreadable_or_newer_settings_fall_back_to_defaults(lantian_home):
    from ui.settings import Settings, settings_path

    settings_path().write_text("{not json", encoding="utf-8")
    s = Settings()
    assert "settings ignored" in s.problem and s.get("language") == "auto"
    settings_path().write_text(json.dumps({"version": 99}), encoding="utf-8")
    s = Settings()
    assert "newer" in s.problem
    s.save()  # never overwrites a newer file
    assert json.loads(settings_path().read_text(encoding="utf-8")) == {"version": 99}


def test_gui_commands_are_registered_without_importing_qt():
    code = ("import sys; from console.cli import build_parser; from ui.entry import _register_gui; "
            "p = build_parser([_register_gui]); a = p.parse_args(['shot', '--out', 'x.png']); "
            "assert a.func.__name__ == 'run_shot'; assert p.parse_args(['console']).func.__name__ == 'run_console'; "
            "assert not [m for m in sys.modules if m.startswith('PySide6')], 'Qt imported'")
    subprocess.run([sys.executable, "-c", code], cwd=ROOT, check=True)


def test_shot_writes_png_of_requested_size(tmp_path, demo_store):
    out = tmp_path / "shot.png"
    env = {**os.environ, "LANTIAN_HOME": str(tmp_path)}
    env.pop("DISPLAY", None)
    env.pop("QT_QPA_PLATFORM", None)  # the command must pick offscreen itself
    url = demo_store.url
    proc = subprocess.run([sys.executable, "-m", "ui.entry", "--db", url, "shot", "--out", str(out),
                           "--time", "2019-01-10T08:00", "--size", "900x640"],
                          cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    from PySide6.QtGui import QImage

    img = QImage(str(out))
    assert (img.width(), img.height()) == (900, 640)
    # the settings of the user are not touched by a screenshot
    assert not (tmp_path / "console-settings.json").exists()


def test_shot_rejects_bad_input_with_a_readable_message(tmp_path, capsys):
    from ui.entry import main

    assert main(["shot", "--out", str(tmp_path / "x.png"), "--size", "big"]) == 2
    err = capsys.readouterr().err
    assert "WIDTHxHEIGHT" in err and "Traceback" not in err
    assert main(["shot", "--out", str(tmp_path / "x.png"), "--time", "yesterday-ish"]) == 2
    assert "ISO date" in capsys.readouterr().err
    assert not (tmp_path / "x.png").exists()


def test_console_command_first_start_loads_demo_and_shows_window(tmp_path):
    """`lantian console` on an empty store: the demo is loaded off the GUI thread and the map painted."""
    env = {**os.environ, "LANTIAN_HOME": str(tmp_path), "QT_QPA_PLATFORM": "offscreen", "LANTIAN_EXIT_WHEN_READY": "1"}
    proc = subprocess.run([sys.executable, "-m", "ui.entry"], cwd=ROOT, env=env, capture_output=True, text=True,
                          timeout=180)  # no command → console
    assert proc.returncode == 0, proc.stderr
    assert "READY" in proc.stdout
    assert (tmp_path / "lantian.db").exists()
    doc = json.loads((tmp_path / "console-settings.json").read_text(encoding="utf-8"))
    assert doc["version"] == 3 and doc["window"]["geometry"]


def test_last_database_is_remembered_and_open_at(make_window, demo_store, demo_data, lantian_home):
    import argparse

    import pandas as pd

    from ui.commands import _store
    from ui.settings import Settings

    s = Settings()
    store = _store(argparse.Namespace(db=demo_store.url), s)
    assert s.get("dataset", "db") == demo_store.url
    s.save()
    again = _store(argparse.Namespace(db=None), Settings())  # no --db: the remembered database
    assert again.url == demo_store.url
    store.close()
    again.close()
    win = make_window(load="none")
    win.open_at = pd.Timestamp("2019-03-05 14:00")
    win._loaded(demo_data)
    assert win.state.time() == pd.Timestamp("2019-03-05 14:00")
