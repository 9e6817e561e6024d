"""The daily models' hourly input: the target day's statistic of a stacked hourly model (forecasting/hourly_day.py)."""
from __future__ import annotations

import dataclasses

import numpy as np
import pytest

from forecasting import hourly_day as HD
from forecasting.models import make_forecaster, target_series


def test_day_statistics_match_the_targets_daily_statistics():
    """Mean, maximum and MDA8 of 24 hourly values are the daily statistics the daily models forecast."""
    import xarray as xr
    import pandas as pd

    rng = np.random.default_rng(1)
    vals = rng.gamma(2.0, 30.0, size=(2, 48)).astype(np.float32)
    ds = xr.Dataset({"O3": (("site", "time"), vals)},
                    coords={"site": ["a", "b"], "time": pd.date_range("2020-01-01 01:00", periods=48, freq="h")})
    day = vals[:, 24:48]
    assert np.allclose(HD.day_statistic(day, "mean24"), target_series(ds, "O3", "mean24")[:, 47], rtol=1e-5)
    assert np.allclose(HD.day_statistic(day, "max1h24"), target_series(ds, "O3", "max1h24")[:, 47])
    # MDA8 within the day: the largest of the day's 17 full 8-hour means
    windows = np.stack([day[:, i:i + 8].mean(axis=1) for i in range(17)], axis=1)
    assert np.allclose(HD.day_statistic(day, "mda8"), windows.max(axis=1), rtol=1e-5)
    with pytest.raises(ValueError):
        HD.day_statistic(day, "median")


def test_each_daily_horizon_averages_the_hours_of_its_own_day(synth):
    """The column of horizon h is the mean over horizons h−23…h of the hourly forecasts at the same rows."""
    m = make_forecaster(synth, "PM2.5", [25, 49], met="observed", stat="mean24")
    sub = m.hourly_sub()
    assert sub.horizons == list(range(2, 50)) and sub.stat == "hourly"
    T = synth.sizes["time"]
    rows = np.flatnonzero(np.tile(np.arange(T) % 24 == 22, synth.sizes["site"]))
    seen = {}

    def predict(X, r):
        h = X[:, sub.spec.names.index("horizon")]
        seen.setdefault("rows", set()).update(r.tolist())
        return h * 1000 + (r % T)          # horizon and issue time, to check where each value lands

    cols = HD.day_inputs(sub, synth, None, None, {25: rows, 49: rows}, "mean24", predict)
    assert np.allclose(cols[25][rows], 13.5 * 1000 + rows % T)        # mean of 2…25
    assert np.allclose(cols[49][rows], 37.5 * 1000 + rows % T)        # mean of 26…49
    other = np.setdiff1d(np.arange(len(cols[25])), rows)
    assert np.isnan(cols[25][other]).all() and seen["rows"] == set(rows.tolist())


def test_training_rows_get_out_of_sample_values_and_forecasts_the_refitted_model(synth, tiny_cfg, tmp_path):
    """The daily model with weather at the valid hours gets the input by default; its training column comes from
    hourly models fitted without the row's cross-fit block, forecasts from the one refitted on everything; the
    bundle keeps it, and the model without it is unchanged."""
    from forecasting.store import load_bundle, save_bundle

    cfg = dataclasses.replace(tiny_cfg, issue_hours=(23,), hourly_input_rows=10_000, hourly_input_max_iter=30)
    assert cfg.uses_hourly_input("mean24", "observed") and not cfg.uses_hourly_input("mean24", "current")
    assert not cfg.uses_hourly_input("hourly", "observed")
    assert dataclasses.replace(cfg, hourly_input=True).uses_hourly_input("mean24", "none")
    train = synth.isel(time=slice(0, 24 * 70))
    m = make_forecaster(train, "PM2.5", [25], met="observed", stat="mean24").fit(train, cfg)
    info = m.meta["hourly_input"]
    assert m.day_input is not None and HD.FEATURE in m.spec.names
    assert info["names"] and info["out_of_sample_blocks"] == 3 and info["horizons"] == list(range(2, 26))

    T = train.sizes["time"]
    mask = np.zeros((train.sizes["site"], T), bool)
    mask[:, np.arange(T) % 24 == 22] = True          # 23:00 issues (time starts at 01:00)
    rows = m.issue_rows(train, [25], mask)
    sub = m.hourly_sub()
    oos = HD.day_inputs(sub, train, None, None, rows, "mean24", lambda X, r: m.day_input.predict(X))[25]
    _, X, _, r = next(m.matrices(train, [25], issue_mask=mask))
    j = m.spec.names.index(HD.FEATURE)
    ok = np.isfinite(X[r, j])
    assert ok.mean() > 0.9 and np.allclose(X[r, j][ok], oos[r][ok], rtol=1e-5)   # forecasts: the refitted model
    path = tmp_path / "hd.zip"
    save_bundle([m], path)
    (back,), manifest = load_bundle(path)
    assert "est/0_hourly_input.skops" in manifest["sha256"] and back.day_input is not None
    _, Xb, _, _ = next(back.matrices(train, [25], issue_mask=mask))
    assert np.allclose(Xb[r], X[r], equal_nan=True)
    pa = m.distribution(X[r], 25, [0.1, 0.5, 0.9])[1]
    pb = back.distribution(Xb[r], 25, [0.1, 0.5, 0.9])[1]
    assert np.allclose(pa, pb)

    off = make_forecaster(train, "PM2.5", [25], met="observed", stat="mean24").fit(
        train, dataclasses.replace(cfg, hourly_input=False))
    assert off.day_input is None and HD.FEATURE not in off.spec.names and "hourly_input" not in off.meta


def test_a_rows_training_value_never_saw_its_own_target_day(synth, tiny_cfg):
    """Leakage: raising one hour of PM2.5 inside a cross-fit block leaves the training column of the rows issued
    before that hour in the block unchanged (their hourly model was fitted without the block), while the hourly
    model refitted on everything (used for forecasts) does see it."""
    from forecasting.baselines import Climatology
    from forecasting.store import _fingerprint

    cfg = dataclasses.replace(tiny_cfg, issue_hours=(23,), hourly_input_rows=10_000, hourly_input_max_iter=30)
    ds = synth.isel(time=slice(0, 24 * 60))
    T = ds.sizes["time"]
    u = T // 2                                              # inside the middle block (T/3 … 2T/3)
    bumped = ds.copy(deep=True)
    bumped["PM2.5"][:, u] = bumped["PM2.5"][:, u] * 5
    mask = np.zeros((ds.sizes["site"], T), bool)
    mask[:, np.arange(T) % 24 == 22] = True
    clim = Climatology.fit(ds["PM2.5"])                     # the same table for both (it is not the point here)

    def fit(data):
        m = make_forecaster(data, "PM2.5", [25], met="observed", stat="mean24")
        m.climatology = clim
        return m, m._fit_hourly_input(data, None, cfg, mask, np.random.default_rng(0))[25]

    (m0, col0), (m1, col1) = fit(ds), fit(bumped)
    t = np.tile(np.arange(T), ds.sizes["site"])
    before_u = mask.reshape(-1) & (t >= T // 3 + 1) & (t < u) & np.isfinite(col0)
    assert before_u.sum() >= 10 and np.array_equal(col0[before_u], col1[before_u])
    assert _fingerprint(m0.day_input) != _fingerprint(m1.day_input)        # the refitted model saw the hour


def test_the_23h_and_evening_daily_models_share_one_hourly_input(synth, tiny_cfg, tmp_path):
    """A system with weather input fits the hourly input once per target: the evening (20:00, natural-day) models
    reuse the 23:00 models' hourly models, which cover both sets' days; the saved bundle forecasts with them."""
    from console.forecast_service import evening_config
    from forecasting.system import ForecastSystem

    daily = dataclasses.replace(tiny_cfg, issue_hours=(23,), hourly_input_rows=10_000, hourly_input_max_iter=30,
                                max_rows=None)
    system = ForecastSystem.train(synth, "2020-03-10", targets=["PM2.5"], met="observed",
                                  hourly_cfg=dataclasses.replace(tiny_cfg, horizons_per_row=4),
                                  daily_cfg=daily, evening_cfg=evening_config(daily))
    d, e = system.daily["PM2.5"], system.evening["PM2.5"]
    assert d.day_input is e.day_input and d.hourly_kit is None and e.hourly_kit is None
    hours = d.meta["hourly_input"]["horizons"]
    assert hours == e.meta["hourly_input"]["horizons"] and hours[0] == 2 and hours[-1] == 100   # 23:00 and 20:00 days
    assert e.meta["natural_day_hours"] == [20] and HD.FEATURE in e.spec.names
    manifest = system.save(tmp_path / "m.zip")
    assert [k for k in manifest["sha256"] if "hourly_input" in k] == ["est/1_hourly_input.skops"]   # stored once
    back = ForecastSystem.load(tmp_path / "m.zip")
    assert back.daily["PM2.5"].day_input is not None and back.evening["PM2.5"].day_input is not None
    for issue in ("2020-03-20 20:00", "2020-03-20 23:00"):
        a, b = system.forecast(synth, issue), back.forecast(synth, issue)
        assert a.info["daily_hourly_input"] == ["PM2.5"] and len(a.daily) == 9
        assert np.allclose(a.daily["PM2.5_p50"], b.daily["PM2.5_p50"])
