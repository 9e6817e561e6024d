"""PMF analyses as plain ``run(spec, cancel, progress)`` jobs, for the console panel's worker thread
(Orange-style: no Qt here, progress and cancellation through callables)."""
from __future__ import annotations

import threading
from dataclasses import dataclass, field
from typing import Callable

import numpy as np

from console.errors import LantianError
from models import pmf
from models.pmf.data import PMFData

Progress = Callable[[int, int, str], None]


@dataclass
class RunSpec:
    """What the analyst asked for."""

    factors: int
    starts: int = 20
    seed: int = 0
    robust: bool = True
    bs: int = 0
    disp: bool = False
    disp_species: list[str] | None = None
    bs_disp: int = 0
    fpeak: float | None = None
    workers: int | None = None
    names: list[str] | None = None
    scan: list[int] = field(default_factory=list)


def run_job(data: PMFData, spec: RunSpec, cancel: threading.Event | None = None,
            progress: Progress | None = None):
    """Base run (+ signature matching, Fpeak, BS, DISP, BS-DISP) → PMFResult; a factor scan when
    ``spec.scan`` is given → list of dict rows.  Raises LantianError for impossible requests and
    models.pmf.Cancelled when cancelled."""
    stop = (lambda: cancel.is_set()) if cancel is not None else None
    try:
        if spec.scan:
            return pmf.scan_factors(data, spec.scan, starts=spec.starts, seed=spec.seed, robust=spec.robust,
                                    workers=spec.workers, cancel=stop, progress=progress)
        res = pmf.run_pmf(data, spec.factors, starts=spec.starts, seed=spec.seed, robust=spec.robust,
                          workers=spec.workers, cancel=stop, progress=progress)
    except pmf.PMFInputError as exc:
        raise LantianError(str(exc)) from None
    pmf.annotate(res)
    if spec.names:
        carried = spec.names[: res.factors] + res.factor_names[len(spec.names):]
        res.factor_names = carried
    if spec.fpeak:
        res = pmf.apply_rotation(res, pmf.fpeak(res, spec.fpeak))
    if spec.bs:
        pmf.bootstrap(res, spec.bs, seed=spec.seed, workers=spec.workers, cancel=stop, progress=progress)
    if spec.disp:
        pmf.displacement(res, spec.disp_species, workers=spec.workers, cancel=stop, progress=progress)
    if spec.bs_disp:
        pmf.bs_disp(res, spec.bs_disp, spec.disp_species, seed=spec.seed, workers=spec.workers, cancel=stop,
                    progress=progress)
    return res


def sample_times(index) -> np.ndarray | None:
    """Sample labels as POSIX seconds (for time axes), or None when they are not dates."""
    import pandas as pd

    try:
        t = pd.to_datetime(pd.Series(np.asarray(index).astype(str)), format="mixed")
    except (ValueError, TypeError):
        return None
    if t.isna().any():
        return None
    return (t.astype("datetime64[ns]").astype("int64") / 1e9).to_numpy()
