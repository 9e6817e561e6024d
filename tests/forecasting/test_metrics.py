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


def test_reliability_interval_clusters_by_day():
    """A reliable forecast is consistent in every bin; a biased one is not; clustering widens the interval."""
    rng = np.random.default_rng(3)
    days = np.repeat(np.arange(400), 24)
    p = np.repeat(rng.uniform(0, 1, 400), 24)            # one probability per day
    truth = np.repeat(rng.uniform(0, 1, 400) < p[::24], 24).astype(float)   # one outcome per day (an episode)
    share = lambda rows: np.mean([r["consistent"] for r in rows if r["n"]])  # noqa: E731
    rows = M.reliability(truth, p, groups=days)
    assert share(rows) >= 0.8                      # 95 % intervals: about one bin in twenty misses by chance
    assert all(r["groups"] <= 400 for r in rows if r["n"])
    biased = M.reliability(truth, np.clip(p + 0.25, 0, 1), groups=days)
    assert share(biased) <= 0.3
    # treating the 24 hours of a day as independent would give a far narrower (wrong) interval
    hourly = M.reliability(truth, p, groups=np.arange(len(p)))
    width = lambda rows: np.mean([r["observed_hi"] - r["observed_lo"] for r in rows if r["n"]])  # noqa: E731
    assert width(rows) > 2.5 * width(hourly)
    # without groups the table is as before (no interval keys)
    assert "observed_lo" not in M.reliability(truth, p)[0]
