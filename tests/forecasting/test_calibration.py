"""Calibrated intervals hold on held-out data — overall and on high values."""
import numpy as np

from forecasting.calibration import BinnedLogConformal


def _sample(n, rng):
    m = np.exp(rng.normal(4, 0.8, n))                 # predicted level
    sigma = 0.2 + 0.25 * (np.log(m) > 4.5)            # polluted cases are more uncertain
    y = m * np.exp(rng.normal(0.1, sigma))            # biased, heteroscedastic truth
    h = rng.integers(1, 73, n)
    return m, y, h


def test_coverage_on_held_out_data_including_high_values():
    rng = np.random.default_rng(42)
    cal = BinnedLogConformal.fit(*_sample(40_000, rng))
    m, y, h = _sample(40_000, rng)
    q = cal.quantiles(m, h, [0.1, 0.5, 0.9])
    cover = (y >= q[:, 0]) & (y <= q[:, 2])
    assert 0.78 <= cover.mean() <= 0.82
    hi = m > np.exp(4.8)
    assert 0.76 <= cover[hi].mean() <= 0.84
    # exceedance probabilities are reliable
    p = cal.exceedance(m, h, 150.0)
    for lo, up in [(0.0, 0.2), (0.2, 0.5), (0.5, 0.8), (0.8, 1.0)]:
        sel = (p >= lo) & (p < up)
        if sel.sum() > 300:
            assert abs((y[sel] > 150).mean() - p[sel].mean()) < 0.05


def test_scale_normalisation_and_round_trip():
    rng = np.random.default_rng(1)
    m, y, h = _sample(20_000, rng)
    s = np.where(np.log(m) > 4.5, 2.0, 1.0)
    cal = BinnedLogConformal.fit(m, y, h, scale=s)
    back = BinnedLogConformal.from_dict(cal.to_dict())
    np.testing.assert_allclose(cal.quantiles(m[:50], h[:50], [0.1, 0.9], s[:50]),
                               back.quantiles(m[:50], h[:50], [0.1, 0.9], s[:50]))
    q = cal.quantiles(m, h, [0.1, 0.9], s)
    assert 0.77 <= ((y >= q[:, 0]) & (y <= q[:, 1])).mean() <= 0.83
