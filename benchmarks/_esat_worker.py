"""Runs inside ESAT's own virtual environment (called by bench_pmf_vs_esat.py); not part of Lantian.

usage: python _esat_worker.py DATA.npz FACTORS STARTS SEED BS DISP_SPECIES OUT.json
"""
import json
import resource
import sys
import time


def cpu():
    a = resource.getrusage(resource.RUSAGE_SELF)
    b = resource.getrusage(resource.RUSAGE_CHILDREN)
    return a.ru_utime + a.ru_stime + b.ru_utime + b.ru_stime


def main():
    path, p, starts, seed, bs_n, disp_n, out = sys.argv[1:8]
    p, starts, seed, bs_n, disp_n = int(p), int(starts), int(seed), int(bs_n), int(disp_n)
    import numpy as np
    from esat.model.batch_sa import BatchSA

    d = np.load(path, allow_pickle=True)
    V, U, labels = d["X"], d["U"], [str(s) for s in d["species"]]
    res = {"esat_version": __import__("importlib.metadata").metadata.version("esat")}
    c0, w0 = cpu(), time.time()
    batch = BatchSA(V=V, U=U, factors=p, models=starts, method="ls-nmf", seed=seed, max_iter=20000,
                    converge_delta=0.1, converge_n=100, parallel=True, cores=2, verbose=False)
    batch.train()
    res["base_cpu"], res["base_wall"] = cpu() - c0, time.time() - w0
    qs = [float(r.Qtrue) for r in batch.results if r is not None]
    res["q_true_all"] = qs
    res["best_q_true"] = min(qs)
    res["best_model_q_true"] = float(batch.results[batch.best_model].Qtrue)
    res["converged"] = [bool(r.converged) for r in batch.results if r is not None]
    res["steps"] = [int(r.converge_steps) for r in batch.results if r is not None]
    best = batch.results[batch.best_model]
    if bs_n:
        from esat.error.bootstrap import Bootstrap
        c0, w0 = cpu(), time.time()
        bs = Bootstrap(sa=best, feature_labels=labels, model_selected=batch.best_model, bootstrap_n=bs_n,
                       block_size=10, threshold=0.6, parallel=True, cpus=2, seed=seed)
        bs.run()
        res["bs_cpu"], res["bs_wall"], res["bs_n"] = cpu() - c0, time.time() - w0, bs_n
    if disp_n:
        from esat.error.displacement import Displacement
        c0, w0 = cpu(), time.time()
        disp = Displacement(sa=best, feature_labels=labels, model_selected=batch.best_model,
                            features=list(range(disp_n)), cores=2, parallel=True)
        disp.run()
        res["disp_cpu"], res["disp_wall"], res["disp_species"] = cpu() - c0, time.time() - w0, disp_n
    with open(out, "w") as fh:
        json.dump(res, fh)


if __name__ == "__main__":
    main()
