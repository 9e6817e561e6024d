"""Warning recommendation against versioned schemes (models.warnings)."""
import numpy as np
import pandas as pd
import pytest
import xarray as xr

from models import warnings as W


def forecast(values: dict[str, list[float]], probs: dict | None = None, start="2019-01-25") -> xr.Dataset:
    sites = list(values)
    n = len(values[sites[0]])
    t = pd.date_range(start, periods=n, freq="D")
    ds = xr.Dataset({"aqi": (("site", "time"), np.array([values[s] for s in sites], float))},
                    coords={"site": sites, "time": t}, attrs={"source": "forecast:test"})
    for k, v in (probs or {}).items():
        ds[k] = (("site", "time"), np.array([v[s] for s in sites], float))
    return ds


def rec(values, scheme=None, **kw):
    return W.evaluate(forecast({"X": values}, **kw), scheme)[0]


def test_default_is_2024_and_results_carry_the_scheme_version():
    r = rec([120, 120, 120])
    assert r.scheme == "national-2024" and r.scheme_version == "national-2024/1" and r.level == "none"
    assert r.basis == "forecast:test"


@pytest.mark.parametrize("values,level", [
    ([210, 120, 120], "yellow"),          # AQI>200 for 24 h
    ([160, 160, 120], "yellow"),          # AQI>150 for 48 h
    ([160, 120, 160], "none"),            # not consecutive
    ([210, 210, 120], "orange"),          # AQI>200 for 48 h
    ([160, 160, 160], "orange"),          # AQI>150 for 72 h
    ([210, 310, 210], "red"),             # AQI>200 72 h and >300 24 h
    ([210, 210, 310], "red"),
])
def test_national_2024(values, level):
    assert rec(values).level == level


@pytest.mark.parametrize("values,level", [
    ([210, 120, 120], "none"),
    ([210, 210, 120], "yellow"),
    ([210, 310, 210], "orange"),
    ([210, 310, 310, 210], "red"),
    ([500, 100, 100], "red"),
])
def test_national_2018(values, level):
    assert rec(values, "national-2018").level == level


def test_guangxi_profile_marks_unconfirmed_thresholds():
    sch = W.scheme("guangxi-2024")
    assert sch["status"] == "UNCONFIRMED"
    assert all(c["status"] == "UNCONFIRMED" for lv in sch["levels"] for c in lv["any_of"])
    assert W.unconfirmed(sch) and not W.unconfirmed(W.scheme("national-2024"))
    r = rec([120, 120, 120], "guangxi-2024")
    assert r.level == "yellow" and r.unconfirmed


def test_user_override_changes_threshold_and_version():
    doc = W.load_schemes({"schemes": {"guangxi-2024": {"levels": [
        {"level": "yellow", "rank": 1, "any_of": [{"aqi_gt": 130, "min_hours": 72, "status": "USER"}]}]}}})
    sch = W.scheme("guangxi-2024", doc)
    assert sch["version"] == "guangxi-2024/1+user" and sch["user_edited"]
    recs = W.evaluate(forecast({"X": [120, 120, 120], "Y": [140, 140, 140]}), "guangxi-2024", doc)
    assert [r.level for r in recs] == ["none", "yellow"]
    assert recs[1].scheme_version.endswith("+user")
    assert W.scheme("guangxi-2024")["version"] == "guangxi-2024/1"  # packaged file untouched


def test_evidence_names_days_and_probabilities():
    ds = forecast({"X": [120, 160, 170]}, probs={"p_gt_150": {"X": [0.1, 0.7, 0.8]}})
    r = W.evaluate(ds)[0]
    assert r.level == "yellow"
    ev = r.evidence[0]
    assert ev.days == ["2019-01-26", "2019-01-27"] and ev.aqi == [160, 170]
    assert ev.probabilities == {"p_gt_150": [0.7, 0.8]}
    assert "AQI>150 for 48 h" in ev.condition
    assert W.describe(ev.rule, "zh") == "AQI>150 持续48小时" and W.describe(ev.rule) == ev.condition
    red = W.scheme()["levels"][0]["any_of"][0]   # a compound condition, worded in both languages
    assert W.describe(red, "zh") == "AQI>200 持续72小时，且AQI>300 持续24小时"
    assert W.describe(red) == "AQI>200 for 72 h and AQI>300 for 24 h"


def test_lifting_rule_follows_scheme():
    assert rec([140, 120, 90]).lift_allowed
    r = rec([140, 160, 90])
    assert not r.lift_allowed and "exceeds 150" in r.lift_reason
    assert W.lift_text(r.lift, "zh") == "未来36小时内预报AQI超过150" and W.lift_text(r.lift) == r.lift_reason
    assert rec([180, 190, 100], "national-2018").lift_allowed  # 2018: AQI <= 200
    assert not rec([np.nan, 100, 100]).lift_allowed


def test_persistence_fallback_is_labelled():
    obs = forecast({"X": [100, 180, np.nan]}, start="2019-01-20")["aqi"]
    fc = W.persistence_forecast(obs, "2019-01-22", days=3)
    assert fc.attrs["source"] == "persistence" and fc.attrs["observed_day"] == "2019-01-22"
    assert fc["aqi"].values.tolist() == [[180, 180, 180]]  # missing last day: carry the last valid value
    assert list(pd.DatetimeIndex(fc["time"].values).day) == [23, 24, 25]
    r = W.evaluate(fc)[0]
    assert r.basis == "persistence" and r.level == "orange"


def test_escalation_words():
    assert W.escalation("none", "yellow") == "issue"
    assert W.escalation("yellow", "orange") == "upgrade"
    assert W.escalation("red", "yellow") == "downgrade"
    assert W.escalation("orange", "none") == "lift"
    assert W.escalation("yellow", "yellow") == "keep"
