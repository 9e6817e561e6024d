"""The running correction of exceedance odds from recently verified forecasts."""
import numpy as np
import pandas as pd
import pytest

from forecasting.backtest import run_backtest
from forecasting.models import make_forecaster
from forecasting.recent_correction import (RecentCorrection, apply_shift, odds_factors, sequential_shifts,
                                           shifts_for)

THR = {100: 75.0, 200: 150.0}


def _pairs(days=40, per_day=24, p=0.3, event_rate=0.1, seed=0) -> pd.DataFrame:
    """Forecasts issued hourly at 24 h whose P(>75) is ``p`` and P(>150) ``p / 3`` while events occur at
    ``event_rate`` (resp. a third of it)."""
    rng = np.random.default_rng(seed)
    issue = pd.date_range("2021-01-01 01:00", periods=days * per_day, freq="h")
    u = rng.random(len(issue))
    obs = np.where(u < event_rate / 3, 200.0, np.where(u < event_rate, 100.0, 30.0))
    return pd.DataFrame({"issue_time": issue, "valid_time": issue + pd.Timedelta(hours=24), "horizon": 24,
                         "observed": obs, "p_gt_100": p, "p_gt_200": p / 3})


def test_the_factor_is_events_over_forecast_probability_with_pseudo_cases():
    d = _pairs()
    cfg = RecentCorrection(window_days=10, prior_cases=20, min_events=0)
    as_of = pd.Timestamp("2021-01-30")
    f = odds_factors(d, THR, as_of, cfg)[1]      # 24 h lies in band 1 (7-24 h)
    inside = (d["valid_time"] <= as_of) & (d["valid_time"] > as_of - pd.Timedelta(days=10))
    for a, c in THR.items():
        events = (d.loc[inside, "observed"] > c).sum()
        expect = (events + 20) / (d.loc[inside, f"p_gt_{a}"].sum() + 20)
        assert f["factors"][str(a)] == pytest.approx(expect)
        assert f["events"][str(a)] == events
    assert f["cases"] == inside.sum()
    # the forecasts over-forecast three-fold: the odds come down by about that much
    assert 0.25 < f["factors"]["100"] < 0.45


def test_only_pairs_verified_by_the_as_of_time_and_issued_after_training_count():
    d = _pairs()
    cfg = RecentCorrection(window_days=10)
    as_of = pd.Timestamp("2021-01-20")
    before = odds_factors(d, THR, as_of, cfg)
    later = d.copy()
    later.loc[later["valid_time"] > as_of, "observed"] = 999.0       # what happens after as_of cannot matter
    assert odds_factors(later, THR, as_of, cfg) == before
    # pairs issued before the end of training are in-sample and never count
    assert odds_factors(d, THR, as_of, cfg, not_before=as_of) == {}


def test_a_threshold_with_too_few_events_borrows_the_lower_factor():
    d = _pairs(event_rate=0.05)
    f = odds_factors(d, THR, pd.Timestamp("2021-01-30"), RecentCorrection(window_days=10, min_events=10_000))[1]
    assert f["factors"]["200"] == f["factors"]["100"]


def test_sequential_shifts_equal_the_factors_of_each_days_midnight():
    d = _pairs(seed=3)
    d["observed"] = np.where(d["issue_time"].dt.day % 5 == 0, 200.0, d["observed"])   # uneven days
    cfg = RecentCorrection(window_days=7, min_events=5)
    sh, log = sequential_shifts(d, THR, cfg)
    days = d["issue_time"].dt.floor("D")
    assert len(log) == days.nunique()
    assert np.all(sh[(days == days.min()).to_numpy()] == 0)          # nothing verified yet on the first day
    for day in pd.to_datetime(["2021-01-05", "2021-01-17", "2021-02-03"]):
        f = odds_factors(d, THR, day, cfg)
        rows = (days == day).to_numpy()
        np.testing.assert_allclose(sh[rows], shifts_for(d["horizon"][rows], f, list(THR)), atol=1e-12)


def test_apply_shift():
    p = np.array([0.0, 0.1, 0.5, 1.0, np.nan])
    np.testing.assert_allclose(apply_shift(p, 0.0)[:4], [0, 0.1, 0.5, 1], atol=1e-8)
    assert np.isnan(apply_shift(p, 0.0)[4])
    np.testing.assert_allclose(apply_shift(np.array([0.5]), np.log(3.0)), [0.75])


@pytest.fixture(scope="module")
def fitted(synth, tiny_cfg):
    m = make_forecaster(synth, "PM2.5", [24], met="current")
    return m.fit(synth.sel(time=slice(None, "2020-02-29 23:00")), tiny_cfg)


def test_a_shift_moves_the_whole_distribution_coherently(fitted, synth):
    h, X, _, rows = next(iter(fitted.matrices(synth, [24], with_target=False)))
    X = X[rows][-500:]
    knots = [75.0, 115.0, 150.0, 250.0]
    levels = [0.1, 0.5, 0.9]
    _, q0, _ = fitted.distribution(X, h, levels)
    p0 = fitted.exceedances(X, h, knots)
    zero = np.zeros((len(X), len(knots)))
    _, qz, _ = fitted.distribution(X, h, levels, odds_shift=zero, knots=knots)
    np.testing.assert_allclose(qz, q0, rtol=0.02, atol=0.5)            # no shift: the same distribution
    down = np.full((len(X), len(knots)), np.log(0.3))
    _, qd, _ = fitted.distribution(X, h, levels, odds_shift=down, knots=knots)
    pd_ = fitted.exceedances(X, h, knots, odds_shift=down, knots=knots)
    np.testing.assert_allclose(pd_, apply_shift(p0, np.log(0.3)), atol=1e-6)   # P(>knot) is the shifted odds
    assert (qd[:, 2] <= q0[:, 2] + 1e-6).all() and (qd[:, 2] < q0[:, 2] - 1e-3).mean() > 0.5   # P90 comes down
    assert (np.diff(qd, axis=1) >= 0).all()


def test_backtest_with_the_correction_records_it_and_never_looks_ahead(synth, tiny_cfg):
    cfg = RecentCorrection(window_days=7, min_events=5)
    end = "2020-02-29 23:00"
    res = run_backtest(synth, "PM2.5", [24], end, met="current", cfg=tiny_cfg, correction=cfg)
    assert res.metrics["setup"]["recent_correction"]["window_days"] == 7
    log = res.metrics["recent_correction_days"]
    assert log[0] == {"as_of": "2020-03-01"}                        # nothing verified yet
    assert log[10]["7-24 h"]["cases"] > 100
    plain = run_backtest(synth, "PM2.5", [24], end, met="current", cfg=tiny_cfg)
    a, b = res.predictions, plain.predictions
    first = pd.to_datetime(a["issue_time"]).dt.floor("D") == pd.Timestamp("2020-03-01")
    # the first issue day has nothing verified after the training end: unchanged forecasts
    np.testing.assert_allclose(a.loc[first, "p_gt_200"], b.loc[first, "p_gt_200"], atol=1e-9)
    later = ~first.to_numpy()
    assert np.abs(a.loc[later, "p_gt_100"].to_numpy() - b.loc[later, "p_gt_100"].to_numpy()).max() > 1e-3
    # no leakage: changing observations from 20 March on leaves the forecasts issued up to 20 March as they were
    cut = pd.Timestamp("2020-03-20")
    ds2 = synth.copy(deep=True)
    ds2["PM2.5"].loc[dict(time=slice(cut + pd.Timedelta(hours=1), None))] *= 3
    res2 = run_backtest(ds2, "PM2.5", [24], end, met="current", cfg=tiny_cfg, correction=cfg)
    early = (pd.to_datetime(a["issue_time"]) <= cut).to_numpy()
    np.testing.assert_allclose(res2.predictions.loc[early, "p_gt_100"], a.loc[early, "p_gt_100"], atol=1e-9)
    np.testing.assert_allclose(res2.predictions.loc[early, "p90"], a.loc[early, "p90"], atol=1e-9)


def test_cli_run_after_the_training_period_applies_and_records_the_correction(demo_system, tmp_path, capsys):
    """A forecast five weeks after the model's training end: the last 21 days' forecasts are re-issued, verified,
    and move the probabilities; the record says what was used."""
    import json

    from console.cli import main

    system, gx, nb = demo_system
    model = tmp_path / "gx.zip"
    system.save(model)
    base = ["forecast", "run", "--model", str(model), "--data", "demo", "--issue-time", "2019-02-25 20:00"]
    assert main([*base, "--out", str(tmp_path / "plain")]) == 0
    assert main([*base, "--recent-correction", "21", "--out", str(tmp_path / "corr")]) == 0
    out = capsys.readouterr().out
    assert "recent correction: 21 days; PM2.5 odds AQI>100 ×" in out
    info = json.loads((tmp_path / "corr" / "forecast_info.json").read_text())
    rc = info["recent_correction"]
    assert rc["window_days"] == 21
    pm = rc["pollutants"]["PM2.5"]
    assert pm["used"] and pm["as_of"] == "2019-02-25 00:00:00" and pm["since"] >= "2019-01-20"
    assert pm["bands"]["7-24 h"]["cases"] > 1000 and pm["bands"]["7-24 h"]["days"] >= 20
    assert "recent_correction" not in json.loads((tmp_path / "plain" / "forecast_info.json").read_text())
    a = pd.read_csv(tmp_path / "plain" / "hourly.csv")
    b = pd.read_csv(tmp_path / "corr" / "hourly.csv")
    num = [c for c in a.columns if a[c].dtype.kind == "f"]
    assert len(a) == len(b) and not np.allclose(a[num].to_numpy(float), b[num].to_numpy(float), equal_nan=True)
    # inside the training period nothing is verified out of sample: the forecast says so and is unchanged
    early = ["forecast", "run", "--model", str(model), "--data", "demo", "--issue-time", "2019-01-10 15:00"]
    assert main([*early, "--recent-correction", "21", "--out", str(tmp_path / "early")]) == 0
    assert "PM2.5 not used (no forecasts verified after the end of training" in capsys.readouterr().out
    assert main([*early, "--recent-correction", "-3", "--out", str(tmp_path / "bad")]) == 2
    assert "--recent-correction -3" in capsys.readouterr().err


def test_after_a_refit_the_correction_keeps_the_earlier_models_verified_forecasts(synth, tiny_cfg):
    cfg = RecentCorrection(window_days=7, min_events=5)
    res = run_backtest(synth, "PM2.5", [24], "2020-02-15 23:00", "2020-03-20 23:00", met="current", cfg=tiny_cfg,
                       refit="monthly", correction=cfg)
    assert res.metrics["timing"]["origins"] == ["2020-02-15 23:00:00", "2020-02-29 23:00:00"]
    days = {d["as_of"]: d for d in res.metrics["recent_correction_days"]}
    # the second model's first day is corrected from the first model's forecasts verified in the week before
    assert days["2020-03-01"]["7-24 h"]["cases"] >= 6 * 24 * 3 - 24 * 3
    assert days["2020-02-16"] == {"as_of": "2020-02-16"}
    assert len(res.predictions) == len(res.predictions.drop_duplicates(["site", "issue_time", "horizon"]))
