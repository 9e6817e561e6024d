"""The facts a briefing states are computed by the science functions, in console/reports (not in templates)."""
from __future__ import annotations

from datetime import date

import pandas as pd
import pytest

from console.errors import LantianError
from console.reports.context import (
    build_context,
    detect_episode,
    episodes,
    resolve_cities,
)

pytestmark = pytest.mark.usefixtures("qapp")


def _daily(values: dict[str, list[float]], start="2019-01-01") -> pd.DataFrame:
    n = len(next(iter(values.values())))
    return pd.DataFrame(values, index=pd.date_range(start, periods=n, freq="D"))


def test_episodes_merge_single_clean_day_and_relations():
    d = _daily({"A": [50, 120, 60, 130, 90, 80, 70, 150, 160, 40], "B": [40] * 10})
    assert episodes(d) == [(date(2019, 1, 2), date(2019, 1, 4)), (date(2019, 1, 8), date(2019, 1, 9))]
    assert detect_episode(d, date(2019, 1, 3)) == ((date(2019, 1, 2), date(2019, 1, 4)), "within")
    assert detect_episode(d, date(2019, 1, 6)) == ((date(2019, 1, 2), date(2019, 1, 4)), "before")
    assert detect_episode(d, date(2019, 1, 7)) == ((date(2019, 1, 8), date(2019, 1, 9)), "after")
    assert detect_episode(d, date(2019, 1, 7), past_only=True) == ((date(2019, 1, 2), date(2019, 1, 4)), "before")
    assert detect_episode(_daily({"A": [10] * 5}), date(2019, 1, 3)) == (None, "none")


def test_resolve_cities():
    cities = pd.DataFrame({"code": ["450100", "450200"], "name_zh": ["南宁市", "柳州市"], "short_zh": ["南宁", "柳州"],
                           "name_en": ["Nanning", "Liuzhou"]})
    assert resolve_cities(cities, ["柳州", "450100"])["code"].tolist() == ["450100", "450200"]
    assert resolve_cities(cities, ["nanning,Liuzhou"])["code"].tolist() == ["450100", "450200"]
    with pytest.raises(LantianError, match="unknown city 北京"):
        resolve_cities(cities, ["北京"])


@pytest.fixture(scope="module")
def repo(demo_repository):
    return demo_repository


@pytest.fixture()
def no_providers():
    from console.reports import providers as prov

    prov.discover()
    saved = dict(prov._registry)
    prov._registry.clear()
    yield
    prov._registry.update(saved)


def test_episode_context_matches_the_models(repo, no_providers):
    from models.air_standard import daily_statistics
    from models.aqi import daily_aqi

    ctx = build_context(repo, "episode", date(2019, 1, 27))
    assert (ctx.start, ctx.end, ctx.episode_detected) == (date(2019, 1, 19), date(2019, 1, 27), True)
    assert ctx.report_hour == pd.Timestamp("2019-01-28 00:00")  # hour-ending label of the day's 24th hour
    assert [r.rank for r in ctx.ranking] == list(range(1, 15))
    aqis = [r.aqi for r in ctx.ranking]
    assert aqis == sorted(aqis)  # best first
    # the same numbers straight from the science functions
    h = repo.load(sites=["451300"], kind="city", start="2019-01-26 00:00", end="2019-01-28 23:00")
    d = daily_statistics(h[["SO2", "NO2", "PM10", "PM2.5", "CO", "O3"]])
    a = daily_aqi(d[[v for v in d.data_vars if v.endswith("_24h") or v in ("O3", "O3_8h")]])
    laibin = next(r for r in ctx.ranking if r.code == "451300")
    assert laibin.aqi == float(a["aqi"].sel(site="451300", time="2019-01-27"))
    assert laibin.change == laibin.aqi - float(a["aqi"].sel(site="451300", time="2019-01-26"))
    assert laibin.primary == "PM2.5" and laibin.level == 5
    per = ctx.daily_aqi.loc["2019-01-19":"2019-01-27"]
    assert int(ctx.period_stats.at["450200", "days_over_100"]) == int((per["450200"] > 100).sum())
    assert int(ctx.period_stats["days_over_200"].sum()) == ctx.facts["city_days_over_200"] == int((per > 200).sum().sum())
    assert ctx.facts["worst_city"] == "来宾市" and ctx.facts["worst_aqi"] == f"{laibin.aqi:.0f}"
    assert ctx.rule_versions["gb3095"] == "gb3095-2012" and "hj633-2012" in ctx.rule_versions["aqi"]
    assert set(ctx.absent) == {"forecast", "sources", "warnings", "measures"}


def test_no_data_for_the_day_is_a_clear_error(repo):
    with pytest.raises(LantianError, match="no valid daily observations for 2030-01-01"):
        build_context(repo, "daily", date(2030, 1, 1))
    with pytest.raises(LantianError, match="unknown report type"):
        build_context(repo, "weekly", date(2019, 1, 27))


def test_cities_without_data_are_named(repo, no_providers):
    class Partial:
        """The demo store seen as if only 南宁 and 柳州 had been loaded."""

        def __init__(self, inner):
            self._inner = inner

        def sites(self, kind=None):
            s = self._inner.sites(kind)
            return s[s["code"].isin(["450100", "450200"])] if kind == "city" else s

        def __getattr__(self, name):
            return getattr(self._inner, name)

    ctx = build_context(Partial(repo), "daily", date(2019, 1, 27))
    assert [r.code for r in sorted(ctx.ranking, key=lambda r: r.code)] == ["450100", "450200"]
    assert any(k == "无观测数据的城市" and "桂林市" in v for k, v in ctx.provenance)
    with pytest.raises(LantianError, match="no observations for 桂林市"):
        build_context(Partial(repo), "daily", date(2019, 1, 27), cities=["桂林市"])
