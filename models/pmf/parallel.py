"""Run independent tasks (random starts, bootstrap runs, displacements) in worker processes.

Results are reproducible regardless of the number of workers: each task carries its own seed.
Cancellation: the caller's ``cancel()`` is polled while waiting; it also sets a shared event that the
workers' solvers check between iterations.  BLAS is limited to one thread inside workers.
"""
from __future__ import annotations

import multiprocessing as mp
import os
import sys
import threading
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from typing import Any, Callable, Sequence

from models.pmf.solver import Cancelled

_EVENT = None


def _init_worker(event) -> None:  # pragma: no cover - runs in the child
    global _EVENT
    _EVENT = event
    try:
        from threadpoolctl import threadpool_limits
        threadpool_limits(1)
    except Exception:
        pass


_LOCAL = threading.local()


def worker_cancelled() -> bool:
    """True when the caller asked to stop: the pool's shared event inside a worker process, or the
    caller's cancel check when tasks run in this process (checked by solvers between iterations)."""
    fn = getattr(_LOCAL, "cancel", None)
    if fn is not None and fn():
        return True
    return _EVENT is not None and _EVENT.is_set()


def default_workers() -> int:
    """Workers to use by default: the CPU count, at most 2 unless LANTIAN_PMF_WORKERS says otherwise."""
    env = os.environ.get("LANTIAN_PMF_WORKERS")
    if env:
        return max(1, int(env))
    return max(1, min(2, os.cpu_count() or 1))


def start_method() -> str:
    """``fork`` (no re-import cost) on Linux when called from a single-threaded main thread (CLI,
    scripts); ``spawn`` otherwise (e.g. from the console's worker thread, where forking is unsafe).
    ``LANTIAN_PMF_START_METHOD`` overrides."""
    env = os.environ.get("LANTIAN_PMF_START_METHOD")
    if env:
        return env
    if (sys.platform.startswith("linux") and threading.current_thread() is threading.main_thread()
            and threading.active_count() == 1):
        return "fork"
    return "spawn"


def counted(progress: Callable[[int, int, str], None] | None, total: int,
            message: Callable[[int, Any], str]) -> Callable[[int, Any], None] | None:
    """An ``on_result`` for :func:`run_tasks` that calls ``progress(done, total, message(done, result))``
    as results arrive (None when there is no progress callback)."""
    if progress is None:
        return None
    done = [0]

    def on_result(i: int, result: Any) -> None:
        done[0] += 1
        progress(done[0], total, message(done[0], result))

    return on_result


def run_tasks(fn: Callable[[Any], Any], tasks: Sequence[Any], workers: int | None = None,
              cancel: Callable[[], bool] | None = None,
              on_result: Callable[[int, Any], None] | None = None) -> list[Any]:
    """Run ``fn(task)`` for every task, in order of the returned list.

    ``workers`` ≤ 1 runs in this process (no pool start-up cost).  ``on_result(i, result)`` is called
    as results arrive.  Raises :class:`Cancelled` when ``cancel()`` becomes true.
    """
    workers = default_workers() if workers is None else workers
    out: list[Any] = [None] * len(tasks)
    if workers <= 1 or len(tasks) <= 1:
        previous = getattr(_LOCAL, "cancel", None)
        _LOCAL.cancel = cancel
        try:
            for i, t in enumerate(tasks):
                if cancel is not None and cancel():
                    raise Cancelled()
                out[i] = fn(t)
                if on_result:
                    on_result(i, out[i])
        finally:
            _LOCAL.cancel = previous
        return out
    ctx = mp.get_context(start_method())
    event = ctx.Event()
    pool = ProcessPoolExecutor(max_workers=min(workers, len(tasks)), mp_context=ctx,
                               initializer=_init_worker, initargs=(event,))
    try:
        futs: dict[Future, int] = {pool.submit(fn, t): i for i, t in enumerate(tasks)}
        pending = set(futs)
        while pending:
            done, pending = wait(pending, timeout=0.1, return_when=FIRST_COMPLETED)
            for f in done:
                i = futs[f]
                out[i] = f.result()
                if on_result:
                    on_result(i, out[i])
            if cancel is not None and cancel():
                event.set()
                for f in pending:
                    f.cancel()
                raise Cancelled()
    finally:
        pool.shutdown(wait=True, cancel_futures=True)
    return out
