"""PMF5 data preparation: equation-based uncertainty, missing values, S/N and species categories.

All functions work on plain arrays (samples × species) and return new arrays; nothing is read from
files here (that is ``console.pmf_io``).
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Literal, Mapping, Sequence

import numpy as np

Category = Literal["strong", "weak", "bad"]
WEAK_FACTOR = 3.0
"""PMF5 triples the uncertainty of weak species."""


def equation_uncertainty(conc: np.ndarray, mdl: np.ndarray, error_fraction: np.ndarray | float) -> np.ndarray:
    """PMF5 equation-based uncertainty.

    x ≤ MDL → 5/6·MDL; otherwise √((EF·x)² + (0.5·MDL)²).  ``mdl`` and ``error_fraction`` broadcast
    per species (shape (m,)) or per cell.  Missing concentrations (NaN) give NaN.
    """
    x = np.asarray(conc, float)
    mdl = np.broadcast_to(np.asarray(mdl, float), x.shape)
    ef = np.broadcast_to(np.asarray(error_fraction, float), x.shape)
    with np.errstate(invalid="ignore"):
        above = np.sqrt((ef * x) ** 2 + (0.5 * mdl) ** 2)
        return np.where(np.isnan(x), np.nan, np.where(x <= mdl, 5.0 / 6.0 * mdl, above))


@dataclass(frozen=True)
class MissingReport:
    """How many cells were replaced per species (PMF5: median, uncertainty 4 × median)."""

    replaced: np.ndarray  # (m,) counts
    mask: np.ndarray      # (n, m) True where the value was missing


def fill_missing(conc: np.ndarray, unc: np.ndarray, missing_value: float | None = -999.0
                 ) -> tuple[np.ndarray, np.ndarray, MissingReport]:
    """Replace missing cells as PMF5 does: species median, uncertainty 4 × species median.

    A cell is missing when its concentration or its uncertainty is NaN or equals ``missing_value``.
    Raises ``ValueError`` naming the species when a species has no value at all.
    """
    x = np.array(conc, float, copy=True)
    u = np.array(unc, float, copy=True)
    miss = np.isnan(x) | np.isnan(u)
    if missing_value is not None:
        miss |= (x == missing_value) | (u == missing_value)
    allmiss = miss.all(axis=0)
    if allmiss.any():
        raise ValueError(f"species index {int(np.flatnonzero(allmiss)[0])} has no valid value")
    xm = np.where(miss, np.nan, x)
    med = np.nanmedian(xm, axis=0)
    x = np.where(miss, med, x)
    u = np.where(miss, 4.0 * med, u)
    return x, u, MissingReport(replaced=miss.sum(axis=0), mask=miss)


def signal_to_noise(conc: np.ndarray, unc: np.ndarray) -> np.ndarray:
    """PMF5 S/N per species: d = (x − u)/u where x > u else 0; S/N = mean(d)."""
    x = np.asarray(conc, float)
    u = np.asarray(unc, float)
    d = np.where(x > u, (x - u) / u, 0.0)
    return d.mean(axis=0)


def categorize(sn: np.ndarray, species: Sequence[str], *, weak_below: float = 1.0, bad_below: float = 0.5,
               total: str | None = None, overrides: Mapping[str, Category] | None = None) -> list[Category]:
    """Automatic categories from S/N (PMF5 defaults: < 0.5 bad, < 1 weak), the total variable weak,
    then the user's ``overrides`` (species → category) win."""
    cats: list[Category] = []
    for name, v in zip(species, np.asarray(sn, float)):
        c: Category = "bad" if v < bad_below else "weak" if v < weak_below else "strong"
        if total is not None and name == total:
            c = "weak"
        cats.append(c)
    for name, c in (overrides or {}).items():
        if name not in species:
            raise ValueError(f"category override for unknown species '{name}'")
        if c not in ("strong", "weak", "bad"):
            raise ValueError(f"unknown category '{c}' for species '{name}' (strong, weak or bad)")
        cats[list(species).index(name)] = c
    return cats


def apply_categories(unc: np.ndarray, categories: Sequence[Category], extra_modeling: float = 0.0,
                     conc: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
    """Uncertainty used in the fit and the column mask of species kept.

    Weak species: U × 3; bad species: dropped (mask False).  ``extra_modeling`` (PMF5 "extra modeling
    uncertainty", a fraction of the concentration) is added in quadrature when ``conc`` is given.
    """
    u = np.array(unc, float, copy=True)
    if extra_modeling and conc is not None:
        u = np.sqrt(u ** 2 + (extra_modeling * np.asarray(conc, float)) ** 2)
    cats = np.asarray(categories)
    u[:, cats == "weak"] *= WEAK_FACTOR
    return u, cats != "bad"


def q_expected(n_samples: int, n_strong: int, n_factors: int) -> float:
    """Qexp = n·m − p·(n + m), counting only strong species (PMF5)."""
    return float(n_samples * n_strong - n_factors * (n_samples + n_strong))
