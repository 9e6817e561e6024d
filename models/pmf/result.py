"""Typed PMF results: base run, residual diagnostics, error-estimation summaries, xarray export."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import xarray as xr


@dataclass
class StartRecord:
    """One random start of a base run."""

    start: int
    q_true: float
    q_robust: float
    iterations: int
    converged: bool


@dataclass
class BootstrapResult:
    """Bootstrap (BS) error estimation: factor mapping and profile intervals."""

    n_runs: int
    block_size: int
    r_threshold: float
    mapping: np.ndarray          # (p, p+1): base factor k mapped by BS factor in column l; last = unmapped
    profiles: np.ndarray         # (runs, p, m) BS profiles re-ordered to the base factors (NaN if unmatched)
    q_true: np.ndarray           # (runs,)
    seconds: float = 0.0

    def percentiles(self, q=(5, 25, 50, 75, 95)) -> np.ndarray:
        """(len(q), p, m) percentiles of the BS profiles."""
        return np.nanpercentile(self.profiles, q, axis=0)

    def mapped_fraction(self) -> np.ndarray:
        """Share of BS runs in which each base factor was reproduced (diagonal of the mapping)."""
        return np.diag(self.mapping[:, :-1]) / max(self.n_runs, 1)


@dataclass
class DisplacementResult:
    """DISP: profile intervals at each dQmax, swap counts and the largest Q decrease."""

    dq_max: tuple[float, ...]
    lower: np.ndarray            # (levels, p, m)
    upper: np.ndarray            # (levels, p, m)
    swaps: np.ndarray            # (levels, p) count of displacements after which factor k swapped
    largest_dq_decrease: float
    species_done: list[str]
    seconds: float = 0.0
    kind: str = "DISP"           # DISP or BS-DISP
    extra: dict[str, Any] = field(default_factory=dict)


@dataclass
class PMFResult:
    """Base-run solution and everything computed from it."""

    species: list[str]
    index: np.ndarray
    G: np.ndarray
    F: np.ndarray
    X: np.ndarray
    U: np.ndarray
    q_true: float
    q_robust: float
    q_expected: float
    robust: bool
    factors: int
    starts: int
    seed: int
    converged: bool
    start_records: list[StartRecord]
    categories: dict[str, str]
    total: str | None
    engine_version: str
    factor_names: list[str] = field(default_factory=list)
    signature_version: str | None = None
    matches: list[list[tuple[str, float]]] = field(default_factory=list)
    bootstrap: BootstrapResult | None = None
    displacement: DisplacementResult | None = None
    bs_disp: DisplacementResult | None = None
    rotations: list[dict[str, Any]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    cpu_seconds: float = 0.0

    def __post_init__(self) -> None:
        if not self.factor_names:
            self.factor_names = [f"Factor {k + 1}" for k in range(self.factors)]

    # --- diagnostics ---------------------------------------------------------------------------
    @property
    def q_ratio(self) -> float:
        """Q(true)/Qexp."""
        return self.q_true / self.q_expected if self.q_expected > 0 else float("nan")

    def scaled_residuals(self) -> np.ndarray:
        """(X − GF)/U, samples × species."""
        return (self.X - self.G @ self.F) / self.U

    def q_per_species(self) -> np.ndarray:
        s = self.scaled_residuals()
        return np.sum(s * s, axis=0)

    def q_per_sample(self) -> np.ndarray:
        s = self.scaled_residuals()
        return np.sum(s * s, axis=1)

    def residual_stats(self, alpha: float = 4.0) -> dict[str, dict[str, float]]:
        """Per species: Q, Q/n, mean and SD of scaled residuals, share of |s| > alpha (outliers)."""
        s = self.scaled_residuals()
        out = {}
        for j, name in enumerate(self.species):
            c = s[:, j]
            out[name] = {"q": float(np.sum(c * c)), "q_per_sample": float(np.mean(c * c)),
                         "mean": float(c.mean()), "sd": float(c.std()),
                         "share_beyond_alpha": float(np.mean(np.abs(c) > alpha))}
        return out

    # --- profiles and contributions -----------------------------------------------------------
    def profiles_percent(self) -> np.ndarray:
        """% of each species apportioned to each factor (p × m), PMF5's "% of species"."""
        tot = self.F * self.G.mean(axis=0)[:, None]
        s = tot.sum(axis=0)
        return 100.0 * tot / np.where(s > 0, s, np.nan)

    def contributions_mass(self) -> np.ndarray | None:
        """Contributions in units of the total variable (n × p), or None without a total."""
        if self.total is None or self.total not in self.species:
            return None
        j = self.species.index(self.total)
        return self.G * self.F[:, j]

    def total_shares(self, rows: slice | np.ndarray | None = None) -> np.ndarray:
        """Share (%) of each factor in the total variable (or in the summed modelled mass) over ``rows``."""
        G = self.G if rows is None else self.G[rows]
        if self.total is not None and self.total in self.species:
            w = G.mean(axis=0) * self.F[:, self.species.index(self.total)]
        else:
            w = G.mean(axis=0) * self.F.sum(axis=1)
        s = w.sum()
        return 100.0 * w / s if s > 0 else np.full(self.factors, np.nan)

    def summary(self) -> dict[str, Any]:
        """JSON-ready summary (the CLI's summary.json)."""
        out: dict[str, Any] = {
            "engine_version": self.engine_version,
            "signature_library_version": self.signature_version,
            "q_true": self.q_true, "q_robust": self.q_robust, "q_expected": self.q_expected,
            "q_true_over_q_expected": self.q_ratio, "robust": self.robust,
            "factors": self.factors, "starts": self.starts, "seed": self.seed, "converged": self.converged,
            "factor_names": list(self.factor_names),
            "samples": int(self.X.shape[0]), "species": list(self.species),
            "categories": dict(self.categories), "total_variable": self.total,
            "total_shares_percent": dict(zip(self.factor_names, map(float, self.total_shares()))),
            "start_runs": [vars(r) for r in self.start_records],
            "q_per_species": dict(zip(self.species, map(float, self.q_per_species()))),
            "scaled_residuals_per_species": self.residual_stats(),
            "q_per_sample": [float(v) for v in self.q_per_sample()],
            "cpu_seconds": self.cpu_seconds,
            "notes": list(self.notes),
        }
        if self.matches:
            out["signature_matches"] = {n: [{"source": s, "similarity": round(float(v), 4)} for s, v in m]
                                        for n, m in zip(self.factor_names, self.matches)}
        if self.bootstrap is not None:
            b = self.bootstrap
            out["bootstrap"] = {"runs": b.n_runs, "block_size": b.block_size, "r_threshold": b.r_threshold,
                                "mapping": b.mapping.astype(int).tolist(),
                                "mapped_fraction": dict(zip(self.factor_names, map(float, b.mapped_fraction()))),
                                "seconds": b.seconds}
        for key, d in (("displacement", self.displacement), ("bs_disp", self.bs_disp)):
            if d is not None:
                out[key] = {"kind": d.kind, "dq_max": list(d.dq_max), "swaps": d.swaps.astype(int).tolist(),
                            "largest_dq_decrease": d.largest_dq_decrease, "species": d.species_done,
                            "seconds": d.seconds, **{k: v for k, v in d.extra.items() if np.isscalar(v)}}
        if self.rotations:
            out["rotations"] = self.rotations
        return out

    def to_dataset(self) -> xr.Dataset:
        """All arrays as an xarray Dataset (CF-style attributes) for NetCDF export."""
        fac = np.array(self.factor_names, dtype=object).astype(str)
        ds = xr.Dataset(
            {
                "profile": (("factor", "species"), self.F, {"long_name": "factor profile (mass per unit contribution)"}),
                "profile_percent": (("factor", "species"), self.profiles_percent(), {"units": "percent",
                                    "long_name": "percent of species apportioned to factor"}),
                "contribution": (("sample", "factor"), self.G, {"long_name": "normalised factor contribution (mean 1)"}),
                "conc": (("sample", "species"), self.X),
                "unc": (("sample", "species"), self.U, {"long_name": "uncertainty used in the fit"}),
                "scaled_residual": (("sample", "species"), self.scaled_residuals()),
            },
            coords={"factor": fac, "species": np.array(self.species).astype(str),
                    "sample": np.asarray(self.index).astype(str) if np.asarray(self.index).dtype == object
                    else np.asarray(self.index)},
            attrs={"title": "Lantian PMF result", "engine_version": self.engine_version,
                   "signature_library_version": self.signature_version or "",
                   "q_true": self.q_true, "q_robust": self.q_robust, "q_expected": self.q_expected,
                   "robust": int(self.robust), "seed": self.seed, "starts": self.starts,
                   "total_variable": self.total or ""},
        )
        mass = self.contributions_mass()
        if mass is not None:
            ds["contribution_mass"] = (("sample", "factor"), mass, {"long_name": f"contribution to {self.total}"})
        if self.bootstrap is not None:
            pct = self.bootstrap.percentiles()
            ds = ds.assign_coords(percentile=[5, 25, 50, 75, 95])
            ds["bs_profile"] = (("percentile", "factor", "species"), pct)
            ds["bs_mapping"] = (("factor", "bs_factor"), self.bootstrap.mapping)
        for key, d in (("disp", self.displacement), ("bsdisp", self.bs_disp)):
            if d is not None:
                ds = ds.assign_coords({f"{key}_dq_max": list(d.dq_max)})
                ds[f"{key}_lower"] = ((f"{key}_dq_max", "factor", "species"), d.lower)
                ds[f"{key}_upper"] = ((f"{key}_dq_max", "factor", "species"), d.upper)
                ds[f"{key}_swaps"] = ((f"{key}_dq_max", "factor"), d.swaps)
        return ds
