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
    rp = s.add_parser("replay", help="replay a past period from this store into a separate store, as if live")
    rp.add_argument("start", help="first hour, e.g. 2019-01-21T01:00")
    rp.add_argument("end", help="last hour")
    rp.add_argument("--speed", type=float, default=3600.0,
                    help="simulated seconds per real second (3600 = one hour per second; 0 = as fast as possible)")
    rp.add_argument("--into", help="database URL of the replay store (default: a new SQLite file in the data directory)")
    rp.add_argument("--kind", choices=("city", "station"), default="city")
    rp.set_defaults(func=_replay)
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


def _replay(args) -> int:
    from datetime import datetime

    from console.command.replay import replay_period
    from console.store.db import Store, data_dir

    source = open_store(args)
    url = args.into or f"sqlite:///{data_dir() / f'replay-{datetime.now():%Y%m%dT%H%M%S}.db'}"
    if url == source.url:
        raise LantianError("the replay store must differ from the source store (use --into)")
    target = Store(url)

    def report(clk, rep):
        print(f"[REPLAY {clk.now():%Y-%m-%d %H:%M}] {rep}", flush=True)
    n = replay_period(source, target, args.start, args.end, speed=args.speed or None, kind=args.kind, report=report)
    print(f"replayed {n} hours into {target.display_url}")
    return 0
