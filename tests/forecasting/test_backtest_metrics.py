"""Backtest metrics on a hand-built predictions table: coverage on polluted hours, three ways."""
import numpy as np
import pandas as pd
import pytest

from forecasting.backtest import evaluate
from forecasting.verification_report import backtest_markdown


def _table() -> pd.DataFrame:
    """Eight 24-h forecasts of one site; PM2.5 > 150 µg/m³ is the IAQI-200 threshold."""
    observed = [200, 200, 200, 200, 40, 40, 160, 30]
    latest = [180, 180, 20, 20, 170, 170, 30, 30]      # the persistence forecast = value at issue time
    p50 = [160, 160, 60, 60, 160, 60, 160, 30]
    p10 = [100, 100, 20, 20, 50, 30, 100, 10]
    p90 = [250, 190, 120, 120, 260, 90, 220, 60]
    issue = pd.date_range("2020-01-01", periods=8, freq="D")
    d = pd.DataFrame({"site": "A", "issue_time": issue, "valid_time": issue + pd.Timedelta(hours=24), "horizon": 24,
                      "observed": observed, "p10": p10, "p50": p50, "p90": p90, "point": p50,
                      "persistence": latest, "climatology": 80.0})
    for lv in (0.1, 0.5, 0.9):
        d[f"q{lv:.2f}"] = d[{0.1: "p10", 0.5: "p50", 0.9: "p90"}[lv]]
    for a in (100, 150, 200, 300):
        d[f"p_gt_{a}"] = 0.3
    return d


def test_coverage_on_polluted_hours_by_observation_latest_value_and_forecast():
    m = evaluate(_table(), "PM2.5")
    e = m["by_horizon"]["24"]["exceedance"]["200"]
    assert e["concentration"] == pytest.approx(150)
    # observed above 150: rows 0,1,2,3,6 → inside: 0 (200 in 100–250), 6 (160 in 100–220); 1, 2, 3 miss
    assert e["coverage_80_when_observed_above"] == pytest.approx(2 / 5)
    # latest above 150 at issue time: rows 0,1,4,5 → inside: 0 and 5 (40 in 30–90); 1 and 4 (40 < 50) miss
    assert e["coverage_80_when_latest_above"] == pytest.approx(2 / 4)
    # P50 above 150: rows 0,1,4,6 → inside: 0, 6
    assert e["coverage_80_when_forecast_above"] == pytest.approx(2 / 4)
    # nothing above 250 µg/m³ (IAQI 300) anywhere: no rows, no number
    assert m["by_horizon"]["24"]["exceedance"]["300"]["coverage_80_when_latest_above"] is None
    rep = backtest_markdown(m)
    assert "cover 80 % when observed / latest / P50 above" in rep
    assert "| 0.400 / 0.500 / 0.500 |" in rep


def test_missing_observations_are_not_counted_as_misses():
    d = _table()
    d.loc[0, "observed"] = np.nan                        # row 0 was inside on every condition
    e = evaluate(d, "PM2.5")["by_horizon"]["24"]["exceedance"]["200"]
    assert e["coverage_80_when_observed_above"] == pytest.approx(1 / 4)
    assert e["coverage_80_when_latest_above"] == pytest.approx(1 / 3, abs=1e-4)
    assert e["coverage_80_when_forecast_above"] == pytest.approx(1 / 3, abs=1e-4)
