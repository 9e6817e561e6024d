"""``lantian feed run|status``: poll a watched folder and/or an HTTP real-time endpoint and ingest new hours."""
from __future__ import annotations

import signal

from console.cli._common import open_store
from console.command.feed import FeedService, FolderSource, HttpSource
from console.errors import LantianError


def register(sub) -> None:
    p = sub.add_parser("feed", help="live feed: poll sources on a schedule and ingest new hours")
    s = p.add_subparsers(dest="feed_cmd", metavar="ACTION")
    r = s.add_parser("run", help="poll the sources (Ctrl-C stops)")
    r.add_argument("--watch", action="append", default=[], metavar="DIR", help="watched folder (repeatable)")
    r.add_argument("--url", action="append", default=[], help="HTTP endpoint serving the real-time CSV layout")
    r.add_argument("--interval", type=float, default=60.0, help="seconds between polls (default 60)")
    r.add_argument("--timeout", type=float, default=10.0, help="HTTP timeout in seconds")
    r.add_argument("--settle", type=float, default=1.0, help="ignore files modified less than this many seconds ago")
    r.add_argument("--once", action="store_true", help="poll once and exit")
    r.add_argument("--iterations", type=int, help="stop after this many polls")
    r.set_defaults(func=_run)
    st = s.add_parser("status", help="feed health (stale since …)")
    st.set_defaults(func=_status)
    p.set_defaults(func=_status)


def _run(args) -> int:
    if not args.watch and not args.url:
        raise LantianError("give at least one source: --watch DIR or --url URL")
    store = open_store(args)
    sources = [FolderSource(d, settle_seconds=args.settle) for d in args.watch]
    sources += [HttpSource(u, timeout=args.timeout) for u in args.url]
    svc = FeedService(store, sources, interval=args.interval)
    stop = {"flag": False}
    signal.signal(signal.SIGTERM, lambda *_: stop.__setitem__("flag", True))
    n = 1 if args.once else args.iterations
    failed = []

    def report(r):
        print(r, flush=True)
        if not r.ok:
            failed.append(r)
    svc.run(iterations=n, stop=lambda: stop["flag"], report=report)
    for s in svc.states():
        print(f"{s['source']}: {s['status']}; latest hour {s['latest_hour']}; failures {s['consecutive_failures']}")
    return 1 if failed else 0


def _status(args) -> int:
    svc = FeedService(open_store(args), [])
    states = svc.states()
    if not states:
        print("no feed has run on this store")
    for s in states:
        print(f"{s['source']}: {s['status']}; last success {s['last_success']}; latest hour {s['latest_hour']}; "
              f"failures {s['consecutive_failures']}" + (f"; last error: {s['last_error']}" if s["last_error"] else ""))
    return 0
