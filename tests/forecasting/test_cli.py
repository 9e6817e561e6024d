"""CLI contract of `lantian forecast backtest|train|run`."""
import json

import numpy as np
import pandas as pd
import pytest

from console.cli import main
from tests.forecasting.conftest import synthetic, write_prsa


@pytest.fixture(scope="module")
def prsa_files(tmp_path_factory):
    folder = tmp_path_factory.mktemp("prsa")
    return [str(p) for p in write_prsa(synthetic(n_days=75, sites=("Aa", "Bb")), folder)]


def test_backtest_contract(prsa_files, tmp_path, capsys):
    out = tmp_path / "bt"
    rc = main(["forecast", "backtest", "--data", *prsa_files, "--target", "PM2.5", "--horizons", "24,48",
               "--train-end", "2020-02-20", "--test-end", "2020-03-10", "--max-rows", "20000", "--max-iter", "30",
               "--out", str(out)])
    assert rc == 0
    df = pd.read_csv(out / "predictions.csv")
    assert list(df.columns) == ["site", "issue_time", "valid_time", "horizon", "observed", "p10", "p50", "p90"]
    assert set(df["horizon"]) == {24, 48} and set(df["site"]) == {"Aa", "Bb"}
    assert pd.to_datetime(df["issue_time"]).min() > pd.Timestamp("2020-02-20 23:00")
    assert (pd.to_datetime(df["valid_time"]) - pd.to_datetime(df["issue_time"]) == pd.to_timedelta(df["horizon"], "h")).all()
    assert (df["p10"] <= df["p50"]).all() and (df["p50"] <= df["p90"]).all()
    m = json.loads((out / "metrics.json").read_text())
    b = m["by_horizon"]["24"]
    for key in ("point", "persistence", "climatology", "skill_vs_persistence", "skill_vs_climatology",
                "coverage_80", "crps", "pinball", "exceedance"):
        assert key in b
    assert set(m["by_site_horizon"]) == {"Aa", "Bb"}
    assert m["setup"]["met"] == "current" and "no weather forecast" in m["setup"]["met_note"]
    # the readable report carries the same numbers
    rep = (out / "report.md").read_text(encoding="utf-8")
    assert f"| 24 | {b['n']} | {b['point']['rmse']:.2f} |" in rep
    assert "## Per site" in rep and "| Aa | 48 |" in rep and "Reliability of P(AQI > 100) at 24 h" in rep
    assert "95 % interval over days" in rep
    # the reliability diagrams it links are real pictures
    from PySide6.QtGui import QImage
    img = QImage(str(out / "reliability_24h_aqi100.png"))
    assert "reliability_24h_aqi100.png" in rep and not img.isNull() and img.width() > 300
    colours = {img.pixel(x, y) for x in range(0, img.width(), 7) for y in range(0, img.height(), 7)}
    assert len(colours) > 5                                   # axes, labels, markers — not a blank page


def test_backtest_future_met_is_labelled(prsa_files, tmp_path):
    out = tmp_path / "bt2"
    rc = main(["forecast", "backtest", "--data", *prsa_files, "--target", "PM2.5", "--horizons", "1",
               "--daily", "--train-end", "2020-02-20", "--future-met", "observed", "--max-iter", "30", "--out", str(out)])
    assert rc == 0
    m = json.loads((out / "metrics.json").read_text())
    assert "research bound" in m["setup"]["met_note"]
    assert "category" in m["by_horizon"]["25"]
    # weather for every valid hour: the daily model gets the day's mean of an hourly model (auto), recorded
    hourly = m["models"][0]["hourly_input"]
    assert hourly["feature"] == "hourly_model_day" and hourly["horizons"] == list(range(2, 26))
    assert hourly["n_train_rows"] > 1000 and hourly["out_of_sample_blocks"] == 3


def test_backtest_pools_stations_of_one_city_when_asked(prsa_files, tmp_path):
    base = ["forecast", "backtest", "--data", *prsa_files, "--target", "PM2.5", "--horizons", "1", "--daily",
            "--train-end", "2020-02-20", "--max-iter", "30"]
    assert main([*base, "--out", str(tmp_path / "own")]) == 0
    assert main([*base, "--pool-sites", "--out", str(tmp_path / "pooled")]) == 0
    own = json.loads((tmp_path / "own" / "metrics.json").read_text())["models"][0]
    pooled = json.loads((tmp_path / "pooled" / "metrics.json").read_text())["models"][0]
    assert "site_pooling_weights" not in own and pooled["config"]["site_pooling"] is True
    w = pooled["site_pooling_weights"]
    assert w["horizons"] == [25] and all(0.0 <= x <= 1.0 for x in w["centre"] + w["point"])
    a = pd.read_csv(tmp_path / "own" / "predictions.csv")
    b = pd.read_csv(tmp_path / "pooled" / "predictions.csv")
    assert len(a) == len(b) and (w["centre"][0] == 0.0 or not np.allclose(a["p50"], b["p50"]))


def test_user_errors_are_one_line(prsa_files, tmp_path, capsys):
    rc = main(["forecast", "backtest", "--data", *prsa_files, "--target", "PM1", "--train-end", "2020-02-20",
               "--out", str(tmp_path)])
    err = capsys.readouterr().err
    assert rc == 2 and "PM1" in err and "Traceback" not in err
    rc = main(["forecast", "backtest", "--data", str(tmp_path / "nope.csv"), "--train-end", "2020-02-20",
               "--out", str(tmp_path)])
    err = capsys.readouterr().err
    assert rc == 2 and "nope.csv" in err and "Traceback" not in err
    rc = main(["forecast", "run", "--model", str(prsa_files[0]), "--data", *prsa_files, "--out", str(tmp_path)])
    err = capsys.readouterr().err
    assert rc == 2 and "refused" in err and "Traceback" not in err
    for start, why in (("2030-01-01", "the data end before that day"), ("20x0", "not a date")):
        rc = main(["forecast", "train", "--data", *prsa_files, "--train-start", start,
                   "--out", str(tmp_path / "m.zip")])
        err = capsys.readouterr().err
        assert rc == 2 and "--train-start" in err and why in err and "Traceback" not in err


def test_train_then_run_records_model_and_inputs(demo_system, tmp_path, capsys):
    system, gx, nb = demo_system
    model = tmp_path / "gx.zip"
    system.save(model)
    out = tmp_path / "run"
    rc = main(["forecast", "run", "--model", str(model), "--data", "demo", "--issue-time", "2019-01-10 15:00",
               "--out", str(out)])
    assert rc == 0
    info = json.loads((out / "forecast_info.json").read_text())
    assert info["model_version"] and info["training_period"][1].startswith("2019-01-20")
    assert info["inputs"]["observations_until"] == "2019-01-10 15:00:00"
    assert "NO weather input" in info["inputs"]["weather"]
    hourly = pd.read_csv(out / "hourly.csv")
    assert set(hourly["variable"]) >= {"PM2.5", "AQI"} and hourly["horizon"].max() == 72
    daily = pd.read_csv(out / "daily.csv")
    assert sorted(daily["lead_days"].unique()) == [1, 2, 3]
    assert "NO weather input" in capsys.readouterr().out


def test_run_driven_by_a_grib_weather_forecast(prsa_files, tmp_path, capsys):
    """A perfect-prog model run on GFS-format GRIB fields: the fields are read, placed at the sites,
    recorded in the forecast, and they change it (strong wind clears the air in this synthetic world)."""
    from forecasting.models import TrainConfig
    from forecasting.system import ForecastSystem
    from console.forecast_io import read_any
    from tests.forecasting.conftest import write_gfs_run

    ds = read_any(prsa_files)
    cfg = TrainConfig(max_iter=40, learning_rate=0.15, max_leaf_nodes=15, min_samples_leaf=20, horizons_per_row=6,
                      max_rows=20_000, spread_max_iter=20, spread_max_rows=8_000)
    system = ForecastSystem.train(ds, "2020-02-25", targets=["PM2.5"], met="observed", hourly_cfg=cfg,
                                  daily_cfg=TrainConfig(max_iter=20, issue_hours=(23,), min_samples_leaf=10,
                                                        spread_max_iter=40, hourly_input_rows=20_000,
                                                        hourly_input_max_iter=30))
    model = tmp_path / "pp.zip"
    system.save(model)
    coords = tmp_path / "sites.csv"
    coords.write_text("site,lon,lat\nAa,116.40,39.90\nBb,116.60,40.10\n")
    steps = tuple(range(0, 85, 3))
    base = ["forecast", "run", "--model", str(model), "--data", *prsa_files, "--issue-time", "2020-03-01 12:00"]
    p50 = {}
    for name, wind in (("calm", 0.3), ("windy", 9.0)):
        grib = write_gfs_run(tmp_path / f"gfs.{name}.t00z.pgrb2", run="2020-03-01 00:00", steps=steps,
                             constant={"10u": -wind, "10v": 0.0, "2t": 280.0, "2r": 60.0, "sp": 101500.0})
        out = tmp_path / name
        assert main([*base, "--met-file", str(grib), "--site-coords", str(coords), "--out", str(out)]) == 0
        info = json.loads((out / "forecast_info.json").read_text())
        w = info["inputs"]["weather"]
        assert f"GRIB file gfs.{name}.t00z.pgrb2, run 2020-03-01 00:00 UTC" in w
        assert "valid 2020-03-01 08:00 … 2020-03-04 20:00 (Beijing time), covering 72 of the 72 forecast hours" in w
        h = pd.read_csv(out / "hourly.csv")
        p50[name] = h.loc[h["variable"] == "PM2.5", "p50"].mean()
        # the daily outlook averages the hourly model's forecasts over each day, with the file's weather
        assert info["daily_hourly_input"] == ["PM2.5"]
        p50[f"{name} daily"] = pd.read_csv(out / "daily.csv")["PM2.5_p50"].mean()
    assert p50["windy"] < 0.8 * p50["calm"] and p50["windy daily"] < 0.9 * p50["calm daily"]
    # a run that ends early says which hours had no weather input
    short = write_gfs_run(tmp_path / "gfs.f024.grib2", run="2020-03-01 00:00", steps=tuple(range(0, 25, 3)))
    capsys.readouterr()
    assert main([*base, "--met-file", str(short), "--site-coords", str(coords), "--out", str(tmp_path / "s")]) == 0
    assert "warning: gfs.f024.grib2 does not cover the whole forecast" in capsys.readouterr().err
    w = json.loads((tmp_path / "s" / "forecast_info.json").read_text())["inputs"]["weather"]
    assert "covering 20 of the 72 forecast hours; the other hours have NO weather input" in w
    # a run for another day is refused: the model would run without weather while claiming a weather file
    stale = write_gfs_run(tmp_path / "gfs.stale.grib2", run="2020-02-20 00:00", steps=tuple(range(0, 25, 3)))
    capsys.readouterr()
    assert main([*base, "--met-file", str(stale), "--site-coords", str(coords), "--out", str(tmp_path / "z")]) == 2
    err = capsys.readouterr().err
    assert "gfs.stale.grib2" in err and "cover none of the forecast hours" in err and "Traceback" not in err
    assert "valid 2020-02-20 08:00 … 2020-02-21 08:00" in err and not (tmp_path / "z").exists()
    # PRSA sites carry no coordinates: without --site-coords the user is told what to give
    capsys.readouterr()
    assert main([*base, "--met-file", str(short), "--out", str(tmp_path / "x")]) == 2
    err = capsys.readouterr().err
    assert "sites without coordinates (Aa, Bb)" in err and "--site-coords" in err and "Traceback" not in err


def test_run_says_when_the_data_end_before_the_issue_time(demo_system, tmp_path, capsys):
    system, gx, nb = demo_system
    model = tmp_path / "gx.zip"
    system.save(model)
    base = ["forecast", "run", "--model", str(model), "--data", "demo"]
    assert main([*base, "--issue-time", "2019-07-02 12:00", "--out", str(tmp_path / "late")]) == 0
    err = capsys.readouterr().err
    assert "the latest observation (2019-06-30 23:00) is 37 h before the issue time" in err
    info = json.loads((tmp_path / "late" / "forecast_info.json").read_text())
    assert info["inputs"]["observations_until"] == "2019-06-30 23:00:00"
    assert main([*base, "--issue-time", "2030-01-01", "--out", str(tmp_path / "far")]) == 2
    err = capsys.readouterr().err
    assert "--issue-time 2030-01-01 00:00: no observations in the 288 h before" in err
    assert "2018-12-01 00:00 … 2019-06-30 23:00" in err and "Traceback" not in err
