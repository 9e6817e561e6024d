"""The seasonal prior of exceedance odds for months a model has not seen in training."""
import json

import numpy as np
import pandas as pd
import pytest

from forecasting.backtest import run_backtest
from forecasting.seasonal_prior import SeasonalPrior, default_prior, seen_months
from forecasting.verification_report import backtest_markdown


def _daily(seed: int = 0, sites=("A", "B", "C", "D")) -> pd.DataFrame:
    """A year of daily means: an AR(1) level whose mean is high in winter and low in summer, so that tomorrow's
    exceedance of 75 µg/m³ given today's level is more likely in winter."""
    rng = np.random.default_rng(seed)
    days = pd.date_range("2017-01-01", "2017-12-31", freq="D")
    season = 0.6 * np.cos(2 * np.pi * (days.day_of_year.to_numpy() - 15) / 365)
    rows = []
    for s in sites:
        z = np.zeros(len(days))
        for t in range(1, len(days)):
            z[t] = 0.6 * z[t - 1] + rng.normal(0, 0.35)
        pm = np.exp(3.6 + season + z)
        rows.append(pd.DataFrame({"site": s, "date": days, "PM2.5": pm, "SO2": 10.0}))
    return pd.concat(rows, ignore_index=True)


@pytest.fixture(scope="module")
def prior() -> SeasonalPrior:
    return SeasonalPrior.fit(_daily(), {"PM2.5": [75, 115, 150], "SO2": [150]}, version="test-1", source="synthetic")


def test_month_effects_follow_the_season_and_sparse_thresholds_borrow(prior):
    eff = np.asarray(prior.effects["PM2.5"]["75"])            # 3 leads × 12 months
    assert eff.shape == (3, 12)
    winter, summer = eff[:, [0, 1, 11]].mean(), eff[:, [5, 6, 7]].mean()
    assert winter > summer + 0.5                              # the odds of an exceedance given today's level
    # 150 µg/m³ has too few event days for 14 parameters: it takes the effects of 75 and says so
    assert prior.events["PM2.5"]["150"] < 140
    assert prior.effects["PM2.5"]["150"] == prior.effects["PM2.5"]["75"]
    assert prior.borrowed["PM2.5"]["150"] == "75"
    assert "SO2" not in prior.effects and prior.events["SO2"]["150"] == 0     # never exceeded: no prior at all


def test_shifts_apply_only_to_months_not_seen_at_that_site(prior):
    eff = np.asarray(prior.effects["PM2.5"]["75"])
    seen = {"A": {12, 1, 2}, "B": set(range(1, 13))}
    valid = pd.to_datetime(["2019-03-10", "2019-03-10", "2019-02-10", "2019-03-10", "2019-03-10", "2019-03-10"])
    sites = ["A", "B", "A", "X", "A", "A"]
    hours = [24, 24, 24, 24, 12, 66]
    sh = prior.shifts("PM2.5", [75.0, 40.0], sites, valid, hours, seen)
    base = eff[:, [11, 0, 1]].mean(axis=1)
    assert sh[0, 0] == pytest.approx(eff[0, 2] - base[0])    # March, unseen at A, lead day 1
    assert sh[0, 0] < 0                                       # spring after a winter record: lower odds
    assert sh[1, 0] == 0                                      # B saw every month
    assert sh[2, 0] == 0                                      # February was seen at A
    assert sh[3, 0] == 0                                      # X is not in the prior
    assert sh[4, 0] == pytest.approx(0.5 * sh[0, 0])          # 12 h: half a day's effect
    assert sh[5, 0] == pytest.approx(eff[2, 2] - base[2])     # 66 h: the third day's effects
    assert (sh[:, 1] == 0).all()                              # a knot below the lowest fitted threshold
    assert prior.shifts("NO2", [75.0], sites, valid, hours, seen) is None


def test_record_says_what_was_used(prior):
    seen = {"A": {12, 1, 2}}
    assert prior.record("PM2.5", seen, pd.to_datetime(["2019-03-01"]))["unseen_months"] == [3]
    assert prior.record("PM2.5", seen, pd.to_datetime(["2019-01-05"])) == {
        "used": False, "reason": "every valid month was seen in training"}
    assert not prior.record("PM2.5", {"Z": {1}}, pd.to_datetime(["2019-03-01"]))["used"]
    assert "no effects for NO2" in prior.record("NO2", seen, pd.to_datetime(["2019-03-01"]))["reason"]


def test_save_and_load_round_trip_and_refuse_other_files(prior, tmp_path):
    path = prior.save(tmp_path / "p.json")
    back = SeasonalPrior.load(path)
    assert back == prior
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps({"format": "something else"}))
    with pytest.raises(ValueError, match="not a seasonal prior"):
        SeasonalPrior.load(bad)


def test_the_shipped_prior_is_the_guangxi_2017_fit():
    p = default_prior()
    assert p.version.startswith("guangxi-2017")
    assert len(p.sites) == 14 and "南宁" in p.sites
    eff = np.asarray(p.effects["PM2.5"]["75"])
    assert eff[:, [0, 11]].mean() > eff[:, [5, 6, 7]].mean()     # winter odds above summer odds
    assert "PM10" not in p.effects                                # 87 event days: too few for its own effects
    # CNEMC files name the cities by adcode or full name: both reach the same effects
    assert p.canonical("450100") == p.canonical("南宁市") == "南宁"
    seen = {"450100": {12, 1}}
    sh = p.shifts("PM2.5", [75.0], ["450100"], pd.to_datetime(["2019-04-02"]), [24], seen)
    assert sh is not None and sh[0, 0] < 0


def test_backtest_shifts_only_unseen_months(synth, tiny_cfg):
    """Trained on January to mid-February, tested to 20 March: the March forecasts move by the prior's March effect
    against January–February (a cleaner March lowers P(> 75)); the February ones stay as they were."""
    effects = {"PM2.5": {"75": [[1.0, 1.0, -1.0] + [0.0] * 9] * 3}}
    prior = SeasonalPrior("t", "test", ["A", "B", "C"], effects)
    end, test_end = "2020-02-15 23:00", "2020-03-20 23:00"
    res = run_backtest(synth, "PM2.5", [24], end, test_end, met="current", cfg=tiny_cfg, prior=prior)
    plain = run_backtest(synth, "PM2.5", [24], end, test_end, met="current", cfg=tiny_cfg)
    sp = res.metrics["setup"]["seasonal_prior"]
    assert sp["version"] == "t" and sp["origins"][0]["used"] and sp["origins"][0]["unseen_months"] == [3]
    assert "Seasonal prior t: exceedance odds of the months a model had not seen in training shifted (months 3; " \
           "1 of 1 origins)" in backtest_markdown(res.metrics)
    assert seen_months(res.models[0])["A"] == {1, 2}
    a, b = res.predictions, plain.predictions
    march = (pd.to_datetime(a["valid_time"]).dt.month == 3).to_numpy()
    assert march.sum() > 1000 and (~march).sum() > 500
    # odds × e^-2 at 75 µg/m³ (and above, by borrowing the nearest lower threshold)
    pa, pb = a.loc[march, "p_gt_100"].to_numpy(), b.loc[march, "p_gt_100"].to_numpy()
    ok = (pb > 0.01) & (pb < 0.99)
    expect = 1 / (1 + np.exp(-(np.log(pb[ok] / (1 - pb[ok])) - 2.0)))
    np.testing.assert_allclose(pa[ok], expect, atol=0.02)
    assert (a.loc[march, "p90"].to_numpy() <= b.loc[march, "p90"].to_numpy() + 1e-6).all()
    # valid hours in February (seen in training) are untouched, quantiles included
    feb = ~march
    for col in ("p_gt_100", "p_gt_200", "p10", "p50", "p90"):
        np.testing.assert_allclose(a.loc[feb, col], b.loc[feb, col], atol=1e-9)


def test_cli_run_in_an_unseen_month_applies_and_records_the_prior(demo_system, tmp_path, capsys):
    """The demo model trained to 20 January forecasting 10 March: the shipped prior lowers the PM2.5 odds (hourly and
    daily), records what it moved, and ``--seasonal-prior off`` gives the forecast without it."""
    from console.cli import main

    system, gx, nb = demo_system
    model = tmp_path / "gx.zip"
    system.save(model)
    base = ["forecast", "run", "--model", str(model), "--data", "demo", "--issue-time", "2019-03-10 20:00"]
    assert main([*base, "--out", str(tmp_path / "auto")]) == 0
    out = capsys.readouterr().out
    assert "seasonal prior: guangxi-2017-v1; PM2.5 months 3" in out
    assert "PM10 not used (the prior has no effects for PM10)" in out
    assert main([*base, "--seasonal-prior", "off", "--out", str(tmp_path / "off")]) == 0
    info = json.loads((tmp_path / "auto" / "forecast_info.json").read_text())
    sp = info["seasonal_prior"]
    assert sp["version"] == "guangxi-2017-v1" and "2017" in sp["source"]
    assert sp["pollutants"]["PM2.5"]["used"] and sp["pollutants"]["PM2.5 daily"]["unseen_months"] == [3]
    assert "seasonal_prior" not in json.loads((tmp_path / "off" / "forecast_info.json").read_text())
    a = pd.read_csv(tmp_path / "auto" / "hourly.csv")
    b = pd.read_csv(tmp_path / "off" / "hourly.csv")
    assert len(a) == len(b)
    # spring after a winter record: P(AQI > 100) (PM2.5 drives it here) comes down, never up
    pa, pb = a["p_aqi_gt_100"].to_numpy(float), b["p_aqi_gt_100"].to_numpy(float)
    ok = np.isfinite(pb)
    assert ok.sum() > 1000 and (np.isfinite(pa) == ok).all()
    assert (pa[ok] <= pb[ok] + 1e-9).all() and pa[ok].sum() < pb[ok].sum()
    da = pd.read_csv(tmp_path / "auto" / "daily.csv")
    db = pd.read_csv(tmp_path / "off" / "daily.csv")
    assert (da["p_aqi_gt_100"] <= db["p_aqi_gt_100"] + 1e-9).all()
    # inside the training months the prior moves nothing and says why
    early = ["forecast", "run", "--model", str(model), "--data", "demo", "--issue-time", "2019-01-10 15:00"]
    assert main([*early, "--out", str(tmp_path / "early")]) == 0
    assert "PM2.5 not used (every valid month was seen in training)" in capsys.readouterr().out


def test_cli_fits_a_prior_and_refuses_bad_files(tmp_path, capsys):
    from console.cli import main

    d = _daily().rename(columns={"site": "city", "date": "time", "PM2.5": "pm25", "SO2": "so2"})
    src = tmp_path / "daily.csv"
    d.to_csv(src, index=False)
    out = tmp_path / "prior.json"
    assert main(["forecast", "prior", "--daily", str(src), "--version", "mine-1", "--out", str(out)]) == 0
    text = capsys.readouterr().out
    assert "PM2.5: fitted" in text and "SO2: too few event days, no effects" in text
    p = SeasonalPrior.load(out)
    assert p.version == "mine-1" and p.sites == ["A", "B", "C", "D"] and "PM2.5" in p.effects
    # a row that is not a date: the file, row and field are named
    d["time"] = d["time"].dt.strftime("%Y-%m-%d")
    d.loc[5, "time"] = "yesterday"
    d.to_csv(src, index=False)
    assert main(["forecast", "prior", "--daily", str(src), "--version", "x", "--out", str(out)]) == 2
    assert "row 7, field date: not a date: 'yesterday'" in capsys.readouterr().err
    # a file that is not a prior table, given to run
    assert main(["forecast", "run", "--model", str(tmp_path / "none.zip"), "--data", "demo",
                 "--seasonal-prior", str(src), "--out", str(tmp_path / "o")]) == 2


def test_the_running_correction_corrects_the_forecasts_as_issued_with_the_prior(demo_system):
    """With both, the forecasts the correction re-issues carry the prior, as in backtests: the prior already lowered
    February's PM2.5 odds, so the correction's factor is larger than when it corrects forecasts without the prior."""
    from forecasting.recent_correction import RecentCorrection

    system, gx, nb = demo_system
    cfg = RecentCorrection(window_days=21)
    with_prior = system.forecast(gx, "2019-02-25 20:00", neighbours=nb, correction=cfg, prior=default_prior())
    without = system.forecast(gx, "2019-02-25 20:00", neighbours=nb, correction=cfg)
    fa = with_prior.info["recent_correction"]["pollutants"]["PM2.5"]["bands"]["7-24 h"]["factors"]["100"]
    fb = without.info["recent_correction"]["pollutants"]["PM2.5"]["bands"]["7-24 h"]["factors"]["100"]
    assert fa > fb
    assert with_prior.info["seasonal_prior"]["pollutants"]["PM2.5"]["unseen_months"] == [2]
