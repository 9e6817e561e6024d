"""Prepared PMF input: concentrations, uncertainties, species categories (PMF5 conventions)."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Mapping, Sequence

import numpy as np

from models.pmf.uncertainty import (Category, MissingReport, apply_categories, categorize, fill_missing,
                                    q_expected, signal_to_noise)


class PMFInputError(ValueError):
    """Input that cannot be factorised; the message names the species/field at fault."""


@dataclass
class PMFData:
    """Concentrations and uncertainties (samples × species) ready for the solver.

    ``conc``/``unc`` hold every species (after missing-value replacement); ``categories`` decide which
    enter the fit (bad excluded) and with which uncertainty (weak × 3).
    """

    conc: np.ndarray
    unc: np.ndarray
    species: list[str]
    index: np.ndarray
    categories: list[Category]
    sn: np.ndarray
    total: str | None = None
    missing: MissingReport | None = None
    extra_modeling: float = 0.0
    notes: list[str] = field(default_factory=list)

    @property
    def fit_species(self) -> list[str]:
        """Species that enter the fit (not bad)."""
        return [s for s, c in zip(self.species, self.categories) if c != "bad"]

    def fit_arrays(self) -> tuple[np.ndarray, np.ndarray]:
        """(X, U) of the fitted species with weak uncertainties tripled."""
        u, keep = apply_categories(self.unc, self.categories, self.extra_modeling, self.conc)
        return self.conc[:, keep], u[:, keep]

    def n_strong(self) -> int:
        return sum(c == "strong" for c in self.categories)

    def q_expected(self, factors: int) -> float:
        """Qexp for ``factors`` factors (strong species only)."""
        return q_expected(self.conc.shape[0], self.n_strong(), factors)

    def with_categories(self, overrides: Mapping[str, Category]) -> "PMFData":
        """A copy with some categories changed by the analyst."""
        cats = list(self.categories)
        for name, c in overrides.items():
            if name not in self.species:
                raise PMFInputError(f"unknown species '{name}'")
            if c not in ("strong", "weak", "bad"):
                raise PMFInputError(f"unknown category '{c}' for species '{name}'")
            cats[self.species.index(name)] = c
        return PMFData(self.conc, self.unc, self.species, self.index, cats, self.sn, self.total, self.missing,
                       self.extra_modeling, list(self.notes))


def prepare(conc: np.ndarray, unc: np.ndarray, species: Sequence[str], index: Sequence | None = None, *,
            total: str | None = None, overrides: Mapping[str, Category] | None = None,
            missing_value: float | None = -999.0, weak_below: float = 1.0, bad_below: float = 0.5,
            extra_modeling: float = 0.0) -> PMFData:
    """Validate and prepare arrays as PMF5 does (missing → median/4×median, S/N, categories).

    Raises :class:`PMFInputError` for shape mismatch, non-positive uncertainties, an all-missing
    species or an unknown total variable.
    """
    x = np.asarray(conc, float)
    u = np.asarray(unc, float)
    species = [str(s) for s in species]
    if x.ndim != 2 or x.shape != u.shape:
        raise PMFInputError(f"concentration shape {x.shape} and uncertainty shape {u.shape} differ")
    if x.shape[1] != len(species):
        raise PMFInputError(f"{x.shape[1]} columns but {len(species)} species names")
    if len(set(species)) != len(species):
        dup = sorted({s for s in species if species.count(s) > 1})
        raise PMFInputError(f"duplicate species {dup}")
    if x.shape[0] < 3:
        raise PMFInputError(f"only {x.shape[0]} samples")
    miss = np.isnan(x) | np.isnan(u)
    if missing_value is not None:
        miss |= (x == missing_value) | (u == missing_value)
    for j, s in enumerate(species):
        if miss[:, j].all():
            raise PMFInputError(f"species '{s}' has no valid value (all missing)")
        bad = (~miss[:, j]) & (u[:, j] <= 0)
        if bad.any():
            i = int(np.flatnonzero(bad)[0])
            raise PMFInputError(f"species '{s}' has a zero or negative uncertainty ({u[i, j]:g}) in sample {i + 1}"
                                f" ({int(bad.sum())} such cells); PMF needs U > 0")
    if total is not None and total not in species:
        raise PMFInputError(f"total variable '{total}' is not a species")
    x, u, rep = fill_missing(x, u, missing_value)
    for j, s in enumerate(species):
        if not np.any(u[:, j] > 0):
            raise PMFInputError(f"species '{s}' has median 0 so its missing-value uncertainty is 0")
    if np.any(u <= 0):
        j = int(np.flatnonzero((u <= 0).any(axis=0))[0])
        raise PMFInputError(f"species '{species[j]}': missing values replaced by a median of 0 give zero "
                            "uncertainty; mark the species bad or supply values")
    sn = signal_to_noise(x, u)
    try:
        cats = categorize(sn, species, weak_below=weak_below, bad_below=bad_below, total=total, overrides=overrides)
    except ValueError as exc:
        raise PMFInputError(str(exc)) from None
    idx = np.arange(x.shape[0]) if index is None else np.asarray(index)
    notes = []
    if rep.replaced.any():
        notes.append("missing values replaced by the species median (uncertainty 4 × median): " +
                     ", ".join(f"{s} {int(c)}" for s, c in zip(species, rep.replaced) if c))
    return PMFData(x, u, species, idx, cats, sn, total, rep, extra_modeling, notes)
