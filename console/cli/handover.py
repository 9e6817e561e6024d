"""``lantian handover show|create|sign``: the shift handover note from the command line."""
from __future__ import annotations

from console.cli._actor import actor, add_user_args
from console.cli._common import open_store
from console.command import handover as H
from console.command.observed import store_city_names


def register(sub) -> None:
    p = sub.add_parser("handover", help="shift handover: show the open items, create the note, sign it")
    s = p.add_subparsers(dest="handover_cmd", metavar="ACTION")
    sh = s.add_parser("show", help="print the note as it would be now (or the latest one with --latest)")
    sh.add_argument("--latest", action="store_true")
    sh.add_argument("--lang", choices=["zh", "en"], default="en", help="language of the note (default en)")
    sh.set_defaults(func=_show)
    c = s.add_parser("create", help="outgoing operator: write the handover note")
    c.add_argument("--note", default="")
    add_user_args(c)
    c.set_defaults(func=_create)
    g = s.add_parser("sign", help="incoming operator: sign the latest (or given) handover")
    g.add_argument("id", type=int, nargs="?")
    add_user_args(g)
    g.set_defaults(func=_sign)
    p.set_defaults(func=_show, latest=False, lang="en")


def _show(args) -> int:
    store = open_store(args)
    if args.latest:
        h = H.latest(store)
        if h is None:
            print("no handover yet")
            return 0
        print(f"handover #{h['id']} by {h['outgoing']} at {h['created_at']:%Y-%m-%d %H:%M} — {h['status']}"
              + (f", signed by {h['incoming']} at {h['signed_at']:%Y-%m-%d %H:%M}" if h["signed_at"] else ""))
        print(H.render(H.HandoverItems(**h["items"]), h["note"], lang=args.lang, names=store_city_names(store)))
        return 0
    print(H.render(H.collect(store, H.ongoing_episodes(store)), lang=args.lang, names=store_city_names(store)))
    return 0


def _create(args) -> int:
    store = open_store(args)
    hid = H.create(store, actor(store, args), args.note)
    print(f"handover #{hid} created; the incoming operator signs with `lantian handover sign {hid} --user NAME`")
    return 0


def _sign(args) -> int:
    store = open_store(args)
    hid = args.id or (H.latest(store) or {}).get("id")
    if hid is None:
        from console.errors import LantianError

        raise LantianError("no handover to sign")
    H.sign(store, actor(store, args), hid)
    print(f"handover #{hid} signed; open items carry over")
    return 0
