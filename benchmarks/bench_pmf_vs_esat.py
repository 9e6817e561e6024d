"""Lantian PMF vs ESAT (US EPA's Environmental Source Apportionment Toolkit) on the three EPA PMF 5.0
sample data sets, in one run: same data arrays (X, U after PMF5 categories), same factor counts and
number of random starts; CPU time (getrusage self + children, measured inside each process around the
fit only) and best Q(true).

ESAT runs in its own virtual environment (default /work/wt/esat-venv: `python -m venv … && pip install esat`)
through ``benchmarks/_esat_worker.py``.  Results go to benchmarks/results/ (git-ignored).

    python benchmarks/bench_pmf_vs_esat.py [--starts 20] [--bs 100] [--disp] [--esat-bs 20] [--esat-disp 3]
"""
from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
DATA = next((p for p in (ROOT / ".." / "shared" / "data" / "pmf", ROOT / ".." / ".." / "shared" / "data" / "pmf")
             if p.is_dir()), ROOT / ".." / "shared" / "data" / "pmf")
DATASETS = [  # name, conc, unc, factors, total, all-strong
    ("Baton Rouge", "Dataset-BatonRouge-con.csv", "Dataset-BatonRouge-unc.csv", 6, None, True),
    ("St. Louis", "Dataset-StLouis-con.csv", "Dataset-StLouis-unc.csv", 5, "Mass", False),
    ("Baltimore", "Dataset-Baltimore_con.txt", "Dataset-Baltimore_unc.txt", 6, "PM2.5", False),
]


def cpu() -> float:
    a = resource.getrusage(resource.RUSAGE_SELF)
    b = resource.getrusage(resource.RUSAGE_CHILDREN)
    return a.ru_utime + a.ru_stime + b.ru_utime + b.ru_stime


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--starts", type=int, default=20)
    ap.add_argument("--seed", type=int, default=42)
    ap.add_argument("--datasets", default="all", help="comma-separated subset of: baton,louis,baltimore")
    ap.add_argument("--bs", type=int, default=100, help="Lantian bootstrap resamples on Baton Rouge (0 = skip)")
    ap.add_argument("--disp", action="store_true", help="Lantian DISP over all Baton Rouge species")
    ap.add_argument("--esat-bs", type=int, default=0, help="ESAT bootstrap resamples on Baton Rouge (0 = skip)")
    ap.add_argument("--esat-disp", type=int, default=0, help="ESAT DISP on the first K Baton Rouge species")
    ap.add_argument("--esat-python", default=os.environ.get("ESAT_PYTHON", "/work/wt/esat-venv/bin/python"))
    ap.add_argument("--skip-esat", action="store_true")
    a = ap.parse_args()

    import numpy as np
    from console.pmf_io import load_pmf_input, read_table
    from models import pmf

    if not DATA.is_dir():
        print(f"needs {DATA} (EPA PMF sample sets)", file=sys.stderr)
        return 2
    keys = {"baton": 0, "louis": 1, "baltimore": 2}
    chosen = DATASETS if a.datasets == "all" else [DATASETS[keys[k.strip()]] for k in a.datasets.split(",")]
    out_dir = ROOT / "benchmarks" / "results"
    out_dir.mkdir(parents=True, exist_ok=True)
    rows, extra = [], {}
    tmp = Path(tempfile.mkdtemp(prefix="pmfbench"))
    for name, cf, uf, p, total, all_strong in chosen:
        cats = {s: "strong" for s in read_table(DATA / cf).species} if all_strong else None
        data = load_pmf_input(DATA / cf, DATA / uf, total=total, categories=cats)
        X, U = data.fit_arrays()
        npz = tmp / f"{name.replace(' ', '_')}.npz"
        np.savez(npz, X=X, U=U, species=np.array(data.fit_species))
        c0, w0 = cpu(), time.time()
        res = pmf.run_pmf(data, p, starts=a.starts, seed=a.seed, robust=False, workers=2)
        l_cpu, l_wall = cpu() - c0, time.time() - w0
        row = {"dataset": name, "shape": list(X.shape), "factors": p, "starts": a.starts, "lantian_cpu": l_cpu,
               "lantian_wall": l_wall, "lantian_q": res.q_true,
               "lantian_converged": sum(r.converged for r in res.start_records)}
        print(f"[lantian] {name}: Q(true) {res.q_true:,.1f}  CPU {l_cpu:.1f} s  wall {l_wall:.1f} s", flush=True)
        is_br = name == "Baton Rouge"
        if is_br and a.bs:
            c0, w0 = cpu(), time.time()
            pmf.bootstrap(res, a.bs, seed=a.seed, workers=2)
            extra["lantian_bs"] = {"runs": a.bs, "cpu": cpu() - c0, "wall": time.time() - w0,
                                   "mapped": res.bootstrap.mapped_fraction().tolist()}
            print(f"[lantian] BS-{a.bs}: CPU {extra['lantian_bs']['cpu']:.1f} s wall {extra['lantian_bs']['wall']:.1f} s")
        if is_br and a.disp:
            c0, w0 = cpu(), time.time()
            d = pmf.displacement(res, workers=2)
            extra["lantian_disp"] = {"species": len(d.species_done), "cpu": cpu() - c0, "wall": time.time() - w0,
                                     "swaps": d.swaps.tolist(), "largest_dq_decrease": d.largest_dq_decrease}
            print(f"[lantian] DISP all {len(d.species_done)} species: CPU {extra['lantian_disp']['cpu']:.1f} s "
                  f"wall {extra['lantian_disp']['wall']:.1f} s")
        if not a.skip_esat:
            ej = tmp / f"{npz.stem}_esat.json"
            cmd = [a.esat_python, str(ROOT / "benchmarks" / "_esat_worker.py"), str(npz), str(p), str(a.starts),
                   str(a.seed), str(a.esat_bs if is_br else 0), str(a.esat_disp if is_br else 0), str(ej)]
            proc = subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
            if proc.returncode != 0 or not ej.exists():
                print(f"[esat] {name}: failed: {proc.stderr[-800:]}", file=sys.stderr)
            else:
                e = json.loads(ej.read_text())
                row.update({"esat_cpu": e["base_cpu"], "esat_wall": e["base_wall"], "esat_q": e["best_q_true"],
                            "esat_converged": sum(e["converged"]), "esat_version": e["esat_version"]})
                print(f"[esat] {name}: Q(true) {e['best_q_true']:,.1f}  CPU {e['base_cpu']:.1f} s", flush=True)
                for k in ("bs", "disp"):
                    if f"{k}_cpu" in e:
                        extra[f"esat_{k}"] = {"cpu": e[f"{k}_cpu"], "wall": e[f"{k}_wall"],
                                              "n": e.get(f"{k}_n", e.get("disp_species"))}
        rows.append(row)

    hdr = f"{'dataset':<12} {'factors':>7} {'starts':>6} {'Lantian CPU s':>13} {'ESAT CPU s':>10} {'ratio':>6} " \
          f"{'Lantian best Q':>14} {'ESAT best Q':>12} {'Q ratio':>8}"
    lines = [hdr, "-" * len(hdr)]
    for r in rows:
        ec, eq, lc, lq = r.get("esat_cpu"), r.get("esat_q"), r["lantian_cpu"], r["lantian_q"]
        ec_s = f"{ec:.1f}" if ec else "-"
        ratio_s = f"{ec / lc:.1f}x" if ec else "-"
        eq_s = f"{eq:,.1f}" if eq else "-"
        qr_s = f"{lq / eq:.4f}" if eq else "-"
        lines.append(f"{r['dataset']:<12} {r['factors']:>7} {r['starts']:>6} {lc:>13.1f} {ec_s:>10} {ratio_s:>6} "
                     f"{lq:>14,.1f} {eq_s:>12} {qr_s:>8}")
    for k, v in extra.items():
        lines.append(f"{k}: " + json.dumps({kk: (round(vv, 1) if isinstance(vv, float) else vv)
                                              for kk, vv in v.items() if kk not in ("swaps", "mapped")}))
    table = "\n".join(lines)
    print(table)
    stamp = time.strftime("%Y%m%dT%H%M%S")
    (out_dir / f"pmf_vs_esat_{stamp}.txt").write_text(table + "\n", encoding="utf-8")
    (out_dir / f"pmf_vs_esat_{stamp}.json").write_text(json.dumps({"rows": rows, "extra": extra}, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
