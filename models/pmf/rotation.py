"""Rotations and constraints of a base solution: Fpeak and profile constraints, each with dQ.

* Fpeak (PMF2/PMF5 idea): a strength φ defines the rotation G → G(I + D), F → (I + D)⁻¹F with
  D = φ/(p−1)·(J − I).  φ > 0 sharpens profiles (more zeros in F), φ < 0 sharpens contributions.
  The rotated, non-negative profiles are a soft target (pseudo-observations weighted ``pull`` × the
  data weight of each element) while the data are refitted, so Q rises by a reported dQ.
* Constraints: ``set_zero`` pins f_kj = 0; ``pull_up``/``pull_down`` move f_kj as far as possible
  while dQ stays within a limit (absolute, or % of the base Q as in PMF5).  All pins are then refitted
  together and the final dQ is reported.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Literal, Sequence

import numpy as np

from models.pmf.result import PMFResult
from models.pmf.solver import q_values, weighted_nmf

ConstraintKind = Literal["set_zero", "pull_up", "pull_down"]


@dataclass(frozen=True)
class Constraint:
    """One profile constraint on factor ``factor`` (0-based index or name) and ``species``."""

    kind: ConstraintKind
    factor: int | str
    species: str
    dq_limit: float | None = None       # absolute dQ allowed for pull_up / pull_down
    dq_percent: float | None = 0.5      # or % of Q (PMF5 default style) when dq_limit is None


def _q(res: PMFResult, G, F) -> float:
    qt, qr = q_values(res.X, res.U, G, F)
    return qr if res.robust else qt


def fpeak(res: PMFResult, strength: float, *, pull: float = 0.03, max_iter: int = 2000) -> dict:
    """Fpeak rotation of ``res`` (not modified); returns dict with G, F, q_true, q_robust, dQ.

    ``pull`` sets the weight of the rotational pseudo-observations relative to the data weight of
    each element (scale free), so dQ grows smoothly with |strength|.
    """
    p = res.factors
    if p < 2:
        raise ValueError("Fpeak needs at least 2 factors")
    D = strength / (p - 1) * (np.ones((p, p)) - np.eye(p))
    Tg = np.eye(p) + D
    # rotated profiles, rescaled so that the rotated contributions keep mean 1, clipped at 0
    target = np.maximum((1.0 + strength) * np.linalg.solve(Tg, res.F), 0.0)
    W = 1.0 / res.U ** 2
    fw0 = pull * ((res.G * res.G).T @ W)

    def rot(G, F):
        return None, (fw0, target)

    fit = weighted_nmf(res.X, res.U, res.G, res.F, robust=res.robust, max_iter=max_iter, tol=0.01, n_conv=10,
                       rotation=rot)
    q0 = _q(res, res.G, res.F)
    q1 = fit.q_robust if res.robust else fit.q_true
    out = {"kind": "fpeak", "strength": strength, "G": fit.G, "F": fit.F, "q_true": fit.q_true,
           "q_robust": fit.q_robust, "dQ": q1 - q0, "dQ_percent": 100.0 * (q1 - q0) / q0,
           "converged": fit.converged}
    return out


def _factor_index(res: PMFResult, f: int | str) -> int:
    if isinstance(f, str):
        if f in res.factor_names:
            return res.factor_names.index(f)
        raise ValueError(f"unknown factor '{f}'")
    if not 0 <= f < res.factors:
        raise ValueError(f"factor index {f} out of range 0..{res.factors - 1}")
    return int(f)


def _refit(res, G, F, pins: dict[tuple[int, int], float], max_iter=1500):
    fm = np.zeros(F.shape, bool)
    fv = np.zeros(F.shape)
    F1 = F.copy()
    for (k, j), v in pins.items():
        fm[k, j] = True
        fv[k, j] = v
        F1[k, j] = v
    fit = weighted_nmf(res.X, res.U, G, F1, robust=res.robust, max_iter=max_iter, tol=0.01, n_conv=5,
                       f_fixed=(fm, fv))
    return fit


def constrain(res: PMFResult, constraints: Sequence[Constraint], *, max_evals: int = 12) -> dict:
    """Apply profile constraints; returns dict with G, F, dQ and per-constraint final values."""
    q0 = _q(res, res.G, res.F)
    pins: dict[tuple[int, int], float] = {}
    report = []
    G, F = res.G, res.F
    for c in constraints:
        if c.species not in res.species:
            raise ValueError(f"unknown species '{c.species}' in constraint")
        k, j = _factor_index(res, c.factor), res.species.index(c.species)
        f0 = float(F[k, j])
        qref = q0
        if pins:
            base_fit = _refit(res, G, F, pins)
            qref = base_fit.q_robust if res.robust else base_fit.q_true
        if c.kind == "set_zero":
            pins[(k, j)] = 0.0
        elif c.kind in ("pull_up", "pull_down"):
            limit = c.dq_limit if c.dq_limit is not None else (c.dq_percent or 0.5) / 100.0 * q0
            sign = 1.0 if c.kind == "pull_up" else -1.0
            lo, hi = 0.0, (f0 if sign < 0 else max(10 * F[:, j].max(), 10 * f0, 1e-9))
            if sign < 0:
                trial = dict(pins)
                trial[(k, j)] = 0.0
                fit = _refit(res, G, F, trial)
                if (fit.q_robust if res.robust else fit.q_true) - qref <= limit:
                    lo = hi
            for _ in range(max_evals):
                if hi - lo <= 1e-6 * max(hi, 1e-12):
                    break
                mid = 0.5 * (lo + hi)
                trial = dict(pins)
                trial[(k, j)] = f0 + sign * mid
                fit = _refit(res, G, F, trial, max_iter=600)
                dq = (fit.q_robust if res.robust else fit.q_true) - qref
                if dq <= limit:
                    lo = mid
                else:
                    hi = mid
            pins[(k, j)] = max(f0 + sign * lo, 0.0)
        else:
            raise ValueError(f"unknown constraint kind '{c.kind}' (set_zero, pull_up, pull_down)")
        report.append({"kind": c.kind, "factor": k, "species": c.species, "from": f0, "to": pins[(k, j)]})
    fit = _refit(res, G, F, pins)
    q1 = fit.q_robust if res.robust else fit.q_true
    return {"kind": "constraints", "G": fit.G, "F": fit.F, "q_true": fit.q_true, "q_robust": fit.q_robust,
            "dQ": q1 - q0, "dQ_percent": 100.0 * (q1 - q0) / q0, "constraints": report}


def apply_rotation(res: PMFResult, rotated: dict) -> PMFResult:
    """A copy of ``res`` carrying the rotated/constrained G and F (dQ recorded in ``rotations``)."""
    import copy

    new = copy.copy(res)
    new.G, new.F = rotated["G"], rotated["F"]
    new.q_true, new.q_robust = rotated["q_true"], rotated["q_robust"]
    new.bootstrap = new.displacement = new.bs_disp = None
    meta = {k: v for k, v in rotated.items() if k not in ("G", "F")}
    new.rotations = list(res.rotations) + [meta]
    return new
