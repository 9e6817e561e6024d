"""``lantian ingest``: load files into the store."""
from __future__ import annotations

import sys

from console.cli import EXIT_PARTIAL
from console.cli._common import ExitStatus, open_store, print_problems, read_each
from console.ingest import FORMATS
from console.store.repository import Repository


def register(sub) -> None:
    p = sub.add_parser("ingest", help="load data files into the store",
                       description="Load national-network files, station lists, your own CSV (with a column mapping) "
                                   "or NetCDF into the store. Re-loading the same file changes nothing; each file is "
                                   "one transaction (an interrupted load leaves nothing half-written).")
    p.add_argument("paths", nargs="+", metavar="PATH")
    p.add_argument("--format", default="auto", choices=["auto", *FORMATS], help="input format (default: detect)")
    p.add_argument("--map", dest="mapping", metavar="MAPPING",
                   help="column mapping for --format csv: a JSON file or a preset name (beijing-prsa, beijing-embassy)")
    p.add_argument("--quiet", action="store_true", help="no progress bar")
    p.set_defaults(func=run)


def run(args) -> int:
    store = open_store(args)
    repo = Repository(store)
    status = ExitStatus()
    for path, res in read_each(args.paths, args.format, args.mapping, status):
        bar = None
        if not args.quiet and sys.stderr.isatty():
            from tqdm import tqdm

            bar = tqdm(total=max(len(res.dataset.data_vars), 1), desc=str(path)[-40:], unit="var", file=sys.stderr)

        def progress(done: int, total: int) -> None:
            if bar is not None:
                bar.n = done
                bar.refresh()

        report = repo.ingest(res, progress=progress)
        if bar is not None:
            bar.close()
        print(report.summary)
        if report.problems:
            print_problems(report.problems)
        if report.rows_rejected or any(p.severity == "rejected" for p in report.problems):
            status.worst(EXIT_PARTIAL)
    return status.code
