"""``lantian episodes``: pollution episodes of the cities in the store, by a configurable rule set."""
from __future__ import annotations

import json

from console.cli._common import open_store
from console.command.observed import city_names, observed_city_aqi
from console.store.repository import Repository
from models import episodes as E
from models.rules import load_rule_file


def register(sub) -> None:
    p = sub.add_parser("episodes", help="detect city and regional pollution episodes in the stored data")
    p.add_argument("--rules", help=f"rule set of episode_rules.json (default: {load_rule_file(E.RULE_FILE)['default']})")
    p.add_argument("--start", help="first day (Beijing), e.g. 2019-01-01")
    p.add_argument("--end", help="last day")
    p.add_argument("--kind", choices=("all", "city", "regional"), default="all")
    p.add_argument("--json", action="store_true", help="print JSON")
    p.set_defaults(func=_run)


def _run(args) -> int:
    repo = Repository(open_store(args))
    rule = E.load_rules(args.rules)
    end = f"{args.end} 23:59" if args.end and len(args.end) <= 10 else args.end
    obs = observed_city_aqi(repo, start=args.start, end=end)
    eps = E.detect(obs.daily, rule, hourly_aqi=obs.hourly, primary=obs.primary)
    if args.kind != "all":
        eps = [e for e in eps if e.kind == args.kind]
    if args.json:
        print(json.dumps([e.to_dict() for e in eps], ensure_ascii=False, indent=1))
        return 0
    names = city_names(repo)
    print(f"rule set {rule.name} ({rule.version}): daily AQI > {rule.daily_aqi_gt} or hourly AQI > {rule.hourly_aqi_gt} "
          f"for {rule.hourly_min_hours} h; merge gaps <= {rule.merge_gap_days} d; regional >= {rule.regional_min_cities} cities")
    for e in eps:
        cities = ",".join(names.get(c, c) for c in e.cities)
        print(f"{e.kind:<8} {e.start:%Y-%m-%d} … {e.end:%Y-%m-%d} ({e.days} d)  peak AQI {e.peak_aqi:.0f} at "
              f"{e.peak_time:%Y-%m-%d %H:%M}  primary {','.join(e.primary_pollutants) or '-'}  {cities}")
    print(f"{sum(e.kind == 'city' for e in eps)} city episodes, {sum(e.kind == 'regional' for e in eps)} regional")
    return 0
