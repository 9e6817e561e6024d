"""Helpers shared by the episode-command tests (fixture files, a scriptable local HTTP server)."""
from __future__ import annotations

import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import numpy as np
import pandas as pd

REPO_ROOT = Path(__file__).resolve().parents[2]
DATA = REPO_ROOT / "tests" / "data" / "command"


def realtime_text(hour: str, aqi: dict[str, int] | None = None, drop: tuple[str, ...] = ()) -> str:
    """The Nanning real-time sample re-stamped to ``hour`` with optional AQI overrides per station."""
    lines = (DATA / "realtime_nanning_2022-02-01T00.csv").read_text(encoding="utf-8").splitlines()
    out = [lines[0]]
    for ln in lines[1:]:
        f = ln.split(",")
        if f[1] in drop:
            continue
        f[0] = hour
        if aqi and f[1] in aqi:
            f[7] = str(aqi[f[1]])
        out.append(",".join(f))
    return "\n".join(out) + "\n"


class LocalServer:
    """A real HTTP server on 127.0.0.1 (random port) whose behaviour a test scripts."""

    def __init__(self):
        self.body, self.status, self.delay, self.hits = b"", 200, 0.0, 0
        outer = self

        class H(BaseHTTPRequestHandler):
            def do_GET(self):  # noqa: N802
                outer.hits += 1
                if outer.delay:
                    time.sleep(outer.delay)
                self.send_response(outer.status)
                self.send_header("Content-Type", "text/csv; charset=utf-8")
                self.end_headers()
                if outer.status == 200:
                    try:
                        self.wfile.write(outer.body)
                    except (BrokenPipeError, ConnectionResetError):
                        pass

            def log_message(self, *a):
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), H)
        self.httpd.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}/realtime.csv"
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.thread.start()

    def close(self):
        self.httpd.shutdown()
        self.httpd.server_close()
        self.thread.join(5)


def city_csv(path, days=6, start="2019-01-20"):
    """Small city-hourly file (national layout): 来宾 polluted from day 3 (PM2.5 ~ 130 µg/m3), 南宁 clean."""
    rows = []
    for d in range(days):
        for h in range(24):
            day = pd.Timestamp(start) + pd.Timedelta(days=d)
            for city, pm in (("来宾", 130.0 if d >= 2 else 40.0), ("南宁", 35.0)):
                aqi = np.ceil(100 + (pm - 75) / 40 * 50) if pm > 75 else np.ceil(pm / 75 * 100)
                rows.append(dict(date=day.strftime("%Y%m%d"), hour=h, 城市=city, AQI=aqi, **{"PM2.5": pm, "PM2.5_24h": pm},
                                 PM10=pm * 1.3, PM10_24h=pm * 1.3, SO2=8, SO2_24h=8, NO2=30, NO2_24h=30, O3=50, O3_24h=50,
                                 O3_8h=45, O3_8h_24h=45, CO=0.8, CO_24h=0.8))
    pd.DataFrame(rows).to_csv(path, index=False)
