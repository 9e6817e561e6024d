"""PMF5 data conventions: equation uncertainty, missing values, S/N, categories, Qexp."""
import numpy as np
import pytest

from models import pmf
from models.pmf.uncertainty import (apply_categories, categorize, equation_uncertainty, fill_missing,
                                    q_expected, signal_to_noise)


def test_equation_uncertainty_pmf5():
    x = np.array([[0.5, 2.0], [1.0, 10.0]])
    mdl = np.array([1.0, 1.0])
    u = equation_uncertainty(x, mdl, 0.1)
    assert u[0, 0] == pytest.approx(5 / 6)            # below MDL
    assert u[1, 0] == pytest.approx(5 / 6)            # equal to MDL counts as below
    assert u[0, 1] == pytest.approx(np.sqrt(0.2 ** 2 + 0.5 ** 2))
    assert u[1, 1] == pytest.approx(np.sqrt(1.0 + 0.25))


def test_missing_values_median_and_four_times_median():
    x = np.array([[1.0, 5.0], [np.nan, 7.0], [3.0, -999.0], [5.0, 9.0]])
    u = np.ones_like(x)
    xf, uf, rep = fill_missing(x, u)
    assert xf[1, 0] == 3.0 and uf[1, 0] == 12.0
    assert xf[2, 1] == 7.0 and uf[2, 1] == 28.0
    assert rep.replaced.tolist() == [1, 1]


def test_signal_to_noise_pmf5():
    x = np.array([[2.0], [0.5], [4.0]])
    u = np.array([[1.0], [1.0], [1.0]])
    # d = (2-1)/1, 0, (4-1)/1 → mean 4/3
    assert signal_to_noise(x, u)[0] == pytest.approx(4 / 3)


def test_categories_defaults_total_and_overrides():
    cats = categorize(np.array([0.3, 0.8, 3.0, 5.0]), ["a", "b", "c", "PM2.5"], total="PM2.5")
    assert cats == ["bad", "weak", "strong", "weak"]
    cats = categorize(np.array([0.3, 0.8, 3.0, 5.0]), ["a", "b", "c", "PM2.5"], total="PM2.5",
                      overrides={"a": "strong", "c": "bad"})
    assert cats == ["strong", "weak", "bad", "weak"]
    with pytest.raises(ValueError, match="unknown species 'zz'"):
        categorize(np.ones(2), ["a", "b"], overrides={"zz": "weak"})


def test_weak_tripled_bad_dropped_and_qexp():
    u = np.ones((4, 3))
    uu, keep = apply_categories(u, ["strong", "weak", "bad"])
    assert uu[:, 1].tolist() == [3.0] * 4 and keep.tolist() == [True, True, False]
    assert q_expected(307, 41, 6) == 307 * 41 - 6 * (307 + 41)
    data = pmf.prepare(np.abs(np.random.default_rng(0).normal(5, 1, (20, 3))), np.ones((20, 3)), ["a", "b", "c"],
                       overrides={"a": "strong", "b": "weak", "c": "bad"})
    X, U = data.fit_arrays()
    assert X.shape == (20, 2) and np.all(U[:, 1] == 3.0)
    assert data.q_expected(1) == 20 * 1 - 1 * (20 + 1)


@pytest.mark.parametrize("conc,unc,msg", [
    (np.ones((5, 2)), np.ones((5, 3)), "shape"),
    (np.ones((5, 2)), np.r_[np.ones((4, 2)), [[1.0, 0.0]]], "zero or negative uncertainty"),
    (np.ones((5, 2)), -np.ones((5, 2)), "zero or negative uncertainty"),
    (np.c_[np.ones(5), np.full(5, np.nan)], np.ones((5, 2)), "'b' has no valid value"),
])
def test_prepare_rejects_bad_arrays(conc, unc, msg):
    with pytest.raises(pmf.PMFInputError, match=msg):
        pmf.prepare(conc, unc, ["a", "b"])
