"""No leakage: a feature at issue time never uses data after it."""
import numpy as np
import pandas as pd
import pytest

from forecasting import features as F
from forecasting.models import make_forecaster


def test_issue_features_ignore_the_future(synth):
    t = 1000
    full, _ = F.issue_features(synth, "PM2.5")
    cut, _ = F.issue_features(synth.isel(time=slice(0, t + 1)), "PM2.5")
    # scramble everything after t: features at t must not move
    noisy = synth.copy(deep=True)
    rng = np.random.default_rng(1)
    for v in noisy.data_vars:
        noisy[v][:, t + 1:] = rng.random(noisy[v][:, t + 1:].shape) * 1000
    scr, _ = F.issue_features(noisy, "PM2.5")
    assert set(full) == set(cut)
    for name in full:
        np.testing.assert_allclose(full[name][:, t], cut[name][:, t], equal_nan=True, err_msg=name)
        np.testing.assert_allclose(full[name][:, t], scr[name][:, t], equal_nan=True, err_msg=name)


@pytest.mark.parametrize("met", ["current", "none"])
def test_design_matrix_at_issue_time_is_causal_without_future_met(synth, met):
    """The whole row (issue + valid-time features) is unchanged when the future is scrambled."""
    t, h = 900, 24
    m = make_forecaster(synth, "PM2.5", [h], met=met)
    from forecasting.baselines import Climatology
    m.climatology = Climatology.fit(synth["PM2.5"].isel(time=slice(0, 800)))
    noisy = synth.copy(deep=True)
    for v in noisy.data_vars:
        noisy[v][:, t + 1:] = 999.0
    (_, X1, _, _), = list(m.matrices(synth, [h], with_target=False))
    (_, X2, _, _), = list(m.matrices(noisy, [h], with_target=False))
    T = synth.sizes["time"]
    rows = [s * T + t for s in range(synth.sizes["site"])]
    np.testing.assert_allclose(X1[rows], X2[rows], equal_nan=True)


def test_future_met_uses_valid_time_only_when_asked(synth):
    t, h = 900, 24
    m = make_forecaster(synth, "PM2.5", [h], met="observed")
    noisy = synth.copy(deep=True)
    noisy["TEMP"][:, t + h] = 500.0
    (_, X1, _, _), = list(m.matrices(synth, [h], with_target=False))
    (_, X2, _, _), = list(m.matrices(noisy, [h], with_target=False))
    j = m.spec.names.index("f_TEMP")
    assert X2[t, j] == 500.0 and X1[t, j] != 500.0            # the research bound sees t + h …
    mc = make_forecaster(synth, "PM2.5", [h], met="current")
    list(mc.matrices(synth, [h], with_target=False))
    assert not any(n.startswith("f_") for n in mc.spec.names)  # … the operational model never does


def test_training_never_sees_targets_after_train_end(synth, tiny_cfg):
    """Backtest fits on data ≤ origin: changing the test period leaves the fitted model unchanged."""
    from forecasting.backtest import run_backtest

    end = pd.Timestamp(synth["time"].values[1500])
    a = run_backtest(synth, "PM2.5", [6], end, met="current", cfg=tiny_cfg)
    noisy = synth.copy(deep=True)
    noisy["PM2.5"][:, 1501:] = noisy["PM2.5"][:, 1501:] * 3
    b = run_backtest(noisy, "PM2.5", [6], end, met="current", cfg=tiny_cfg)
    X = np.random.default_rng(0).random((5, len(a.models[0].spec.names))).astype(np.float32) * 100
    np.testing.assert_allclose(a.models[0].estimator.predict(X), b.models[0].estimator.predict(X))
    assert a.predictions["issue_time"].min() > end


def test_the_target_days_weather_in_3_hour_blocks():
    """Daily models with weather input see the target day's wind, wind components and humidity spread in eight
    3-hour blocks: block j is the mean of hours t+h−23+3j … t+h−21+3j, and together they cover the day."""
    from forecasting.features import day_met_features

    T, h = 120, 25
    hour = np.arange(T, dtype=np.float32)[None, :]
    fmet = {"WS": hour.copy(), "U": np.ones_like(hour), "V": -np.ones_like(hour), "TEMP": np.full_like(hour, 10.0),
            "DEWP": np.full_like(hour, 4.0), "PRES": np.full_like(hour, 1000.0), "RAIN": np.zeros_like(hour)}
    out = day_met_features(fmet, h)
    t = 30                                                    # issue hour index
    for j in range(8):
        first = t + h - 23 + 3 * j
        assert out[f"f_WS_b{j}"][0, t] == pytest.approx(first + 1.0)          # mean of first, first+1, first+2
        assert out[f"f_SPREAD_b{j}"][0, t] == pytest.approx(6.0) and out[f"f_V_b{j}"][0, t] == pytest.approx(-1.0)
    blocks = np.mean([out[f"f_WS_b{j}"][0, t] for j in range(8)])
    assert blocks == pytest.approx(out["f_WS_day"][0, t])                    # the blocks make up the day
    assert np.isnan(out["f_WS_b7"][0, T - h + 1])                            # no weather beyond the data: missing
