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


def _polluted_sample(n, rng):
    """Heteroscedastic log-space truth whose spread grows with the level; the 'spread model' (``s``) sees
    only part of that growth — as the quantile models do on polluted Beijing hours."""
    m = np.exp(rng.normal(4.2, 0.9, n))
    true_sigma = 0.3 + 0.5 * (m > 150)
    y = np.expm1(np.log1p(m) + rng.normal(0, true_sigma))
    s = 0.3 + 0.1 * (m > 150)                         # under-predicted spread above 150
    return m, y, np.full(n, 24), s


def test_unnormalised_mondrian_and_blend_keep_coverage_on_high_values_held_out():
    from forecasting.calibration import BlendConformal

    rng = np.random.default_rng(7)
    m, y, h, s = _polluted_sample(40_000, rng)       # calibration block
    mt, yt, ht, st = _polluted_sample(40_000, rng)   # held-out block
    norm = BinnedLogConformal.fit(m, y, h, scale=s, n_bins=1)
    plain = BinnedLogConformal.fit(m, y, h, level_edges=(35, 75, 150))
    assert not plain.normalised and len(plain.edges[2]) == 3
    blend = BlendConformal([norm, plain])
    hi = mt > 150

    def cover(cal):
        q = cal.quantiles(mt, ht, [0.1, 0.9], st)
        c = (yt >= q[:, 0]) & (yt <= q[:, 1])
        return c.mean(), c[hi].mean()

    overall, high = cover(norm)
    assert high < 0.72                                # the failure mode: normalised by a too-small spread
    for cal in (plain, blend):
        overall, high = cover(cal)
        assert 0.77 <= overall <= 0.86 and high >= 0.77
    # P(> 150) of the Mondrian calibrator is reliable on held-out data
    p = plain.exceedance(mt, ht, 150.0, st)
    for lo, up in [(0.0, 0.2), (0.2, 0.4), (0.4, 0.6), (0.6, 1.0)]:
        sel = (p >= lo) & (p < up)
        if sel.sum() > 300:
            assert abs((yt[sel] > 150).mean() - p[sel].mean()) < 0.05
    # round trip of both kinds through the saved-model dict; a scale is ignored by the un-normalised one
    back = BinnedLogConformal.from_dict(blend.to_dict())
    assert isinstance(back, BlendConformal)
    np.testing.assert_allclose(back.quantiles(mt[:50], ht[:50], [0.1, 0.9], st[:50]),
                               blend.quantiles(mt[:50], ht[:50], [0.1, 0.9], st[:50]))
    np.testing.assert_allclose(plain.quantiles(mt[:50], ht[:50], [0.1, 0.9], st[:50]),
                               plain.quantiles(mt[:50], ht[:50], [0.1, 0.9]))
    old = norm.to_dict()
    old.pop("normalised")                             # a model saved before the flag existed
    assert BinnedLogConformal.from_dict(old).normalised
