import numpy as np
import pytest

from forecasting import metrics as M


def test_point_metrics_by_hand():
    o = np.array([1.0, 2.0, 3.0, 4.0, np.nan])
    p = np.array([2.0, 2.0, 2.0, 4.0, 9.0])
    assert M.rmse(o, p) == pytest.approx(np.sqrt(2 / 4))
    assert M.mae(o, p) == pytest.approx(0.5)
    assert M.r2(o, p) == pytest.approx(1 - 2 / 5)
    assert M.skill(o, p, np.array([4.0, 4.0, 4.0, 4.0, 4.0])) == pytest.approx(1 - 0.5 / (14 / 4))


def test_categories_and_contingency():
    assert list(M.category([10, 35, 35.5, 75, 116, 151, 251, np.nan])) == [1, 1, 2, 2, 4, 5, 6, 0]
    ex, pm1 = M.category_accuracy([1, 2, 3, 4], [1, 3, 5, 0])
    assert ex == pytest.approx(1 / 3) and pm1 == pytest.approx(2 / 3)
    c = M.contingency([1, 1, 0, 0, 1], [1, 0, 1, 0, 1])
    assert (c["hits"], c["misses"], c["false_alarms"]) == (2, 1, 1)
    assert c["pod"] == pytest.approx(2 / 3) and c["far"] == pytest.approx(1 / 3) and c["csi"] == pytest.approx(0.5)


def test_probabilistic_scores_by_hand():
    o = np.array([1, 0, 1, 0])
    p = np.array([0.9, 0.1, 0.6, 0.3])
    assert M.brier(o, p) == pytest.approx((0.01 + 0.01 + 0.16 + 0.09) / 4)
    assert M.brier_skill(o, p) == pytest.approx(1 - 0.0675 / 0.25)
    rel = M.reliability(o, p, n_bins=2)
    assert rel[0]["n"] == 2 and rel[0]["observed_freq"] == 0 and rel[1]["observed_freq"] == 1
    assert M.pinball([10.0], [8.0], 0.9) == pytest.approx(0.9 * 2)
    assert M.pinball([10.0], [12.0], 0.9) == pytest.approx(0.1 * 2)
    assert M.coverage([1, 5, 10], [0, 6, 9], [2, 7, 11]) == pytest.approx(2 / 3)


def test_crps_from_quantiles_matches_gaussian():
    rng = np.random.default_rng(0)
    from scipy.stats import norm
    lv = (np.arange(1, 200) ) / 200
    y = rng.normal(0, 1, 4000)
    q = np.broadcast_to(norm.ppf(lv), (len(y), len(lv)))
    exact = np.mean(y * (2 * norm.cdf(y) - 1) + 2 * norm.pdf(y) - 1 / np.sqrt(np.pi))
    assert M.crps_from_quantiles(y, q, lv) == pytest.approx(exact, rel=0.03)
