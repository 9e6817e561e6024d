"""``lantian alarms``: list, acknowledge and shelve alarms."""
from __future__ import annotations

from console.cli._actor import actor, add_user_args
from console.cli._common import open_store
from console.command.alarms import OPEN_STATES, PRIORITY_NAMES, AlarmService


def register(sub) -> None:
    p = sub.add_parser("alarms", help="alarms (ISA-18.2 states): list, acknowledge, shelve")
    s = p.add_subparsers(dest="alarms_cmd", metavar="ACTION")
    ls = s.add_parser("list", help="open alarms (filters)")
    ls.add_argument("--all", action="store_true", help="include alarms back to normal")
    ls.add_argument("--priority", type=int, choices=(1, 2, 3), help="at most this priority number (1 = high only)")
    ls.add_argument("--category", choices=("exceedance", "forecast", "feed", "station"))
    ls.add_argument("--city")
    ls.set_defaults(func=_list)
    a = s.add_parser("ack", help="acknowledge an alarm")
    a.add_argument("id", type=int)
    a.add_argument("--reason", default="acknowledged")
    add_user_args(a)
    a.set_defaults(func=_ack)
    sh = s.add_parser("shelve", help="shelve an alarm with a reason and expiry")
    sh.add_argument("id", type=int)
    sh.add_argument("--reason", required=True)
    sh.add_argument("--hours", type=float, default=8.0)
    add_user_args(sh)
    sh.set_defaults(func=_shelve)
    p.set_defaults(func=_list, all=False, priority=None, category=None, city=None)


def _list(args) -> int:
    svc = AlarmService(open_store(args))
    df = svc.table(states=None if args.all else OPEN_STATES, priority=args.priority, category=args.category, city=args.city)
    for r in df.itertuples():
        print(f"#{r.id:<5} {PRIORITY_NAMES[r.priority]:<6} {r.state:<12} {r.category:<10} {r.source:<14} {r.condition:<14} {r.message}")
    print(f"{len(df)} alarms")
    return 0


def _ack(args) -> int:
    store = open_store(args)
    state = AlarmService(store).acknowledge(actor(store, args), args.id, args.reason)
    print(f"alarm {args.id} acknowledged → {state}")
    return 0


def _shelve(args) -> int:
    store = open_store(args)
    until = AlarmService(store).shelve(actor(store, args), args.id, args.reason, args.hours)
    print(f"alarm {args.id} shelved until {until:%Y-%m-%d %H:%M}")
    return 0
