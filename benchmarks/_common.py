"""Helpers for the benchmark scripts (timing, result files)."""
from __future__ import annotations

import json
import platform
import time
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared" / "data"
RESULTS = ROOT / "benchmarks" / "results"


@contextmanager
def timer(out: dict, key: str):
    """Record wall and CPU seconds of the block into ``out[key]``."""
    w, c = time.perf_counter(), time.process_time()
    yield
    out[key] = {"wall_s": time.perf_counter() - w, "cpu_s": time.process_time() - c}


def save(name: str, result: dict) -> Path:
    """Write a result JSON (with machine info) to benchmarks/results/."""
    RESULTS.mkdir(parents=True, exist_ok=True)
    result = {"machine": {"python": platform.python_version(), "processor": platform.processor(),
                          "system": platform.platform()}, **result}
    path = RESULTS / f"{name}.json"
    path.write_text(json.dumps(result, indent=1, ensure_ascii=False, default=str), encoding="utf-8")
    return path
