"""``lantian audit verify|show``: check the tamper-evident decision log."""
from __future__ import annotations

from console.cli import EXIT_CHECK_FAILED
from console.cli._common import open_store
from console.command import audit


def register(sub) -> None:
    p = sub.add_parser("audit", help="verify or show the audit log of decisions")
    s = p.add_subparsers(dest="audit_cmd", metavar="ACTION")
    v = s.add_parser("verify", help="recompute the hash chain; exit 3 naming the first broken entry")
    v.set_defaults(func=_verify)
    sh = s.add_parser("show", help="print the newest entries")
    sh.add_argument("--last", type=int, default=20)
    sh.add_argument("--action", help="filter, e.g. 'warning.*'")
    sh.set_defaults(func=_show)
    p.set_defaults(func=_verify)


def _verify(args) -> int:
    res = audit.verify(open_store(args))
    print(res)
    return 0 if res.ok else EXIT_CHECK_FAILED


def _show(args) -> int:
    df = audit.entries(open_store(args), action=args.action)
    for r in df.tail(args.last).itertuples():
        ct = f" [{r.mode} {r.console_time:%Y-%m-%d %H:%M}]" if r.console_time is not None else ""
        print(f"#{r.seq} {r.ts:%Y-%m-%d %H:%M:%S}Z{ct} {r.user} ({r.role}) {r.action} {r.subject}: {r.reason}")
    return 0
