"""Subprocess for the crash-safety test: ingests dropped files and makes decisions in a loop, printing each
committed step, until the work is done.  The test kills it with SIGKILL at random moments and restarts it.

usage: python crash_worker.py DB_URL INBOX TARGET_DECISIONS
"""
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))


def main() -> int:
    from sqlalchemy import func, select

    from console.command import decisions
    from console.command.alarms import UNACK_ACTIVE, UNACK_RTN, AlarmService
    from console.command.feed import FeedService, FolderSource
    from console.command.users import authenticate
    from console.store.command_schema import AuditEntry
    from console.store.db import Store

    url, inbox, target = sys.argv[1], Path(sys.argv[2]), int(sys.argv[3])
    store = Store(url)
    op, cmd = authenticate(store, "op", "pw"), authenticate(store, "cmd", "pw")
    alarms = AlarmService(store)
    feed = FeedService(store, [FolderSource(inbox, settle_seconds=0)], interval=0)
    src = feed.sources[0]
    print("READY", flush=True)
    while True:
        # one file per round, so ingest and decisions interleave
        pending = src.fetch(lambda sha: feed.repo.find_loaded(sha) is not None)
        if pending:
            src.fetch = (lambda first: (lambda known: [first] if not known(first.sha256) else []))(pending[0])
            rep = feed.poll_source(src, force=True)
            del src.fetch
            print(f"INGESTED {pending[0].name} {rep.values_new}", flush=True)
        for r in alarms.table(states=(UNACK_ACTIVE, UNACK_RTN)).itertuples():
            alarms.acknowledge(op, int(r.id), "crash test")
            print(f"ACK {int(r.id)}", flush=True)
        with store.session() as s:
            done = s.scalar(select(func.count()).select_from(AuditEntry).where(AuditEntry.action.like("warning.%")
                                                                                & (AuditEntry.action != "warning.propose")))
        if done < target:
            level = "none" if decisions.active_warnings(store).get("451300") else "yellow"
            wid = decisions.propose_warning(store, cmd, "451300", level, f"crash test {done}")
            print(f"DECIDED {wid}", flush=True)
        elif not pending:
            print("DONE", flush=True)
            return 0


if __name__ == "__main__":
    sys.exit(main())
