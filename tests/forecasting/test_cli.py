"""CLI contract of `lantian forecast backtest|train|run`."""
import json

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
