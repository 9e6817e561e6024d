"""``lantian warnings``: evaluate forecasts against warning schemes; propose, approve and list warnings."""
from __future__ import annotations

import json


from console.cli._actor import actor, add_user_args
from console.cli._common import open_store
from console.command import decisions, schemes as S
from console.command.observed import city_names
from console.errors import LantianError
from console.store.repository import Repository
from models import warnings as W


def register(sub) -> None:
    p = sub.add_parser("warnings", help="heavy-pollution warnings: evaluate, propose, approve, list, schemes")
    s = p.add_subparsers(dest="warnings_cmd", metavar="ACTION")
    e = s.add_parser("evaluate", help="recommend a level per city from a forecast (or, as fallback, persistence)")
    e.add_argument("--scheme", help="national-2018 | national-2024 (default) | guangxi-2024")
    e.add_argument("--forecast", help="forecast file: CSV city,date,aqi[,p_gt_<thr>…] or NetCDF with 'aqi'; or "
                                      "'model': the forecast model (shipped, or LANTIAN_FORECAST_MODEL) on the store's "
                                      "data, its D+1…D+3 daily outlook issued on --date, as the console uses it")
    e.add_argument("--date", help="issue date (Beijing); default: the last day with observations")
    e.add_argument("--days", type=int, default=3, help="persistence horizon in days (default 3)")
    e.add_argument("--json", action="store_true")
    e.add_argument("--no-alarms", action="store_true",
                   help="do not raise/clear forecast alarms (recommendations above the level in force)")
    e.set_defaults(func=_evaluate)
    sc = s.add_parser("schemes", help="list the schemes, their thresholds and UNCONFIRMED marks")
    sc.set_defaults(func=_schemes)
    st = s.add_parser("set-threshold", help="edit a threshold in the user override file")
    st.add_argument("scheme")
    st.add_argument("level", choices=("yellow", "orange", "red"))
    st.add_argument("index", type=int, help="condition number within the level (see `warnings schemes`)")
    st.add_argument("field", choices=("aqi_gt", "aqi_gte", "min_hours"))
    st.add_argument("value", type=float)
    st.set_defaults(func=_set)
    pr = s.add_parser("propose", help="propose issuing/upgrading/downgrading (LEVEL) or lifting (none) a warning")
    pr.add_argument("city")
    pr.add_argument("level", choices=W.LEVELS)
    pr.add_argument("--reason", required=True)
    pr.add_argument("--scheme")
    pr.add_argument("--override-lift-rule", action="store_true", help="commander only: lift against the scheme's rule")
    add_user_args(pr)
    pr.set_defaults(func=_propose)
    ap = s.add_parser("approve", help="commander: approve (or --reject) a pending proposal")
    ap.add_argument("id", type=int)
    ap.add_argument("--reason", default="approved")
    ap.add_argument("--reject", action="store_true")
    add_user_args(ap)
    ap.set_defaults(func=_approve)
    ls = s.add_parser("list", help="warnings in force and pending")
    ls.add_argument("--all", action="store_true")
    ls.set_defaults(func=_list)
    p.set_defaults(func=_list)


def _city_code(repo: Repository, city: str) -> str:
    from console.ingest.common import city_table

    c = city_table().get(city.strip())
    if c is None:
        raise LantianError(f"unknown city '{city}'")
    return c["code"]


def _evaluate(args) -> int:
    repo = Repository(open_store(args))
    recs, basis = S.recommend(repo, args.scheme, args.forecast, args.date, args.days)
    alarm_counts = None
    if not args.no_alarms:
        from console.command.alarms import AlarmService, forecast_conditions

        alarm_counts = AlarmService(repo.store).apply(forecast_conditions(recs, decisions.active_warnings(repo.store)))
    if args.json:
        print(json.dumps({"basis": basis, "recommendations": [r.to_dict() for r in recs]}, ensure_ascii=False, indent=1))
        return 0
    names = city_names(repo)
    sch = W.scheme(args.scheme, S.schemes())
    print(f"basis: {basis}")
    print(f"scheme: {sch['name']} ({sch['version']}){' — thresholds UNCONFIRMED' if sch.get('status') == 'UNCONFIRMED' else ''}")
    active = decisions.active_warnings(repo.store)
    for r in recs:
        ev = "; ".join(f"{e.condition} on {','.join(e.days)}" for e in r.evidence[:1])
        cur = active.get(r.city, "none")
        act = W.escalation(cur, r.level)
        print(f"{names.get(r.city, r.city):<6} {r.level:<7} (in force: {cur}; {act})  "
              f"forecast {['-' if x is None else f'{x:.0f}' for x in r.forecast_aqi]}  {ev}"
              + ("  [UNCONFIRMED threshold]" if r.unconfirmed else "") + (f"  lift: {r.lift_reason}" if cur != 'none' else ""))
    if alarm_counts is not None:
        print(f"forecast alarms: {alarm_counts['raised']} raised, {alarm_counts['cleared']} cleared")
    return 0


def _schemes(args) -> int:
    doc = S.schemes()
    print(f"user override file: {S.override_path()} ({'in use' if S.override_path().exists() else 'none'})")
    for name, sch in doc["schemes"].items():
        mark = " (default)" if name == doc["default"] else ""
        print(f"{name}{mark}: {sch['title_en']} — version {sch['version']}, status {sch.get('status')}")
        for lv in sch["levels"]:
            for j, c in enumerate(lv["any_of"]):
                print(f"   {lv['level']}[{j}]: {W.describe(c)}   [{c.get('status', '')}]")
        print(f"   lift: AQI <= {sch['lift']['aqi_le']} for {sch['lift']['min_hours']} h   [{sch['lift'].get('status', '')}]")
    return 0


def _set(args) -> int:
    value = int(args.value) if args.value == int(args.value) else args.value
    path = S.set_threshold(args.scheme, args.level, args.index, args.field, value)
    print(f"{args.scheme} {args.level}[{args.index}].{args.field} = {value} (saved in {path})")
    return 0


def _propose(args) -> int:
    store = open_store(args)
    repo = Repository(store)
    who = actor(store, args)
    code = _city_code(repo, args.city)
    recs, basis = S.recommend(repo, args.scheme, None, None)
    rec = next((r for r in recs if r.city == code), None)
    wid = decisions.propose_warning(store, who, code, args.level, args.reason, recommendation=rec, scheme=args.scheme,
                                    override_lift_rule=args.override_lift_rule)
    status = decisions.warnings_table(store)
    st = status[status["id"] == wid]["status"].iloc[0]
    print(f"warning #{wid}: {args.level} for {args.city} — {st} (evidence: {basis})")
    return 0


def _approve(args) -> int:
    store = open_store(args)
    who = actor(store, args)
    if args.reject:
        decisions.reject_warning(store, who, args.id, args.reason)
        print(f"warning #{args.id} rejected")
    else:
        decisions.approve_warning(store, who, args.id, args.reason)
        print(f"warning #{args.id} approved")
    return 0


def _list(args) -> int:
    store = open_store(args)
    df = decisions.warnings_table(store, None if getattr(args, "all", False) else ("active", "pending"))
    if df.empty:
        print("no warnings in force or pending")
    for r in df.itertuples():
        print(f"#{r.id} {r.city} {r.level:<6} {r.action:<9} {r.status:<10} by {r.proposed_by}"
              + (f", decided by {r.decided_by} at {r.decided_at:%Y-%m-%d %H:%M}" if r.decided_by else "") + f": {r.reason}")
    return 0
