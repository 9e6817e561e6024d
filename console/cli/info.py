"""``lantian info``: what the store holds, the rule sets in force, and the ingest log."""
from __future__ import annotations

import json

from console.cli import EXIT_OK
from console.cli._common import open_store
from console.store.repository import Repository
from models import aqi as aqi_model
from models.air_standard import limit_sets


def register(sub) -> None:
    p = sub.add_parser("info", help="show the database, its contents and the rule sets")
    p.add_argument("--log", nargs="?", const=-1, type=int, metavar="DATASET",
                   help="print the ingest log (rejected rows and warnings), of one dataset or all")
    p.add_argument("--json", action="store_true", help="machine-readable output")
    p.set_defaults(func=run)


def run(args) -> int:
    store = open_store(args)
    repo = Repository(store)
    if args.log is not None:
        log = repo.ingest_log(None if args.log < 0 else args.log)
        if args.json:
            print(log.to_json(orient="records", force_ascii=False))
        else:
            for r in log.itertuples(index=False):
                where = f"{r.path}" + (f", line {int(r.line)}" if r.line == r.line and r.line is not None else "") \
                    + (f", column '{r.field}'" if r.field else "")
                print(f"[{r.dataset_id}] {r.severity}: {where}: {r.reason}" + (f" (value {r.value!r})" if r.value else ""))
            print(f"{len(log)} entries")
        return EXIT_OK
    rng = repo.time_range()
    info = {
        "database": store.display_url,
        "schema_revision": store.revision(),
        "counts": repo.counts(),
        "period": [str(rng[0]), str(rng[1])] if rng else None,
        "aqi_rule_sets": {k: v.title for k, v in aqi_model.rule_sets().items()},
        "gb3095_limit_sets": {k: v.title for k, v in limit_sets().items()},
        "datasets": repo.datasets().head(20).astype(str).to_dict(orient="records"),
    }
    if args.json:
        print(json.dumps(info, ensure_ascii=False, indent=1))
        return EXIT_OK
    print(f"database:        {info['database']} (schema {info['schema_revision']})")
    print(f"period:          {info['period'][0]} → {info['period'][1]} (Beijing time)" if rng else "period:          (empty)")
    print("contents:        " + ", ".join(f"{v} {k}" for k, v in info["counts"].items()))
    print("AQI rule sets:   " + "; ".join(f"{k} ({v})" for k, v in info["aqi_rule_sets"].items()))
    print("GB 3095 limits:  " + "; ".join(info["gb3095_limit_sets"]))
    print("recent loads:")
    for d in info["datasets"]:
        print(f"  [{d['id']}] {d['loaded_at'][:19]} {d['format']:<15} {d['rows_read']:>7} rows, "
              f"{d['rows_rejected']} rejected, {d['values_new']} new, {d['values_changed']} changed  {d['path']}")
    return EXIT_OK
