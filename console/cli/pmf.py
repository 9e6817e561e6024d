"""``lantian pmf …``: PMF source apportionment from EPA PMF 5.0 style input files.

  lantian pmf run  --conc FILE (--unc FILE | --mdl FILE --error-fraction EF) --factors N
                   [--starts S] [--seed K] [--robust] [--bs N] [--disp] [--bs-disp N] --out DIR
  lantian pmf scan --conc FILE --unc FILE --factors 3-8 [--starts S] --out DIR   (Q/Qexp per factor count)
"""
from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

from console.errors import LantianError


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("pmf", help="source apportionment (positive matrix factorization)")
    psub = p.add_subparsers(dest="pmf_command", metavar="ACTION")
    p.set_defaults(func=lambda a: (p.print_help(), 2)[1])

    def common(q: argparse.ArgumentParser) -> None:
        q.add_argument("--conc", required=True, help="concentration file (CSV or tab-separated TXT, first column Date)")
        q.add_argument("--unc", help="uncertainty file with the same layout")
        q.add_argument("--mdl", help="MDL per species (equation-based uncertainty, PMF5)")
        q.add_argument("--error-fraction", help="error fraction (number, or a file per species) with --mdl")
        q.add_argument("--total", help="total variable (e.g. PM2.5); categorised weak")
        q.add_argument("--strong", default="", help="comma-separated species forced strong")
        q.add_argument("--weak", default="", help="comma-separated species forced weak")
        q.add_argument("--bad", default="", help="comma-separated species excluded")
        q.add_argument("--all-strong", action="store_true", help="categorise every species strong")
        q.add_argument("--missing-value", type=float, default=-999.0, help="missing-value code (default -999)")
        q.add_argument("--extra-unc", type=float, default=0.0, help="extra modelling uncertainty (fraction)")
        q.add_argument("--starts", type=int, default=20, help="random starts (default 20)")
        q.add_argument("--seed", type=int, default=0, help="seed of the random starts (default 0)")
        q.add_argument("--robust", action="store_true", help="robust mode (alpha = 4 down-weighting while fitting)")
        q.add_argument("--workers", type=int, default=None, help="worker processes (default: CPUs, max 2)")
        q.add_argument("--out", required=True, help="output directory")
        q.add_argument("--quiet", action="store_true")

    r = psub.add_parser("run", help="base run (+ BS, DISP, BS-DISP, Fpeak, constraints)")
    common(r)
    r.add_argument("--factors", type=int, required=True, help="number of factors")
    r.add_argument("--bs", type=int, default=0, help="bootstrap resamples (e.g. 100)")
    r.add_argument("--bs-block", type=int, default=None, help="bootstrap block size (default ≈ n^(1/3))")
    r.add_argument("--disp", action="store_true", help="displacement error estimation")
    r.add_argument("--disp-species", default="", help="comma-separated species for DISP (default: all)")
    r.add_argument("--bs-disp", type=int, default=0, help="BS-DISP with this many resamples")
    r.add_argument("--fpeak", type=float, default=None, help="Fpeak rotation strength (e.g. 0.5 or -0.5)")
    r.add_argument("--constrain", action="append", default=[],
                   help="profile constraint KIND:FACTOR:SPECIES[:DQ%%], KIND = set_zero|pull_up|pull_down, "
                        "FACTOR a 1-based number or name (repeatable)")
    r.add_argument("--names", default="", help="comma-separated factor names (in output order)")
    r.add_argument("--names-from", help="summary.json of an earlier run: carry its factor names over")
    r.add_argument("--no-netcdf", action="store_true", help="skip result.nc")
    r.set_defaults(func=_run)

    s = psub.add_parser("scan", help="Q(true)/Qexp for a range of factor counts")
    common(s)
    s.add_argument("--factors", required=True, help="range such as 3-8 or list 4,5,6")
    s.set_defaults(func=_scan)


def _split(v: str) -> list[str]:
    return [x.strip() for x in v.split(",") if x.strip()]


def _load(a):
    from console.pmf_io import load_pmf_input, read_table

    cats: dict[str, str] = {}
    if a.all_strong:
        cats.update({s: "strong" for s in read_table(a.conc).species})
    for kind in ("strong", "weak", "bad"):
        for s in _split(getattr(a, kind)):
            cats[s] = kind
    if a.unc is None and a.mdl is None:
        raise LantianError("give --unc FILE, or --mdl FILE with --error-fraction")
    if a.mdl is not None and a.error_fraction is None:
        raise LantianError("--mdl needs --error-fraction (a number such as 0.1, or a file)")
    return load_pmf_input(a.conc, a.unc, mdl=a.mdl, error_fraction=a.error_fraction, total=a.total,
                          categories=cats or None, missing_value=a.missing_value, extra_modeling=a.extra_unc)


def _progress(quiet: bool):
    if quiet:
        return None

    tty = sys.stderr.isatty()

    def cb(done, total, msg):
        if tty:
            print(f"\r  {msg:<60s} [{done}/{total}]", end="" if done < total else "\n", file=sys.stderr, flush=True)
        elif done == total or done % max(1, total // 5) == 0:
            print(f"  {msg} [{done}/{total}]", file=sys.stderr, flush=True)
    return cb


def _check_counts(a) -> None:
    if a.starts < 1:
        raise LantianError(f"--starts must be at least 1 (got {a.starts})")


def _parse_constraint(text: str, res):
    from models.pmf import Constraint

    parts = text.split(":")
    if len(parts) not in (3, 4) or parts[0] not in ("set_zero", "pull_up", "pull_down"):
        raise LantianError(f"--constrain {text!r}: expected KIND:FACTOR:SPECIES[:DQ%] with KIND set_zero, "
                           "pull_up or pull_down")
    kind, fac, sp = parts[:3]
    factor: int | str = int(fac) - 1 if fac.isdigit() else fac
    if isinstance(factor, int) and not 0 <= factor < res.factors:
        raise LantianError(f"--constrain {text!r}: factor {fac} out of range 1..{res.factors}")
    if isinstance(factor, str) and factor not in res.factor_names:
        raise LantianError(f"--constrain {text!r}: no factor named {fac!r} (names: {', '.join(res.factor_names)})")
    if sp not in res.species:
        raise LantianError(f"--constrain {text!r}: species {sp!r} is not fitted")
    dq = float(parts[3]) if len(parts) == 4 else 0.5
    return Constraint(kind, factor, sp, dq_percent=dq)  # type: ignore[arg-type]


def _run(a) -> int:
    from console.pmf_io import write_result
    from models import pmf

    _check_counts(a)
    t0 = time.perf_counter()
    data = _load(a)
    for c in a.constrain:                      # catch constraint typos before the (long) run
        parts = c.split(":")
        if len(parts) not in (3, 4) or parts[0] not in ("set_zero", "pull_up", "pull_down"):
            raise LantianError(f"--constrain {c!r}: expected KIND:FACTOR:SPECIES[:DQ%] with KIND set_zero, "
                               "pull_up or pull_down")
        if parts[1].isdigit() and not 1 <= int(parts[1]) <= a.factors:
            raise LantianError(f"--constrain {c!r}: factor {parts[1]} out of range 1..{a.factors}")
        if parts[2] not in data.fit_species:
            raise LantianError(f"--constrain {c!r}: species {parts[2]!r} is not fitted")
    prog = _progress(a.quiet)
    try:
        res = pmf.run_pmf(data, a.factors, starts=a.starts, seed=a.seed, robust=a.robust, workers=a.workers,
                          progress=prog)
    except pmf.PMFInputError as exc:
        raise LantianError(f"{a.conc}: {exc}") from None
    pmf.annotate(res)
    if a.names_from:
        try:
            old = json.loads(Path(a.names_from).read_text(encoding="utf-8"))
            prof = Path(a.names_from).with_name("profiles.csv")
            from console.pmf_io import read_table
            t = read_table(prof)
            k = len(old["factor_names"])
            carried = pmf.transfer_names(t.values[:, :k].T, t.index, old["factor_names"], res.F, res.species)
            res.factor_names = [c or n for c, n in zip(carried, res.factor_names)]
        except (OSError, KeyError, ValueError) as exc:
            raise LantianError(f"{a.names_from}: cannot carry factor names over ({exc})") from None
    if a.names:
        names = _split(a.names)
        if len(names) != a.factors:
            raise LantianError(f"--names gives {len(names)} names for {a.factors} factors")
        res.factor_names = names
    if a.constrain:
        cons = [_parse_constraint(c, res) for c in a.constrain]
        rot = pmf.constrain(res, cons)
        res = pmf.apply_rotation(res, rot)
        if not a.quiet:
            print(f"  constraints: dQ = {rot['dQ']:.1f} ({rot['dQ_percent']:.2f} %)", file=sys.stderr)
    if a.fpeak is not None:
        rot = pmf.fpeak(res, a.fpeak)
        res = pmf.apply_rotation(res, rot)
        if not a.quiet:
            print(f"  Fpeak {a.fpeak:+g}: dQ = {rot['dQ']:.1f} ({rot['dQ_percent']:.2f} %)", file=sys.stderr)
    if a.bs:
        pmf.bootstrap(res, a.bs, seed=a.seed, block_size=a.bs_block, workers=a.workers, progress=prog)
    if a.disp:
        sp = _split(a.disp_species) or None
        if sp:
            bad = [s for s in sp if s not in res.species]
            if bad:
                raise LantianError(f"--disp-species: {bad[0]!r} is not a fitted species")
        pmf.displacement(res, sp, workers=a.workers, progress=prog)
    if a.bs_disp:
        sp = _split(a.disp_species) or None
        pmf.bs_disp(res, a.bs_disp, sp, seed=a.seed, workers=a.workers, progress=prog)
    files = write_result(res, a.out, netcdf=not a.no_netcdf)
    if not a.quiet:
        print(f"Q(true) {res.q_true:,.1f}  Q(robust) {res.q_robust:,.1f}  Qexp {res.q_expected:,.0f}  "
              f"Q/Qexp {res.q_ratio:.2f}  converged {res.converged}  ({time.perf_counter() - t0:.1f} s)")
        for n, sh in zip(res.factor_names, res.total_shares()):
            print(f"  {n:<40s} {sh:5.1f} %")
        print(f"wrote {len(files)} files to {a.out}")
    return 0


def _parse_range(text: str) -> list[int]:
    try:
        if "-" in text:
            lo, hi = (int(x) for x in text.split("-", 1))
            return list(range(lo, hi + 1))
        return [int(x) for x in _split(text)]
    except ValueError:
        raise LantianError(f"--factors {text!r}: expected a range such as 3-8 or a list 4,5,6") from None


def _scan(a) -> int:
    from models import pmf

    _check_counts(a)
    data = _load(a)
    counts = _parse_range(a.factors)
    try:
        rows = pmf.scan_factors(data, counts, starts=a.starts, seed=a.seed, robust=a.robust, workers=a.workers,
                                progress=_progress(a.quiet))
    except pmf.PMFInputError as exc:
        raise LantianError(f"{a.conc}: {exc}") from None
    out = Path(a.out)
    out.mkdir(parents=True, exist_ok=True)
    (out / "factor_scan.json").write_text(json.dumps(rows, indent=1), encoding="utf-8")
    if not a.quiet:
        for r in rows:
            print(f"{r['factors']:3d} factors  Q(true) {r['q_true']:12,.1f}  Qexp {r['q_expected']:10,.0f}  "
                  f"Q/Qexp {r['q_ratio']:.2f}")
    return 0
