"""Error estimation as in EPA PMF 5.0: bootstrap (BS), displacement (DISP) and BS-DISP.

* BS: moving-block resampling of the samples, each resample refitted from the base solution;
  BS factors are mapped to base factors by the correlation of their contributions (r ≥ 0.6).
* DISP: every profile element f_kj is displaced up and down (the rest refitted) until Q rises by
  dQmax (4, 8, 15, 25 by default); the displaced values are the interval; a factor whose
  contributions then correlate best with another base factor counts a swap.  A negative dQ means the
  base run was not at its minimum (reported as the largest dQ decrease).
* BS-DISP: DISP applied to every bootstrap solution (dQmax 0.5, 1, 2, 4), intervals combined.
"""
from __future__ import annotations

import time
from typing import Callable, Sequence

import numpy as np
from scipy.optimize import linear_sum_assignment

from models.pmf.parallel import counted, run_tasks, worker_cancelled
from models.pmf.result import BootstrapResult, DisplacementResult, PMFResult
from models.pmf.solver import q_values, weighted_nmf

Progress = Callable[[int, int, str], None]
DISP_DQMAX = (4.0, 8.0, 15.0, 25.0)
BSDISP_DQMAX = (0.5, 1.0, 2.0, 4.0)


def default_block_size(n: int) -> int:
    """Block length of the moving-block bootstrap (≈ n^(1/3), at least 1)."""
    return max(1, int(round(n ** (1.0 / 3.0))))


def block_indices(n: int, block: int, rng: np.random.Generator) -> np.ndarray:
    """Row indices of one moving-block resample of length n."""
    nb = int(np.ceil(n / block))
    starts = rng.integers(0, max(n - block + 1, 1), size=nb)
    idx = (starts[:, None] + np.arange(block)[None, :]).ravel()[:n]
    return np.minimum(idx, n - 1)


def _corr_cols(A: np.ndarray, B: np.ndarray) -> np.ndarray:
    """Pearson r between every column of A (rows) and every column of B (cols)."""
    a = A - A.mean(axis=0)
    b = B - B.mean(axis=0)
    na = np.sqrt((a * a).sum(axis=0))
    nb = np.sqrt((b * b).sum(axis=0))
    with np.errstate(invalid="ignore", divide="ignore"):
        r = (a.T @ b) / np.outer(na, nb)
    return np.nan_to_num(r, nan=0.0)


def _bs_task(task):
    b, X, U, G, F, seed_seq, block, robust, max_iter = task
    rng = np.random.default_rng(seed_seq)
    idx = block_indices(X.shape[0], block, rng)
    fit = weighted_nmf(X[idx], U[idx], G[idx], F, robust=robust, max_iter=max_iter, tol=0.1, n_conv=10,
                       cancel=worker_cancelled)
    return b, idx, fit.G, fit.F, fit.q_true


def bootstrap(res: PMFResult, runs: int = 100, *, seed: int = 0, block_size: int | None = None,
              r_threshold: float = 0.6, workers: int | None = None, max_iter: int = 2000,
              cancel: Callable[[], bool] | None = None, progress: Progress | None = None,
              keep_solutions: bool = False) -> BootstrapResult:
    """Block bootstrap of a base run; sets and returns ``res.bootstrap``."""
    t0 = time.perf_counter()
    n, m = res.X.shape
    p = res.factors
    block = block_size or default_block_size(n)
    seeds = np.random.SeedSequence([seed, 7919]).spawn(runs)
    tasks = [(b, res.X, res.U, res.G, res.F, s, block, res.robust, max_iter) for b, s in enumerate(seeds)]
    on_result = counted(progress, runs, lambda n, r: f"bootstrap {n} of {runs}")
    out = run_tasks(_bs_task, tasks, workers, cancel, on_result)
    mapping = np.zeros((p, p + 1))
    profiles = np.full((runs, p, m), np.nan)
    qs = np.zeros(runs)
    sols = []
    for b, idx, Gb, Fb, q in out:
        r = _corr_cols(res.G[idx], Gb)          # base k × bs l
        qs[b] = q
        for k in range(p):
            l = int(np.argmax(r[k]))
            if r[k, l] >= r_threshold:
                mapping[k, l] += 1
            else:
                mapping[k, p] += 1
        rows, cols = linear_sum_assignment(-r)
        for k, l in zip(rows, cols):
            if r[k, l] >= r_threshold:
                profiles[b, k] = Fb[l]
        if keep_solutions:
            sols.append((idx, Gb[:, cols], Fb[cols]))
    bs = BootstrapResult(n_runs=runs, block_size=block, r_threshold=r_threshold, mapping=mapping,
                         profiles=profiles, q_true=qs, seconds=time.perf_counter() - t0)
    if keep_solutions:
        bs.solutions = sols  # type: ignore[attr-defined]
    res.bootstrap = bs
    return bs


# ---------------------------------------------------------------- displacement -----------------------
def _objective(X, U, G, F, robust):
    qt, qr = q_values(X, U, G, F)
    return qr if robust else qt


def _refit_fixed(X, U, G, F, k, j, v, robust, max_iter):
    fm = np.zeros(F.shape, bool)
    fm[k, j] = True
    fv = np.zeros(F.shape)
    fv[k, j] = v
    F1 = F.copy()
    F1[k, j] = v
    fit = weighted_nmf(X, U, G, F1, robust=robust, max_iter=max_iter, tol=0.01, n_conv=3, inner_passes=2,
                       f_fixed=(fm, fv), cancel=worker_cancelled)
    q = fit.q_robust if robust else fit.q_true
    return q, fit.G


def _solve_level(ev, target: float, guess: float, limit: float, max_evals: int, rtol: float = 0.1) -> float:
    """Displacement δ in [0, limit] where dQ(δ) ≈ target (dQ grows ≈ quadratically with δ).

    Brackets from every evaluation made so far and interpolates linearly in √dQ; returns ``limit``
    when even the largest displacement stays below the target.
    """
    delta = min(max(guess, 1e-12), limit)
    pts: list[tuple[float, float]] = [(0.0, 0.0)]
    for _ in range(max_evals):
        dq = ev(delta)[0]
        pts.append((delta, dq))
        if abs(dq - target) <= rtol * target:
            return delta
        below = [(d, q) for d, q in pts if q < target]
        above = [(d, q) for d, q in pts if q >= target]
        lo, qlo = max(below) if below else (0.0, 0.0)
        if not above:
            if lo >= limit:
                return limit
            step = lo * np.sqrt(target / max(qlo, 1e-3 * target)) if qlo > 0 else lo * 4
            delta = min(max(step, 1.3 * lo), 10 * lo, limit)
            continue
        hi, qhi = min(above)
        a, b = np.sqrt(max(qlo, 0.0)), np.sqrt(qhi)
        frac = (np.sqrt(target) - a) / (b - a) if b > a else 0.5
        delta = lo + min(max(frac, 0.05), 0.95) * (hi - lo)
    above = [(d, q) for d, q in pts if q >= target]
    return min(above)[0] if above else max(pts)[0]


def _disp_species(task):
    """Worker: all factors × both directions × all dQmax levels for species j."""
    j, X, U, G, F, robust, levels, max_iter, max_evals = task
    p = F.shape[0]
    q0 = _objective(X, U, G, F, robust)
    L = len(levels)
    lower = np.zeros((L, p))
    upper = np.zeros((L, p))
    swaps = np.zeros((L, p))
    min_dq = 0.0
    colmax = max(float(F[:, j].max()), 1e-12)

    def swapped(Gd):
        r = _corr_cols(Gd, G)
        return np.argmax(r, axis=1) != np.arange(p)

    for k in range(p):
        f0 = F[k, j]
        for sign in (+1, -1):
            if sign < 0 and f0 <= 0:
                continue                      # already at the bound: lower = 0 for every level
            cache: dict[float, tuple[float, np.ndarray]] = {}

            def ev(delta):
                key = float(delta)
                if key not in cache:
                    q, Gd = _refit_fixed(X, U, G, F, k, j, f0 + sign * delta, robust, max_iter)
                    cache[key] = (q - q0, Gd)
                return cache[key]

            limit = f0 if sign < 0 else 1e3 * colmax
            guess = max(0.1 * f0, 0.02 * colmax) if sign > 0 else 0.5 * f0
            for li, dqm in enumerate(levels):
                found = _solve_level(ev, dqm, guess, limit, max_evals)
                d, (_, Gd) = found, ev(found)
                if sign > 0:
                    upper[li, k] = f0 + d
                else:
                    lower[li, k] = f0 - d
                swaps[li] += swapped(Gd)
                guess = d * np.sqrt(levels[li + 1] / dqm) if li + 1 < L else d
            min_dq = min(min_dq, min(v[0] for v in cache.values()))
    return j, lower, upper, swaps, min_dq


def displacement(res: PMFResult, species: Sequence[str] | None = None, *, dq_max: Sequence[float] = DISP_DQMAX,
                 workers: int | None = None, max_iter: int = 300, max_evals: int = 6,
                 cancel: Callable[[], bool] | None = None, progress: Progress | None = None,
                 G: np.ndarray | None = None, F: np.ndarray | None = None, X: np.ndarray | None = None,
                 U: np.ndarray | None = None, kind: str = "DISP", store: bool = True) -> DisplacementResult:
    """DISP over ``species`` (default: all fitted species); sets ``res.displacement``."""
    t0 = time.perf_counter()
    G = res.G if G is None else G
    F = res.F if F is None else F
    X = res.X if X is None else X
    U = res.U if U is None else U
    names = list(res.species) if species is None else list(species)
    for s in names:
        if s not in res.species:
            raise ValueError(f"unknown species '{s}' for displacement")
    cols = [res.species.index(s) for s in names]
    levels = tuple(float(v) for v in dq_max)
    tasks = [(j, X, U, G, F, res.robust, levels, max_iter, max_evals) for j in cols]
    on_result = counted(progress, len(tasks), lambda n, r: f"{kind} species {n} of {len(tasks)}")
    out = run_tasks(_disp_species, tasks, workers, cancel, on_result)
    L, (p, m) = len(levels), F.shape
    lower = np.full((L, p, m), np.nan)
    upper = np.full((L, p, m), np.nan)
    swaps = np.zeros((L, p))
    min_dq = 0.0
    for j, lo, up, sw, mdq in out:
        lower[:, :, j] = lo
        upper[:, :, j] = up
        swaps += sw
        min_dq = min(min_dq, mdq)
    d = DisplacementResult(dq_max=levels, lower=lower, upper=upper, swaps=swaps, largest_dq_decrease=min_dq,
                           species_done=names, seconds=time.perf_counter() - t0, kind=kind)
    if store:
        res.displacement = d
    return d


def _bsdisp_task(task):
    """Worker: polish one resample's solution, then DISP of one species on it."""
    b, j, X, U, G, F, robust, levels = task
    fit = weighted_nmf(X, U, G, F, robust=robust, max_iter=3000, tol=1e-3, n_conv=20, cancel=worker_cancelled)
    return _disp_species((j, X, U, fit.G, fit.F, robust, levels, 300, 6))


def bs_disp(res: PMFResult, runs: int = 20, species: Sequence[str] | None = None, *,
            dq_max: Sequence[float] = BSDISP_DQMAX, seed: int = 0, workers: int | None = None,
            cancel: Callable[[], bool] | None = None, progress: Progress | None = None) -> DisplacementResult:
    """BS-DISP: DISP on each bootstrap solution; intervals are the envelope over runs.

    Sets ``res.bs_disp`` (an existing ``res.bootstrap`` is left as it is).
    """
    t0 = time.perf_counter()
    kept = res.bootstrap                      # BS-DISP's own resamples must not replace a BS result
    bs = bootstrap(res, runs, seed=seed, workers=workers, cancel=cancel, keep_solutions=True)
    res.bootstrap = kept
    levels = tuple(float(v) for v in dq_max)
    p, m = res.F.shape
    names = list(res.species) if species is None else list(species)
    for s_ in names:
        if s_ not in res.species:
            raise ValueError(f"unknown species '{s_}' for BS-DISP")
    cols = [res.species.index(s_) for s_ in names]
    # one flat task list (resample × species) so both workers stay busy; each task polishes its
    # resample's solution first (cheap, deterministic) so that displacement starts from its minimum
    tasks = [(b, j, res.X[idx], res.U[idx], Gb, Fb, res.robust, levels)
             for b, (idx, Gb, Fb) in enumerate(bs.solutions) for j in cols]  # type: ignore[attr-defined]
    on_result = counted(progress, len(tasks), lambda n, r: f"BS-DISP {n} of {len(tasks)} (resample × species)")
    out_tasks = run_tasks(_bsdisp_task, tasks, workers, cancel, on_result)
    lower = np.full((len(levels), p, m), np.inf)
    upper = np.full((len(levels), p, m), -np.inf)
    swaps = np.zeros((len(levels), p))
    min_dq = 0.0
    for j, lo, up, sw, mdq in out_tasks:
        lower[:, :, j] = np.fmin(lower[:, :, j], lo)
        upper[:, :, j] = np.fmax(upper[:, :, j], up)
        swaps += sw
        min_dq = min(min_dq, mdq)
    lower[~np.isfinite(lower)] = np.nan
    upper[~np.isfinite(upper)] = np.nan
    out = DisplacementResult(dq_max=levels, lower=lower, upper=upper, swaps=swaps, largest_dq_decrease=min_dq,
                             species_done=names, seconds=time.perf_counter() - t0, kind="BS-DISP",
                             extra={"bootstrap_runs": runs})
    res.bs_disp = out
    return out
