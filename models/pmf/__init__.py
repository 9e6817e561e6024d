"""Positive Matrix Factorization (PMF) source apportionment — the science, no Qt, no files.

Typical use::

    from models import pmf
    data = pmf.prepare(conc, unc, species, dates, total="PM2.5")
    res = pmf.run_pmf(data, 6, starts=20, seed=1)
    pmf.bootstrap(res, 100); pmf.displacement(res)
    pmf.annotate(res)               # signature-library matches and default names
    ds = res.to_dataset()           # xarray, for NetCDF export
"""
from models.pmf.data import PMFData, PMFInputError, prepare
from models.pmf.engine import SolverOptions, run_pmf, scan_factors
from models.pmf.errors_estimation import bootstrap, bs_disp, displacement
from models.pmf.result import BootstrapResult, DisplacementResult, PMFResult
from models.pmf.rotation import Constraint, apply_rotation, constrain, fpeak
from models.pmf.signatures import annotate, load_library, match_factors, transfer_names
from models.pmf.solver import Cancelled, weighted_nmf
from models.pmf.uncertainty import equation_uncertainty, signal_to_noise
from models.pmf.version import ENGINE_VERSION

__all__ = ["PMFData", "PMFInputError", "prepare", "SolverOptions", "run_pmf", "scan_factors", "bootstrap",
           "bs_disp", "displacement", "BootstrapResult", "DisplacementResult", "PMFResult", "Constraint",
           "apply_rotation", "constrain", "fpeak", "annotate", "load_library", "match_factors",
           "transfer_names", "Cancelled", "weighted_nmf", "equation_uncertainty", "signal_to_noise",
           "ENGINE_VERSION"]
