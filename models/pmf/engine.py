"""Base runs: many seeded random starts, best by Q (as PMF5), optionally in worker processes."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, Sequence

import numpy as np

from models.pmf.data import PMFData, PMFInputError
from models.pmf.parallel import counted, run_tasks, worker_cancelled
from models.pmf.result import PMFResult, StartRecord
from models.pmf.solver import FitResult, random_start, weighted_nmf
from models.pmf.version import ENGINE_VERSION

Progress = Callable[[int, int, str], None]
"""progress(done, total, message)."""


@dataclass(frozen=True)
class SolverOptions:
    """Convergence settings (PMF5-like: |ΔQ| < tol over n_conv consecutive sweeps, max_iter cap)."""

    max_iter: int = 5000
    tol: float = 0.1
    n_conv: int = 20
    inner_passes: int = 3
    alpha: float = 4.0


def _start_task(task) -> tuple[int, FitResult]:
    """Worker body: one random start (top level so it pickles)."""
    i, X, U, p, seed_seq, robust, opts = task
    rng = np.random.default_rng(seed_seq)
    G0, F0 = random_start(X, p, rng)
    fit = weighted_nmf(X, U, G0, F0, robust=robust, alpha=opts.alpha, max_iter=opts.max_iter, tol=opts.tol,
                       n_conv=opts.n_conv, inner_passes=opts.inner_passes, cancel=worker_cancelled)
    fit.q_history = []
    return i, fit


def start_seeds(seed: int, starts: int) -> list[np.random.SeedSequence]:
    """Independent per-start seed sequences (reproducible whatever the worker count)."""
    return np.random.SeedSequence(seed).spawn(starts)


def _cpu() -> float:
    import resource
    a = resource.getrusage(resource.RUSAGE_SELF)
    b = resource.getrusage(resource.RUSAGE_CHILDREN)
    return a.ru_utime + a.ru_stime + b.ru_utime + b.ru_stime


def run_pmf(data: PMFData, factors: int, *, starts: int = 20, seed: int = 0, robust: bool = True,
            workers: int | None = None, options: SolverOptions = SolverOptions(),
            cancel: Callable[[], bool] | None = None, progress: Progress | None = None) -> PMFResult:
    """PMF base run: ``starts`` random starts, the best by the fitted objective is kept.

    In robust mode the best start is chosen by Q(robust) (what is minimised), otherwise by Q(true).
    Raises :class:`PMFInputError` for impossible factor counts and ``Cancelled`` when cancelled.
    """
    X, U = data.fit_arrays()
    species = data.fit_species
    if factors < 1:
        raise PMFInputError(f"number of factors must be at least 1 (got {factors})")
    if factors >= len(species):
        raise PMFInputError(f"{factors} factors but only {len(species)} fitted species: "
                            "use fewer factors than species")
    if starts < 1:
        raise PMFInputError(f"number of starts must be at least 1 (got {starts})")
    cpu0 = _cpu()
    tasks = [(i, X, U, factors, s, robust, options) for i, s in enumerate(start_seeds(seed, starts))]
    on_result = counted(progress, starts, lambda n, res: f"start {res[0] + 1} of {starts}: Q={res[1].q_true:,.1f}")
    results = run_tasks(_start_task, tasks, workers, cancel, on_result)
    fits = [r[1] for r in results]
    key = (lambda f: f.q_robust) if robust else (lambda f: f.q_true)
    best_i = int(np.argmin([key(f) for f in fits]))
    best = fits[best_i]
    # polish the chosen start with a 10× tighter tolerance, so that displacement does not find a
    # lower Q next to it (PMF5 warns when DISP decreases Q)
    polished = weighted_nmf(X, U, best.G, best.F, robust=robust, alpha=options.alpha, max_iter=options.max_iter,
                            tol=options.tol / 10.0, n_conv=options.n_conv, inner_passes=options.inner_passes,
                            cancel=cancel)
    if key(polished) <= key(best):
        polished.converged = polished.converged or best.converged
        best = polished
    recs = [StartRecord(i, f.q_true, f.q_robust, f.iterations, f.converged) for i, f in enumerate(fits)]
    res = PMFResult(species=species, index=data.index, G=best.G, F=best.F, X=X, U=U, q_true=best.q_true,
                    q_robust=best.q_robust, q_expected=data.q_expected(factors), robust=robust, factors=factors,
                    starts=starts, seed=seed, converged=best.converged, start_records=recs,
                    categories=dict(zip(data.species, data.categories)), total=data.total,
                    engine_version=ENGINE_VERSION, notes=list(data.notes) + [f"best start: {best_i + 1}"])
    _order_factors(res)
    from models.pmf.signatures import annotate

    annotate(res, rename=False)               # every result records the signature-library version
    res.cpu_seconds = _cpu() - cpu0
    return res


def _order_factors(res: PMFResult) -> None:
    """Deterministic factor order: by decreasing share of the total (or modelled mass)."""
    order = np.argsort(-res.total_shares())
    res.G = res.G[:, order]
    res.F = res.F[order]


def scan_factors(data: PMFData, factor_counts: Sequence[int], *, starts: int = 5, seed: int = 0,
                 robust: bool = True, workers: int | None = None, cancel: Callable[[], bool] | None = None,
                 progress: Progress | None = None) -> list[dict]:
    """Q(true), Q(robust), Qexp and Q/Qexp for each factor count (the "how many factors" plot)."""
    out = []
    for i, p in enumerate(factor_counts):
        r = run_pmf(data, p, starts=starts, seed=seed, robust=robust, workers=workers, cancel=cancel)
        out.append({"factors": p, "q_true": r.q_true, "q_robust": r.q_robust, "q_expected": r.q_expected,
                    "q_ratio": r.q_ratio})
        if progress:
            progress(i + 1, len(factor_counts), f"{p} factors: Q/Qexp={r.q_ratio:.2f}")
    return out
