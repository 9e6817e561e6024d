"""Console speed: start-up to an interactive window on the demo, and one replay tick updating all panels.

    LANTIAN_HOME=$(mktemp -d) QT_QPA_PLATFORM=offscreen python benchmarks/bench_console.py

Goals (issue): start-up ≤ 3 s (process start → window shown, data loaded, first map paint done);
one replay tick ≤ 50 ms (clock +1 h → map, ranking, time series, clock bar, status bar all repainted).
Side by side, the display anchor from docs/anchors.md: pyqtgraph repaint of 1e6 points with peak
downsampling + clip-to-view (≈ 3 ms on this kind of machine).
"""
from __future__ import annotations

import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

STARTUP_GOAL, TICK_GOAL = 3.0, 0.050

def _children_cpu() -> float:
    import resource

    r = resource.getrusage(resource.RUSAGE_CHILDREN)
    return r.ru_utime + r.ru_stime


def startup(url: str, home: str) -> tuple[float, float]:
    """Seconds from launching ``lantian console`` until the loaded window's map finished its first paint,
    and the CPU seconds the whole child process used (less disturbed by other jobs on the machine)."""
    env = {**os.environ, "LANTIAN_HOME": home, "QT_QPA_PLATFORM": "offscreen", "LANTIAN_EXIT_WHEN_READY": "1"}
    c0 = _children_cpu()
    t0 = time.perf_counter()
    proc = subprocess.Popen([sys.executable, "-m", "ui.entry", "--db", url, "console"], cwd=ROOT, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    for line in proc.stdout:
        if line.startswith("READY"):
            dt = time.perf_counter() - t0
            break
    else:
        raise RuntimeError("console did not start")
    proc.wait(30)
    return dt, _children_cpu() - c0


def ticks(url: str, n: int = 200) -> tuple[list[float], list[float], list[float]]:
    """Replay tick times: clock +1 h and process the resulting repaints (wall and this process's CPU time),
    and the same with a forced full-window repaint (wall).  CPU time is less disturbed by other jobs."""
    from ui.app import application
    from console.store.db import Store
    from ui.mainwindow import MainWindow
    from ui.settings import Settings

    app = application("zh", force_offscreen=True)
    win = MainWindow(Store(url), Settings())
    win.resize(1600, 1000)
    win.load_sync()
    win.show()
    win.state.select("450100")
    for _ in range(5):
        app.processEvents()
    normal, cpu, forced = [], [], []
    for k in range(n):
        t, c = time.perf_counter(), time.process_time()
        win.state.set_index(win.state.index + 1)
        app.processEvents()
        normal.append(time.perf_counter() - t)
        cpu.append(time.process_time() - c)
        t = time.perf_counter()
        win.state.set_index(win.state.index + 1)
        win.repaint()  # every widget painted synchronously, whether it changed or not
        forced.append(time.perf_counter() - t)
    win.shutdown()
    win.close()
    return normal, cpu, forced


def anchor_1e6(n: int = 20) -> float:
    """pyqtgraph 1e6 points, peak downsampling + clip-to-view, mean repaint seconds."""
    import numpy as np
    import pyqtgraph as pg
    from PySide6.QtWidgets import QApplication

    app = QApplication.instance()
    w = pg.PlotWidget()
    w.resize(1200, 400)
    pi = w.getPlotItem()
    pi.setDownsampling(auto=True, mode="peak")
    pi.setClipToView(True)
    x = np.arange(1_000_000, dtype=float)
    pi.plot(x, np.random.default_rng(0).normal(size=x.size).cumsum())
    w.show()
    app.processEvents()
    out = []
    for _ in range(n):
        t = time.perf_counter()
        w.viewport().repaint()
        out.append(time.perf_counter() - t)
    w.close()
    return statistics.mean(out)


def main() -> None:
    home = os.environ.get("LANTIAN_HOME") or tempfile.mkdtemp(prefix="lantian-bench-")
    os.environ["LANTIAN_HOME"] = home
    url = f"sqlite:///{Path(home) / 'bench.db'}"
    Path(home, "bench.db").unlink(missing_ok=True)
    Path(home, "console-settings.json").unlink(missing_ok=True)
    first, first_cpu = startup(url, home)  # first start: the demo is loaded into the empty store by the worker
    runs = [startup(url, home) for _ in range(3)]
    warm, warm_cpu = [r[0] for r in runs], [r[1] for r in runs]
    normal, cpu, forced = ticks(url)
    anchor = anchor_1e6()
    print(f"start-up, first start (demo load)   {first:7.2f} s   goal {STARTUP_GOAL:.1f} s   ratio {first / STARTUP_GOAL:.2f}"
          f"   (process CPU {first_cpu:.2f} s)")
    print(f"start-up, demo already in the store {statistics.median(warm):7.2f} s   goal {STARTUP_GOAL:.1f} s   "
          f"ratio {statistics.median(warm) / STARTUP_GOAL:.2f}   (median of 3: {', '.join(f'{w:.2f}' for w in warm)};"
          f" process CPU {statistics.median(warm_cpu):.2f} s)")
    for name, v in (("replay tick (+1 h, repaints)", normal), ("  same, CPU time of the process", cpu),
                    ("replay tick, forced full repaint", forced)):
        print(f"{name:35s} mean {statistics.mean(v) * 1e3:6.1f} ms  max {max(v) * 1e3:6.1f} ms   goal "
              f"{TICK_GOAL * 1e3:.0f} ms   ratio mean {statistics.mean(v) / TICK_GOAL:.2f}  max {max(v) / TICK_GOAL:.2f}")
    print(f"anchor: pyqtgraph 1e6 points repaint     {anchor * 1e3:6.1f} ms   (docs/anchors.md: ≈ 3 ms)")
    print(f"load average during the run: {os.getloadavg()[0]:.1f} ({os.cpu_count()} CPUs)")


if __name__ == "__main__":
    main()
