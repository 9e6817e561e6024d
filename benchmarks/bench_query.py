"""One city-month from the store as xarray (goal: under 100 ms), on the demo store.

    python benchmarks/bench_query.py
"""
from __future__ import annotations

import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from benchmarks._common import save  # noqa: E402
from console.demo import load_demo  # noqa: E402
from console.store import Store  # noqa: E402
from console.store.repository import Repository  # noqa: E402


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        store = Store(f"sqlite:///{tmp}/q.db")
        t = time.perf_counter()
        load_demo(store)
        t_demo = time.perf_counter() - t
        repo = Repository(Store(store.url))  # a fresh engine: the first query pays the connection
        times = []
        for month in ["2018-12", "2019-01", "2019-02", "2019-03", "2019-04", "2019-05", "2019-06"] * 3:
            start = f"{month}-01"
            end = (__import__("pandas").Timestamp(start) + __import__("pandas").offsets.MonthEnd(0)).strftime("%Y-%m-%dT23:00")
            t = time.perf_counter()
            ds = repo.load(sites=["南宁市"], variables=["PM2.5", "PM10", "SO2", "NO2", "CO", "O3"], start=start, end=end)
            times.append(time.perf_counter() - t)
        ms = [x * 1000 for x in times]
        print(f"demo load into a new store: {t_demo:.2f} s")
        print(f"one city-month (6 pollutants, {ds.sizes['time']} h): first {ms[0]:.1f} ms, median {statistics.median(ms):.1f} ms, "
              f"max {max(ms):.1f} ms  (goal 100 ms → median {statistics.median(ms) / 100:.3f} of goal)")
        print(f"results: {save('query', {'demo_load_s': t_demo, 'city_month_ms': ms})}")


if __name__ == "__main__":
    main()
