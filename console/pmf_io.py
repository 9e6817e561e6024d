"""Reading EPA PMF 5.0 input layouts and writing PMF results (CSV, JSON, NetCDF).

Layouts read (as the EPA sample data sets): first column ``Date`` (or any sample id), one column per
species; comma separated ``.csv`` or tab separated ``.txt``; trailing empty rows (e.g. 27 rows of
tabs in the Baltimore files) are ignored; empty cells are missing values (as is ``-999`` by default).
Two forms: concentration + uncertainty files, or concentration + MDL (+ error fraction), the PMF5
equation-based uncertainty.  Every problem is an :class:`~console.errors.InputError` naming the file,
line and column.
"""
from __future__ import annotations

import csv
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Mapping, Sequence

import numpy as np

from console.errors import InputError, LantianError
from models.pmf import PMFData, PMFInputError, PMFResult, prepare
from models.pmf.uncertainty import equation_uncertainty


@dataclass
class Table:
    """A parsed sample × species table."""

    path: str
    index_name: str
    index: list[str]
    species: list[str]
    values: np.ndarray          # float, NaN = empty cell
    lines: list[int]            # file line number of each row


def _sniff_delimiter(path: Path, first: str) -> str:
    if path.suffix.lower() in (".txt", ".tsv", ".tab") or first.count("\t") > first.count(","):
        return "\t"
    return ","


def read_table(path: str | Path) -> Table:
    """Read one PMF5-style table (CSV or tab-separated TXT)."""
    p = Path(path)
    if not p.is_file():
        raise InputError(str(p), "file not found")
    try:
        text = p.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError:
        text = p.read_text(encoding="latin-1")
    lines = text.splitlines()
    if not lines or not lines[0].strip():
        raise InputError(str(p), "empty file or empty header line", line=1)
    delim = _sniff_delimiter(p, lines[0])
    rows = list(csv.reader(lines, delimiter=delim))
    header = [h.strip() for h in rows[0]]
    while header and header[-1] == "":
        header.pop()
    if len(header) < 2:
        raise InputError(str(p), "need a sample/Date column and at least one species column "
                                 f"(is the separator {'tab' if delim == chr(9) else 'comma'}?)", line=1)
    species = header[1:]
    for j, s in enumerate(species):
        if not s:
            raise InputError(str(p), f"empty species name in header column {j + 2}", line=1)
    dup = sorted({s for s in species if species.count(s) > 1})
    if dup:
        raise InputError(str(p), "duplicate species column", line=1, field=dup[0])
    body = rows[1:]
    # drop trailing empty rows (only separators/whitespace)
    while body and all(not c.strip() for c in body[-1]):
        body.pop()
    idx, vals, lnos = [], [], []
    m = len(species)
    for i, row in enumerate(body):
        lno = i + 2
        if all(not c.strip() for c in row):
            continue
        cells = [c.strip() for c in row]
        extra = cells[m + 1:]
        if any(extra):
            raise InputError(str(p), f"row has {len(cells)} cells but the header has {m + 1}", line=lno)
        cells = (cells + [""] * (m + 1))[: m + 1]
        rec = np.empty(m)
        for j, c in enumerate(cells[1:]):
            if c == "" or c.upper() in ("NA", "NAN"):
                rec[j] = np.nan
                continue
            try:
                rec[j] = float(c)
            except ValueError:
                raise InputError(str(p), f"non-numeric value {c!r}", line=lno, field=species[j]) from None
        idx.append(cells[0])
        vals.append(rec)
        lnos.append(lno)
    if not vals:
        raise InputError(str(p), "no data rows")
    return Table(str(p), header[0], idx, species, np.array(vals), lnos)


def _check_pair(a: Table, b: Table, what: str) -> None:
    if a.species != b.species:
        if len(a.species) != len(b.species):
            raise InputError(b.path, f"{len(b.species)} species columns but {a.path} has {len(a.species)}; "
                                     f"the {what} file must have the same columns as the concentration file", line=1)
        j = next(k for k, (x, y) in enumerate(zip(a.species, b.species)) if x != y)
        raise InputError(b.path, f"header disagrees with {a.path} (expected {a.species[j]!r})", line=1,
                         field=b.species[j])
    if len(a.index) != len(b.index):
        raise InputError(b.path, f"{len(b.index)} data rows but {a.path} has {len(a.index)}; the {what} file "
                                 "must have one row per sample")
    for i, (x, y) in enumerate(zip(a.index, b.index)):
        if x != y:
            raise InputError(b.path, f"sample {y!r} where {a.path} has {x!r}", line=b.lines[i], field=b.index_name)


def _check_unc(unc: Table, conc: Table, missing_value: float | None) -> None:
    u = unc.values
    miss = np.isnan(u) | np.isnan(conc.values)
    if missing_value is not None:
        miss |= (u == missing_value) | (conc.values == missing_value)
    bad = (~miss) & (u <= 0)
    if bad.any():
        i, j = map(int, np.argwhere(bad)[0])
        raise InputError(unc.path, f"uncertainty must be > 0 (found {u[i, j]:g}; {int(bad.sum())} such cells)",
                         line=unc.lines[i], field=unc.species[j])


def _check_species(conc: Table, missing_value: float | None) -> None:
    miss = np.isnan(conc.values)
    if missing_value is not None:
        miss |= conc.values == missing_value
    allm = miss.all(axis=0)
    if allm.any():
        j = int(np.flatnonzero(allm)[0])
        raise InputError(conc.path, "species has no value at all (all missing); remove it or mark it bad",
                         field=conc.species[j])


def read_species_values(path: str | Path, species: Sequence[str], what: str) -> np.ndarray:
    """Per-species values (MDL or error fraction): one row under a species header, or two columns
    ``species,value``."""
    t = read_table(path)
    if set(species) <= set(t.species) and len(t.index) >= 1:
        row = t.values[0]
        vals = np.array([row[t.species.index(s)] for s in species])
    elif len(t.species) == 1:
        lookup = dict(zip(t.index, t.values[:, 0]))
        missing = [s for s in species if s not in lookup]
        if missing:
            raise InputError(t.path, f"no {what} for species", field=missing[0])
        vals = np.array([lookup[s] for s in species])
    else:
        miss = [s for s in species if s not in t.species]
        raise InputError(t.path, f"no {what} column for species", field=miss[0] if miss else None)
    if np.isnan(vals).any():
        raise InputError(t.path, f"{what} is empty", field=species[int(np.flatnonzero(np.isnan(vals))[0])])
    return vals


def load_pmf_input(conc: str | Path, unc: str | Path | None = None, *, mdl: str | Path | None = None,
                   error_fraction: float | str | Path | None = None, total: str | None = None,
                   categories: Mapping[str, str] | None = None, missing_value: float | None = -999.0,
                   weak_below: float = 1.0, bad_below: float = 0.5, extra_modeling: float = 0.0) -> PMFData:
    """Read and validate PMF input files into :class:`models.pmf.PMFData`."""
    c = read_table(conc)
    if unc is not None and mdl is not None:
        raise LantianError("give either an uncertainty file or an MDL file (equation-based), not both")
    if unc is not None:
        u = read_table(unc)
        _check_pair(c, u, "uncertainty")
        _check_unc(u, c, missing_value)
        U = u.values
    elif mdl is not None:
        mdl_v = read_species_values(mdl, c.species, "MDL")
        if np.any(mdl_v <= 0):
            j = int(np.flatnonzero(mdl_v <= 0)[0])
            raise InputError(str(mdl), f"MDL must be > 0 (found {mdl_v[j]:g})", field=c.species[j])
        if error_fraction is None:
            raise LantianError("equation-based uncertainty needs --error-fraction (a number such as 0.1, or a file)")
        try:
            ef = np.full(len(c.species), float(error_fraction))  # type: ignore[arg-type]
        except (TypeError, ValueError):
            ef = read_species_values(error_fraction, c.species, "error fraction")  # type: ignore[arg-type]
        if np.any(ef < 0):
            raise LantianError(f"error fraction must be ≥ 0 (got {ef.min():g})")
        X = c.values.copy()
        if missing_value is not None:
            X[X == missing_value] = np.nan
        U = equation_uncertainty(X, mdl_v, ef)
    else:
        raise LantianError("give an uncertainty file (--unc) or an MDL file with an error fraction (--mdl)")
    _check_species(c, missing_value)
    if total is not None and total not in c.species:
        raise InputError(c.path, "total variable is not a column of the concentration file", field=total)
    if categories:
        for s in categories:
            if s not in c.species:
                raise InputError(c.path, "category given for a species that is not a column", field=s)
    try:
        return prepare(c.values, U, c.species, np.array(c.index, dtype=object), total=total,
                       overrides=categories, missing_value=missing_value, weak_below=weak_below,
                       bad_below=bad_below, extra_modeling=extra_modeling)  # type: ignore[arg-type]
    except PMFInputError as exc:
        raise InputError(c.path, str(exc)) from None


# ------------------------------------------------------------------------- exports ------------------
def _csv(path: Path, header: Sequence[str], rows) -> None:
    with path.open("w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(header)
        for r in rows:
            w.writerow([f"{v:.6g}" if isinstance(v, (float, np.floating)) else v for v in r])


def write_result(res: PMFResult, out_dir: str | Path, netcdf: bool = True) -> list[Path]:
    """Write summary.json, profiles.csv, contributions.csv, residuals.csv and, when present,
    bootstrap/DISP/BS-DISP tables and result.nc.  Returns the files written."""
    out = Path(out_dir)
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise LantianError(f"{out}: cannot create output directory ({exc.strerror})") from None
    names = list(res.factor_names)
    files = []
    f = out / "summary.json"
    f.write_text(json.dumps(res.summary(), indent=1, ensure_ascii=False, default=float), encoding="utf-8")
    files.append(f)
    pct = res.profiles_percent()
    f = out / "profiles.csv"
    _csv(f, ["species", *names, *[f"{n} (% of species)" for n in names]],
         ([s, *res.F[:, j], *pct[:, j]] for j, s in enumerate(res.species)))
    files.append(f)
    mass = res.contributions_mass()
    hdr = ["Date", *names] + ([f"{n} ({res.total})" for n in names] if mass is not None else [])
    f = out / "contributions.csv"
    _csv(f, hdr, ([d, *res.G[i], *(mass[i] if mass is not None else [])] for i, d in enumerate(res.index)))
    files.append(f)
    f = out / "residuals.csv"
    s = res.scaled_residuals()
    _csv(f, ["Date", *res.species], ([d, *s[i]] for i, d in enumerate(res.index)))
    files.append(f)
    if res.bootstrap is not None:
        b = res.bootstrap
        pc = b.percentiles()
        f = out / "bootstrap.csv"
        _csv(f, ["factor", "species", "base", "p05", "p25", "median", "p75", "p95"],
             ([names[k], sp, res.F[k, j], *pc[:, k, j]] for k in range(res.factors) for j, sp in enumerate(res.species)))
        files.append(f)
        f = out / "bootstrap_mapping.csv"
        _csv(f, ["base factor", *[f"BS {n}" for n in names], "unmapped"],
             ([names[k], *map(int, b.mapping[k])] for k in range(res.factors)))
        files.append(f)
    for stem, d in (("disp", res.displacement), ("bs_disp", res.bs_disp)):
        if d is None:
            continue
        f = out / f"{stem}.csv"
        cols = [res.species.index(sp) for sp in d.species_done]
        _csv(f, ["factor", "species", "base", "dq_max", "lower", "upper"],
             ([names[k], res.species[j], res.F[k, j], q, d.lower[li, k, j], d.upper[li, k, j]]
              for li, q in enumerate(d.dq_max) for k in range(res.factors) for j in cols))
        files.append(f)
        f = out / f"{stem}_swaps.csv"
        _csv(f, ["dq_max", *names], ([q, *map(int, d.swaps[li])] for li, q in enumerate(d.dq_max)))
        files.append(f)
    if netcdf:
        f = out / "result.nc"
        try:
            res.to_dataset().to_netcdf(f)
            files.append(f)
        except Exception as exc:  # pragma: no cover - depends on the NetCDF backend installed
            raise LantianError(f"{f}: NetCDF export failed ({exc})") from None
    return files
