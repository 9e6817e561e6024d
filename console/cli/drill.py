"""``lantian drill run SCENARIO``: play a drill scenario headless and print the crew's score."""
from __future__ import annotations

import json
from importlib import resources

from console.command import drill as D


def register(sub) -> None:
    p = sub.add_parser("drill", help="drills: run a scenario (versioned JSON) and score the response")
    s = p.add_subparsers(dest="drill_cmd", metavar="ACTION")
    r = s.add_parser("run", help="play a scenario in DRILL mode against its own store and score it")
    r.add_argument("scenario", help="scenario file or built-in name (see `lantian drill list`)")
    r.add_argument("--responses", help="scripted crew responses (JSON) for a headless run")
    r.add_argument("--speed", type=float, help="simulated seconds per real second (3600 = 1 h/s); default: as fast as possible")
    r.add_argument("--drill-db", help="database URL for the drill (default: a new temporary SQLite file)")
    r.add_argument("--score-json", help="also write the score as JSON to this file")
    r.add_argument("--verbose", action="store_true", help="print the drill log")
    r.set_defaults(func=_run)
    ls = s.add_parser("list", help="built-in scenarios")
    ls.set_defaults(func=_list)
    p.set_defaults(func=_list)


def _run(args) -> int:
    scn = D.load_scenario(args.scenario)
    responses = D.load_responses(args.responses)
    store = None
    if args.drill_db:
        from console.store.db import Store

        store = Store(args.drill_db)
    print(f"DRILL {scn['id']}: {scn.get('title_en', '')} — {scn['start']} … {scn['end']} (DRILL mode, own store)")
    res = D.run_drill(scn, store=store, responses=responses, speed=args.speed)
    if args.verbose:
        print("\n".join(res.log))
    print(D.format_score(res.score))
    print(f"drill store: {res.store_url} ({res.hours} simulated hours)")
    if args.score_json:
        from console.atomic import atomic_write

        with atomic_write(args.score_json, "w", encoding="utf-8") as fh:
            json.dump(res.score, fh, ensure_ascii=False, indent=1, default=str)
    return 0


def _list(args) -> int:
    for x in sorted(resources.files("resources.drills").iterdir(), key=lambda x: x.name):
        if x.name.endswith(".json") and not x.name.endswith(".responses.json"):
            doc = json.loads(x.read_text(encoding="utf-8"))
            print(f"{x.name[:-5]}: {doc.get('title_en', '')} ({doc['start']} … {doc['end']}, "
                  f"{len(doc.get('faults', []))} faults, {len(doc['expected'])} expected decisions)")
    return 0
