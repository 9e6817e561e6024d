"""``lantian brief daily|episode|assessment``: briefing reports as PDF, DOCX or HTML, headless."""
from __future__ import annotations

import argparse
import sys
from datetime import date

from console.cli import EXIT_OK
from console.errors import LantianError

KINDS = {"daily": "空气质量专报 (daily air-quality briefing)",
         "episode": "重污染天气会商报告 (episode consultation report)",
         "assessment": "过程评估报告 (post-episode assessment)"}


def _day(s: str) -> date:
    try:
        return date.fromisoformat(s)
    except ValueError:
        raise LantianError(f"--date/--start/--end: {s!r} is not a date YYYY-MM-DD") from None


def register(sub) -> None:
    p = sub.add_parser("brief", help="write a briefing report (PDF, DOCX or HTML), no display needed",
                       description="Write a briefing report from the store (the built-in demo when the store is "
                                   "empty). Analyses that are not installed (forecast, source apportionment, "
                                   "warnings, measures) are named as absent in the report.")
    p.add_argument("kind", choices=list(KINDS), help="; ".join(f"{k}: {v}" for k, v in KINDS.items()))
    p.add_argument("--date", metavar="YYYY-MM-DD", help="report day (Beijing time); required unless --edit-template")
    p.add_argument("--city", action="append", metavar="CITY",
                   help="restrict to city names or adcodes (repeat or comma-separate); default: all 14 cities")
    p.add_argument("--out", action="append", metavar="FILE.pdf|.docx|.html",
                   help="output file; the suffix selects the format (repeat for several formats)")
    p.add_argument("--lang", choices=["zh", "en"], default="zh", help="report language (default zh)")
    p.add_argument("--start", metavar="YYYY-MM-DD", help="episode/assessment period start (default: detected)")
    p.add_argument("--end", metavar="YYYY-MM-DD", help="episode/assessment period end (default: detected)")
    p.add_argument("--convention", choices=["standard", "published"], default="standard",
                   help="hourly AQI: the standard's text (default) or as the national platform publishes it")
    p.add_argument("--template", metavar="FILE.json", help="use this template file instead of the default lookup")
    p.add_argument("--weather", metavar="FILE",
                   help="weather-forecast fields (NetCDF/GRIB) for the report's forecast, as the console's forecast "
                        "panel loads them (used by models trained with weather input; the report says which)")
    p.add_argument("--weather-utc", action="store_true", help="the NetCDF file's valid times are UTC")
    p.add_argument("--db", default=argparse.SUPPRESS, metavar="URL",
                   help="database URL (same as the global `lantian --db`; default SQLite in the user data dir)")
    p.add_argument("--edit-template", action="store_true",
                   help="copy the shipped template of this report type to the user template directory "
                        "($LANTIAN_HOME/templates or the user config dir) for editing, print its path and exit")
    p.set_defaults(func=run)


def _edit_template(kind: str) -> int:
    from importlib import resources

    from console.atomic import atomic_write
    from console.reports.templates import load_template, override_dirs

    target = override_dirs()[0] / f"{kind}.json"
    if target.is_file():
        load_template(kind)  # validates the user's file; a broken one is named with the reason
        print(f"{target} (exists; edit it, delete it to return to the shipped template)")
        return EXIT_OK
    text = resources.files("resources.reports").joinpath(f"{kind}.json").read_text(encoding="utf-8")
    with atomic_write(target, "w", encoding="utf-8") as fh:
        fh.write(text)
    print(f"{target} (copied from the shipped template; reports now use this file)")
    return EXIT_OK


def run(args) -> int:
    if args.edit_template:
        return _edit_template(args.kind)
    if not args.date or not args.out:
        raise LantianError("brief: --date and --out are required (e.g. --date 2019-01-27 --out report.pdf)")
    from pathlib import Path

    from console.cli._common import open_store
    from console.demo import ensure_demo
    from console.reports import check_font, make_report, output_format
    from console.store.repository import Repository

    if args.weather:   # before the font check: a wrong file is the user's to fix first
        from console.forecast.report_provider import use_weather
        from console.forecast_io import open_weather_fields
        from forecasting.meteorology import field_names

        open_weather_fields(args.weather, names=field_names()).close()   # an unreadable file stops here, named
        use_weather(args.weather, args.weather_utc)
    check_font()  # fail before touching the store or writing anything
    for o in args.out:
        output_format(Path(o))
    day = _day(args.date)
    start = _day(args.start) if args.start else None
    end = _day(args.end) if args.end else None
    store = open_store(args)
    if ensure_demo(store):
        print("lantian: the store was empty — loaded the built-in Guangxi demo", file=sys.stderr)
    out = make_report(Repository(store), args.kind, day, args.out, args.city, args.lang, start, end, args.template,
                      args.convention)
    for w in out.warnings:
        print(f"lantian: warning: {w}", file=sys.stderr)
    for path in out.paths:
        extra = f", {out.pages} pages" if path.suffix.lower() == ".pdf" else ""
        print(f"{path}: {args.kind} report for {day}{extra}")
    if out.absent:
        print("absent analyses: " + ", ".join(f"{k} ({v})" for k, v in out.absent.items()))
    return EXIT_OK
