"""Error estimation (BS, DISP, BS-DISP) and rotations (Fpeak, constraints)."""
import numpy as np
import pytest

from models import pmf
from models.pmf.errors_estimation import block_indices
from models.pmf.synthetic import make_synthetic


@pytest.fixture(scope="module")
def base():
    s = make_synthetic(100, 8, 3, seed=7, missing_fraction=0.0)
    data = pmf.prepare(s.X, s.U, s.species, overrides={x: "strong" for x in s.species})
    return pmf.run_pmf(data, 3, starts=4, seed=0, robust=True, workers=1)


def test_block_bootstrap_indices():
    idx = block_indices(50, 5, np.random.default_rng(0))
    assert idx.shape == (50,) and idx.min() >= 0 and idx.max() < 50
    assert np.all(np.diff(idx[:5]) == 1)            # a block is consecutive


def test_bootstrap_maps_well_defined_factors(base):
    bs = pmf.bootstrap(base, 20, seed=1, workers=1)
    assert bs.mapping.shape == (3, 4)
    assert bs.mapping.sum(axis=1).tolist() == [20, 20, 20]
    assert np.all(bs.mapped_fraction() >= 0.9)
    pct = bs.percentiles()
    assert pct.shape == (5, 3, 8)
    assert np.all(pct[0] <= pct[4] + 1e-12)
    assert base.bootstrap is bs


def test_displacement_brackets_base_and_reports_dq(base):
    sp = base.species[:2]
    d = pmf.displacement(base, sp, dq_max=(4.0, 16.0), workers=1)
    F = base.F[:, :2]
    lo, up = d.lower[:, :, :2], d.upper[:, :, :2]
    assert np.all(lo <= F + 1e-9) and np.all(up >= F - 1e-9)
    assert np.all(up[1] >= up[0] - 1e-9)           # larger dQmax → wider interval
    assert np.all(lo >= 0)
    assert d.swaps.shape == (2, 3) and d.swaps.sum() == 0
    assert d.largest_dq_decrease > -1.0            # base run was at its minimum
    assert np.isnan(d.lower[0, 0, 5])               # species not displaced stay empty


def test_bs_disp_envelope(base):
    d = pmf.bs_disp(base, 3, base.species[:1], dq_max=(1.0, 4.0), workers=1)
    assert d.kind == "BS-DISP"
    assert np.all(d.lower[:, :, 0] <= d.upper[:, :, 0])
    assert base.bs_disp is d


def test_fpeak_sharpens_and_costs_q(base):
    pos = pmf.fpeak(base, 0.5)
    neg = pmf.fpeak(base, -0.5)
    assert pos["dQ"] > 0 and neg["dQ"] > 0
    assert (pos["F"] < 1e-6).sum() >= (base.F < 1e-6).sum()
    assert (neg["G"] < 1e-6).sum() >= (base.G < 1e-6).sum()
    rot = pmf.apply_rotation(base, pos)
    assert rot.rotations[-1]["strength"] == 0.5 and rot.q_true == pytest.approx(pos["q_true"])


def test_constraints_set_zero_and_pull(base):
    k = int(np.argmax(base.F[:, 0]))
    out = pmf.constrain(base, [pmf.Constraint("set_zero", k, base.species[0])])
    assert out["F"][k, 0] == 0.0
    assert out["dQ"] > 0
    j = 1
    k2 = int(np.argmin(base.F[:, j]))
    out2 = pmf.constrain(base, [pmf.Constraint("pull_up", k2, base.species[j], dq_limit=5.0)])
    assert out2["F"][k2, j] > base.F[k2, j]
    assert out2["dQ"] <= 5.0 * 1.5
    with pytest.raises(ValueError, match="unknown species"):
        pmf.constrain(base, [pmf.Constraint("set_zero", 0, "nope")])
