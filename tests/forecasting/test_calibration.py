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
    from forecasting.calibration import horizon_band

    assert not plain.normalised and len(plain.edges[int(horizon_band(24))]) == 3
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


def _regime_sample(n, rng):
    """The latest observation ``k`` (an issue-time key) tells how volatile the next day is: a running
    episode (k > 150) gives a wide, right-skewed residual; the spread model ``s`` does not see it."""
    k = np.exp(rng.normal(4.0, 0.9, n))
    m = 0.6 * k + 20
    episode = k > 150
    noise = np.where(episode, rng.gamma(2.0, 0.35, n) - 0.45, rng.normal(0, 0.25, n))
    y = np.expm1(np.log1p(m) + noise)
    return k, m, y, np.full(n, 24), np.full(n, 0.3)


def test_conditioned_calibration_holds_in_each_regime_and_round_trips():
    from forecasting.calibration import ConditionedConformal

    rng = np.random.default_rng(11)
    k, m, y, h, s = _regime_sample(60_000, rng)
    kt, mt, yt, ht, st = _regime_sample(60_000, rng)
    cond = ConditionedConformal.fit("PM2.5_lag0", [35, 75, 150], k, m, y, h, scale=s, n_bins=1)
    pooled = BinnedLogConformal.fit(m, y, h, scale=s, n_bins=1)
    ep = kt > 150
    qc = cond.quantiles(mt, ht, [0.1, 0.9], st, key=kt)
    qp = pooled.quantiles(mt, ht, [0.1, 0.9], st)
    cov = lambda q, sel: ((yt[sel] >= q[sel, 0]) & (yt[sel] <= q[sel, 1])).mean()  # noqa: E731
    # the pooled table fails in the running episodes (and is too wide elsewhere); the conditioned one holds in both
    assert cov(qp, ep) < 0.72 and cov(qp, ~ep) > 0.81
    assert 0.77 <= cov(qc, ep) <= 0.83 and 0.77 <= cov(qc, ~ep) <= 0.83
    pc = cond.exceedance(mt, ht, 150.0, st, key=kt)
    for lo, up in [(0.0, 0.2), (0.2, 0.5), (0.5, 0.8), (0.8, 1.0)]:
        sel = (pc >= lo) & (pc < up)
        if sel.sum() > 300:
            assert abs((yt[sel] > 150).mean() - pc[sel].mean()) < 0.05
    # a missing key falls back to the pooled table; the dict round trip is exact
    np.testing.assert_allclose(cond.quantiles(mt[:20], ht[:20], [0.1, 0.9], st[:20], key=np.full(20, np.nan)),
                               pooled.quantiles(mt[:20], ht[:20], [0.1, 0.9], st[:20]))
    back = BinnedLogConformal.from_dict(cond.to_dict())
    assert isinstance(back, ConditionedConformal)
    np.testing.assert_allclose(back.quantiles(mt[:200], ht[:200], [0.1, 0.5, 0.9], st[:200], key=kt[:200]),
                               cond.quantiles(mt[:200], ht[:200], [0.1, 0.5, 0.9], st[:200], key=kt[:200]))


def test_models_choose_the_calibration_on_held_out_blocks(synth, tiny_cfg):
    import dataclasses

    from forecasting.calibration import ConditionedConformal
    from forecasting.models import make_forecaster
    train = synth.isel(time=slice(0, 1200))
    m = make_forecaster(synth, "PM2.5", [24], met="current").fit(train, tiny_cfg)      # default: auto
    choice = m.meta["calibration_choice"]
    assert set(choice["crps"]) == {"none", "issue-level"}
    best = min(choice["crps"], key=choice["crps"].get)
    assert choice["chosen"] == best
    assert isinstance(m.calibrator, ConditionedConformal) == (best == "issue-level")
    cond = make_forecaster(synth, "PM2.5", [24], met="current").fit(
        train, dataclasses.replace(tiny_cfg, calib_condition="issue-level"))
    assert isinstance(cond.calibrator, ConditionedConformal) and cond.calibrator.feature == "PM2.5_lag0"
    assert cond.calibrator.edges == [35.0, 75.0, 115.0, 150.0, 250.0]       # PM2.5 at AQI 50/100/150/200/300
    plain = make_forecaster(synth, "PM2.5", [24], met="current").fit(
        train, dataclasses.replace(tiny_cfg, calib_condition="none"))
    assert type(plain.calibrator) is BinnedLogConformal and "calibration_choice" not in plain.meta


def test_saved_calibrators_keep_the_horizon_bands_they_were_fitted_on():
    """Tables saved before the per-hour bands (no ``bands`` in the dict) are read with the old bands."""
    from forecasting.calibration import GRID, OLD_HORIZON_BANDS

    rng = np.random.default_rng(3)
    h = rng.integers(1, 73, 20_000)
    m = np.exp(rng.normal(4, 0.5, 20_000))
    y = np.expm1(np.log1p(m) + rng.normal(0, 0.05 + 0.01 * h))      # the error grows with the horizon
    cal = BinnedLogConformal.fit(m, y, h)
    back = BinnedLogConformal.from_dict(cal.to_dict())
    assert back.quantiles(m[:50], h[:50], [0.1, 0.9]).tolist() == cal.quantiles(m[:50], h[:50], [0.1, 0.9]).tolist()
    assert cal.quantiles(np.array([50.0, 50.0]), np.array([1, 3]), [0.9]).ravel().tolist() == \
        sorted(cal.quantiles(np.array([50.0, 50.0]), np.array([1, 3]), [0.9]).ravel().tolist())
    # a legacy dict: one table per old band (0–3, 3–12, 12–24 … h), residual r = band number
    n_old = len(OLD_HORIZON_BANDS) - 1
    legacy = dict(kind="binned-log-conformal", edges={str(b): [] for b in range(n_old)},
                  tables={str(b): [[float(b)] * len(GRID)] for b in range(n_old)},
                  n={str(b): [1000] for b in range(n_old)}, grid=list(GRID), normalised=False, iso={})
    old = BinnedLogConformal.from_dict(legacy)
    assert old.bands == OLD_HORIZON_BANDS
    q = old.quantiles(np.zeros(4), np.array([1, 3, 4, 24]), [0.5])[:, 0]
    assert np.allclose(np.log1p(q), [0, 0, 1, 2])                    # 1 h and 3 h share the old first band
