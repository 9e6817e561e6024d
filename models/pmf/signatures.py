"""Factor interpretation: match PMF profiles against the versioned source-signature library.

The library (``resources/pmf/source_signatures.json``) gives, per source, species → mass fraction
and literature references.  Species names are matched through aliases after normalisation
(case, punctuation: "Total Nitrate" = "NO3", "M_P Xylene" = "m/p-xylene").  The similarity is the
cosine between the square-rooted mass-fraction vectors over the data's known species (total
variables excluded), in [0, 1]; the square root keeps a major species from hiding the tracers.
"""
from __future__ import annotations

import json
import re
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from typing import Sequence

import numpy as np

LIBRARY_FILE = "source_signatures.json"


@dataclass(frozen=True)
class Signature:
    """One library source."""

    id: str
    name: str
    name_zh: str
    group: str
    profile: dict[str, float]
    references: tuple[str, ...]
    tracers: tuple[str, ...] = ()


@dataclass(frozen=True)
class Library:
    """The loaded signature library."""

    version: str
    sources: tuple[Signature, ...]
    aliases: dict[str, str]           # normalised alias → canonical
    totals: frozenset[str]            # normalised names of total variables

    def canonical(self, name: str) -> str:
        key = _norm(name)
        return self.aliases.get(key, key)


def _norm(name: str) -> str:
    return re.sub(r"[^0-9a-z]", "", str(name).lower())


@lru_cache(maxsize=4)
def load_library(text: str | None = None) -> Library:
    """Load the library shipped in ``resources.pmf`` (or parse ``text``, for tests)."""
    if text is None:
        text = resources.files("resources.pmf").joinpath(LIBRARY_FILE).read_text(encoding="utf-8")
    doc = json.loads(text)
    aliases: dict[str, str] = {}
    for canon, names in doc.get("species_aliases", {}).items():
        for n in [canon, *names]:
            aliases[_norm(n)] = _norm(canon)
    srcs = tuple(Signature(s["id"], s["name"], s.get("name_zh", ""), s.get("group", ""),
                           {_norm(k) if _norm(k) not in aliases else aliases[_norm(k)]: float(v)
                            for k, v in s["profile_mass_fraction"].items()},
                           tuple(s.get("references", ())),
                           tuple(aliases.get(_norm(t), _norm(t)) for t in s.get("tracers", ())))
                 for s in doc["sources"])
    return Library(str(doc["version"]), srcs, aliases, frozenset(_norm(t) for t in doc.get("total_variables", ())))


def similarity_matrix(F: np.ndarray, species: Sequence[str], library: Library | None = None,
                      min_overlap: int = 2, missing_tracer_penalty: float = 0.8) -> tuple[np.ndarray, list[Signature]]:
    """(p × sources) similarity of each factor profile with each library source.

    Sources sharing fewer than ``min_overlap`` species with the data are left out (returned list).
    A source none of whose marker species (``tracers``) is in the data is scaled by
    ``missing_tracer_penalty`` (e.g. ship emissions without V or Ni cannot be confirmed).
    """
    lib = library or load_library()
    canon = [lib.canonical(s) for s in species]
    keep = [j for j, c in enumerate(canon) if c not in lib.totals]
    ck = [canon[j] for j in keep]
    Fk = np.maximum(np.asarray(F, float)[:, keep], 0.0)
    tot = Fk.sum(axis=1, keepdims=True)
    frac = np.sqrt(Fk / np.where(tot > 0, tot, 1.0))
    used, cols = [], []
    for s in lib.sources:
        v = np.array([s.profile.get(c, 0.0) for c in ck])
        if np.count_nonzero(v) < min(min_overlap, len(s.profile)) or v.sum() <= 0:
            continue
        v = np.sqrt(v / v.sum())
        used.append(s)
        cols.append(v)
    if not used:
        return np.zeros((F.shape[0], 0)), []
    S = np.array(cols).T                                    # m' × sources
    num = frac @ S
    den = np.linalg.norm(frac, axis=1, keepdims=True) * np.linalg.norm(S, axis=0, keepdims=True)
    sim = num / np.where(den > 0, den, 1.0)
    present = set(ck)
    pen = np.array([1.0 if not s.tracers or present.intersection(s.tracers) else missing_tracer_penalty
                    for s in used])
    return sim * pen[None, :], used


def match_factors(F: np.ndarray, species: Sequence[str], top: int = 3, library: Library | None = None
                  ) -> list[list[tuple[str, float]]]:
    """Best ``top`` (source name, similarity) per factor, best first."""
    sim, used = similarity_matrix(F, species, library)
    out = []
    for k in range(sim.shape[0]):
        order = np.argsort(-sim[k])[:top]
        out.append([(used[i].name, float(sim[k, i])) for i in order])
    return out


def annotate(res, top: int = 3, threshold: float = 0.6, rename: bool = True, library: Library | None = None):
    """Store matches and the library version in a PMFResult; name unnamed factors after the best match
    with similarity ≥ ``threshold`` (names the analyst already gave are kept)."""
    lib = library or load_library()
    res.matches = match_factors(res.F, res.species, top, lib)
    res.signature_version = lib.version
    if rename:
        used: set[str] = set()
        names = list(res.factor_names)
        for k, m in enumerate(res.matches):
            if names[k] != f"Factor {k + 1}" or not m:
                used.add(names[k])
                continue
            name, score = m[0]
            if score >= threshold:
                cand = name if name not in used else f"{name} ({k + 1})"
                names[k] = cand
                used.add(cand)
        res.factor_names = names
    return res.matches


def transfer_names(old_F: np.ndarray, old_species: Sequence[str], old_names: Sequence[str],
                   new_F: np.ndarray, new_species: Sequence[str], r_min: float = 0.8) -> list[str | None]:
    """Carry analyst names to a new solution: each new factor takes the name of the old factor whose
    profile (on common species, normalised) it matches best (one-to-one, cosine ≥ ``r_min``)."""
    from scipy.optimize import linear_sum_assignment

    common = [s for s in new_species if s in old_species]
    a = np.array([[old_F[k, list(old_species).index(s)] for s in common] for k in range(old_F.shape[0])])
    b = np.array([[new_F[k, list(new_species).index(s)] for s in common] for k in range(new_F.shape[0])])
    a = a / np.maximum(np.linalg.norm(a, axis=1, keepdims=True), 1e-300)
    b = b / np.maximum(np.linalg.norm(b, axis=1, keepdims=True), 1e-300)
    sim = b @ a.T
    rows, cols = linear_sum_assignment(-sim)
    out: list[str | None] = [None] * new_F.shape[0]
    for r, c in zip(rows, cols):
        if sim[r, c] >= r_min:
            out[r] = old_names[c]
    return out
