"""Helpers shared by the episode-command tests (fixture files, a scriptable local HTTP server)."""
from __future__ import annotations

import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

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
