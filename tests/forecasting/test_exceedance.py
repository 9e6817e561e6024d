"""Pooled exceedance probabilities: the CDF remap, the pool weight, and a fitted model end to end."""
import numpy as np
import pytest

from forecasting.calibration import GRID
from forecasting.exceedance import choose_weight, logit_pool, remap_cdf, remap_quantiles
from forecasting.models import make_forecaster
from forecasting.store import load_bundle, save_bundle


def _normal_quantiles(mu, sd, levels):
    from scipy.stats import norm
    return mu[:, None] + sd[:, None] * norm.ppf(np.asarray(levels))[None, :]


def test_remap_hits_the_knots_and_keeps_the_shape_between_them():
    from scipy.stats import norm
    rng = np.random.default_rng(1)
    mu, sd = rng.uniform(50, 150, 200), rng.uniform(10, 40, 200)
    base = _normal_quantiles(mu, sd, GRID)
    knots = np.array([75.0, 115.0, 150.0])
    F0 = norm.cdf((knots[None, :] - mu[:, None]) / sd[:, None])
    G = np.clip(F0 + rng.uniform(-0.1, 0.1, F0.shape), 0.01, 0.99)
    G = np.maximum.accumulate(G, axis=1)
    # the pooled CDF at each knot is exactly the target value (where the base CDF separates the knots) …
    sep = (np.diff(F0, axis=1) > 1e-6).all(axis=1) & (F0[:, 0] > 1e-6) & (F0[:, -1] < 1 - 1e-6)
    assert sep.sum() > 100
    for j, c in enumerate(knots):
        np.testing.assert_allclose(remap_cdf(F0[sep, j], F0[sep], G[sep]), G[sep, j], atol=1e-9)
    # … the quantile at that probability is the knot itself (inside the base grid's resolution) …
    gaps = np.diff(np.concatenate([np.zeros((len(G), 1)), G, np.ones((len(G), 1))], axis=1), axis=1)
    distinct = (gaps[:, :-1] > 1e-3) & (gaps[:, 1:] > 1e-3)      # the level belongs to this knot alone
    inside = distinct & (G > 0.02) & (G < 0.98) & (F0 > 0.02) & (F0 < 0.98)
    for j, c in enumerate(knots):
        rows = np.where(inside[:, j])[0]
        q = np.array([remap_quantiles(base[[r]], GRID, F0[[r]], G[[r]], [G[r, j]])[0, 0] for r in rows])
        np.testing.assert_allclose(q, c, rtol=0.01)
    # … quantiles increase with the level, and G == F0 gives back the base distribution
    q = remap_quantiles(base, GRID, F0, G, [0.1, 0.5, 0.9])
    assert (np.diff(q, axis=1) >= 0).all()
    same = remap_quantiles(base, GRID, F0, F0, [0.1, 0.5, 0.9])
    np.testing.assert_allclose(same, _normal_quantiles(mu, sd, [0.1, 0.5, 0.9]), rtol=2e-3)


def test_pool_weight_is_chosen_by_out_of_sample_log_loss():
    rng = np.random.default_rng(2)
    truth = rng.uniform(0, 1, 20_000)
    event = (rng.uniform(0, 1, truth.size) < truth).astype(float)
    sharp = truth                                       # a perfect classifier
    blunt = np.full(truth.size, event.mean())           # the base rate only
    assert choose_weight(event, sharp, blunt)[0] == 1.0
    assert choose_weight(event, blunt, sharp)[0] == 0.0
    # the two ends of the pool are its parts
    np.testing.assert_allclose(logit_pool(sharp, blunt, 1.0), np.clip(sharp, 1e-4, 1 - 1e-4), atol=1e-9)
    np.testing.assert_allclose(logit_pool(sharp, blunt, 0.0), blunt, atol=1e-9)


@pytest.fixture(scope="module")
def pooled_model(synth, tiny_cfg):
    import dataclasses
    m = make_forecaster(synth, "PM2.5", [6, 24], met="current")
    # a fixed weight: the synthetic data are log-normal, so the out-of-sample choice may rightly be 0
    return m.fit(synth.isel(time=slice(0, 1500)), dataclasses.replace(tiny_cfg, exceedance_pool=True, pool_weight=0.5))


def test_fitted_model_pools_and_its_probabilities_match_its_quantiles(pooled_model, synth, tmp_path):
    m = pooled_model
    assert m.pool is not None, "synthetic PM2.5 has enough events above 75 µg/m³ for a pooled knot"
    info = m.meta["exceedance_pool"]
    assert info["thresholds"] and info["weights"] == [0.5] * len(info["thresholds"])
    for knot in info["info"].values():       # the out-of-sample log loss of every candidate weight is recorded
        assert knot["events"] >= 100 and len(knot["oos_log_loss"]) == 11
    h, X, _, rows = next(m.matrices(synth, [24], with_target=False))
    X = X[1500:2000]
    levels = np.round(np.arange(0.01, 0.995, 0.01), 2)
    _, q, _ = m.distribution(X, h, levels)
    for c in m.pool.thresholds + [60.0]:
        p = m.exceedance(X, h, c)
        ok = np.isfinite(p)
        implied = 1 - (q[ok] <= c).mean(axis=1)       # P(Y > c) read off the quantile grid
        assert np.abs(implied - p[ok]).max() <= 0.02
    # the pool survives a save/load round trip (classifiers are trusted skops entries)
    save_bundle([m], tmp_path / "m.zip")
    (m2,), _ = load_bundle(tmp_path / "m.zip")
    assert m2.pool is not None and m2.pool.weights == m.pool.weights
    np.testing.assert_allclose(m2.exceedances(X, h, m.pool.thresholds), m.exceedances(X, h, m.pool.thresholds))
    np.testing.assert_allclose(m2.distribution(X, h, [0.1, 0.9])[1], m.distribution(X, h, [0.1, 0.9])[1])


def test_pool_is_off_by_default(synth, tiny_cfg):
    m = make_forecaster(synth, "PM2.5", [6], met="current")
    m.fit(synth.isel(time=slice(0, 900)), tiny_cfg)
    assert m.pool is None and m.meta["exceedance_pool"] is None


def test_seasonal_recalibration_learns_a_season_the_distribution_ignores():
    """Events twice as likely in winter as the probabilities say, and rarer in summer: the seasonal logistic
    recalibration finds that from out-of-sample cases and moves the probabilities the right way."""
    from forecasting.exceedance import apply_season, fit_season

    rng = np.random.default_rng(0)
    n = 40_000
    doy = rng.integers(1, 366, n)
    p = rng.uniform(0.05, 0.6, n)
    winter = np.cos(2 * np.pi * doy / 365.25)                 # +1 at new year, −1 at midsummer
    true = 1 / (1 + np.exp(-(np.log(p / (1 - p)) + 0.8 * winter)))
    event = rng.random(n) < true
    coef = fit_season(p, doy, event)
    assert 0.6 < coef[3] < 1.0 and abs(coef[1] - 1.0) < 0.15   # cos term and the slope on logit p
    q = apply_season(np.array([0.2, 0.2, np.nan]), np.array([15, 196, 15]), coef)
    assert q[0] > 0.3 and q[1] < 0.12 and np.isnan(q[2])


def test_a_trend_over_the_training_years_gives_the_map_as_at_the_training_end():
    """Events that grow rarer year by year than the probabilities say: the map fitted with a linear trend and
    kept at the end of training lowers the probabilities more than the map of all years pooled."""
    from forecasting.exceedance import apply_season, fit_season

    rng = np.random.default_rng(1)
    n = 60_000
    years = rng.uniform(-3.0, 0.0, n)                          # valid time, years before the end of training
    p = rng.uniform(0.05, 0.5, n)
    true = 1 / (1 + np.exp(-(np.log(p / (1 - p)) - 0.4 * (years + 3.0))))   # odds fall 0.4 per year
    event = rng.random(n) < true
    doy = rng.integers(1, 366, n)
    pooled = apply_season(np.array([0.3]), np.array([100]), fit_season(p, doy, event, harmonics=0), harmonics=0)
    at_end = fit_season(p, doy, event, harmonics=0, years=years)
    assert len(at_end) == 2
    q = apply_season(np.array([0.3]), np.array([100]), at_end, harmonics=0)
    expected = 1 / (1 + np.exp(-(np.log(0.3 / 0.7) - 1.2)))      # the odds at the end: × exp(−1.2)
    assert q[0] == pytest.approx(expected, abs=0.02) and q[0] < pooled[0] - 0.05


@pytest.mark.parametrize("option, n_coef", [("season_recalibration", 6), ("forward_recalibration", 2),
                                            ("trend_recalibration", 2)])
def test_a_model_with_a_logistic_recalibration_round_trips(synth, tiny_cfg, tmp_path, option, n_coef):
    """Seasonal map (logit p + two harmonics, all cross-fit cases) and forward Platt map (logit p only, the last
    cross-fit block): fitted, used consistently by quantiles and exceedances, saved and loaded."""
    import dataclasses

    cfg = dataclasses.replace(tiny_cfg, pool_min_events=50, **{option: True})
    m = make_forecaster(synth, "PM2.5", [24], met="current").fit(synth, cfg)
    assert m.pool is not None and m.pool.season["feature"] == "v_doy" and len(m.pool.season["coef"]) >= 1
    assert {len(c) for c in m.pool.season["coef"]} == {n_coef}
    assert all(w == 0.0 for w in m.pool.weights) and m.meta["exceedance_pool"]["season"] == m.pool.season
    (h, X, _, rows), = list(m.matrices(synth, [24], with_target=False))
    X = X[rows][-500:]
    _, q, _ = m.distribution(X, h, [0.1, 0.5, 0.9])
    assert (np.diff(q, axis=1) >= 0).all()
    save_bundle([m], tmp_path / "s.zip")
    (m2,), _ = load_bundle(tmp_path / "s.zip")
    np.testing.assert_allclose(m2.distribution(X, h, [0.1, 0.5, 0.9])[1], q)
    np.testing.assert_allclose(m2.exceedances(X, h, m.pool.thresholds), m.exceedances(X, h, m.pool.thresholds))
