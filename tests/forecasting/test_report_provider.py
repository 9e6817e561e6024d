"""The briefing-report forecast provider returns per-city AQI quantiles and the D+1…D+3 outlook."""
from datetime import date

import numpy as np
import pytest


def test_forecast_provider(demo_system, monkeypatch):
    from console.forecast import report_provider as rp
    from console.forecast_service import ForecastService
    from console.reports.providers import ForecastResult, ProviderRequest, ProviderUnavailable

    system, gx, nb = demo_system
    monkeypatch.setattr(rp, "_service", ForecastService(gx, nb, system=system))
    req = ProviderRequest(kind="daily", date=date(2019, 1, 10), start=date(2019, 1, 10), end=date(2019, 1, 10),
                          cities=("450100", "450200"))
    res = rp.forecast_provider(req)
    assert isinstance(res, ForecastResult) and str(res.issued) == "2019-01-10 20:00:00"
    assert set(res.series) == {"450100", "450200"}
    s = res.series["450100"]
    assert len(s.times) == 72 and np.all(s.p10 <= s.p50) and np.all(s.p50 <= s.p90)
    assert {o.city for o in res.outlook} == {"450100", "450200"} and all(1 <= o.level <= 6 for o in res.outlook)
    assert res.notes.startswith("无气象输入") and "中位数" in res.notes          # in the report's language
    en = rp.forecast_provider(ProviderRequest(kind="daily", date=date(2019, 1, 10), start=date(2019, 1, 10),
                                              end=date(2019, 1, 10), cities=("450100",), lang="en"))
    assert en.notes.startswith("NO weather input") and "median daily AQI" in en.notes
    assert "seasonal prior" not in en.notes                                    # January: a month it was trained on
    # March is a month the test model (trained to 20 January) never saw: the briefing says the prior moved it
    march = rp.forecast_provider(ProviderRequest(kind="daily", date=date(2019, 3, 10), start=date(2019, 3, 10),
                                                 end=date(2019, 3, 10), cities=("450100",)))
    assert "3 月为模型训练中未见过的月份，PM2.5 超标概率按季节先验 guangxi-2017-v1 调整" in march.notes
    with pytest.raises(ProviderUnavailable):
        rp.forecast_provider(ProviderRequest(kind="daily", date=date(2018, 1, 1), start=date(2018, 1, 1),
                                             end=date(2018, 1, 1), cities=()))


def test_forecast_provider_follows_the_report_store(demo_system, demo_store, tmp_path, monkeypatch):
    """A briefing from a live-fed store forecasts from that store's hours, and notices new ones."""
    from console.command.replay import replay_period
    from console.forecast import report_provider as rp
    from console.forecast_service import ForecastService
    from console.reports.providers import ProviderRequest, ProviderUnavailable
    from console.store.db import Store
    from console.store.repository import Repository

    system, _, _ = demo_system
    monkeypatch.setattr(rp, "_service", ForecastService(system=system))
    monkeypatch.setattr(rp, "_data_key", None)
    live = Store(f"sqlite:///{tmp_path / 'live.db'}")
    replay_period(demo_store, live, "2019-01-10T01:00", "2019-01-14T00:00", speed=None)

    def req(day):
        return ProviderRequest(kind="daily", date=day, start=day, end=day, cities=("450100",),
                               repository=Repository(live))

    res = rp.forecast_provider(req(date(2019, 1, 13)))
    assert str(res.issued) == "2019-01-13 20:00:00" and {o.city for o in res.outlook} == {"450100"}
    assert rp._service.data_source.startswith("store sqlite:") and "live.db" in rp._service.data_source
    with pytest.raises(ProviderUnavailable, match="2019-01-10"):   # the store starts on the 10th
        rp.forecast_provider(req(date(2019, 1, 11)))
    before = rp.forecast_provider(req(date(2019, 1, 15)))           # no hours after 01-14 00:00 yet
    assert str(before.issued) == "2019-01-14 00:00:00"
    replay_period(demo_store, live, "2019-01-14T01:00", "2019-01-16T00:00", speed=None)   # the feed brings more
    after = rp.forecast_provider(req(date(2019, 1, 15)))
    assert str(after.issued) == "2019-01-15 20:00:00"
    live.close()


def test_warnings_recommended_from_the_forecast_model(demo_system, demo_store, tmp_path, monkeypatch):
    """`lantian warnings evaluate --forecast model`: the D+1…D+3 outlook the briefings show drives the
    recommendation (its median daily AQI), and the basis names the model and issue time."""
    from console.command.schemes import MODEL, recommend
    from console.errors import LantianError
    from console.forecast import report_provider as rp
    from console.forecast_service import ForecastService
    from console.reports.providers import ProviderRequest
    from console.store.db import Store
    from console.store.repository import Repository

    system, _, _ = demo_system
    monkeypatch.setattr(rp, "_service", ForecastService(system=system))
    monkeypatch.setattr(rp, "_data_key", None)
    repo = Repository(demo_store)
    recs, basis = recommend(repo, None, MODEL, "2019-01-26")
    assert basis.startswith(f"forecast model: model {system.version}") and "issued 2019-01-26 20:00" in basis
    assert len(recs) == 14
    day = date(2019, 1, 26)
    outlook = rp.forecast_provider(ProviderRequest("daily", day, day, day, (), "en", repo)).outlook
    median = {(o.city, o.day.isoformat()): o.aqi_median for o in outlook}
    r = next(x for x in recs if x.city == "450200")
    assert r.forecast_aqi == pytest.approx([median[("450200", d)] for d in ("2019-01-27", "2019-01-28", "2019-01-29")],
                                           abs=0.51)
    # an empty store: neither the model nor persistence can recommend, and the user is told what to do
    empty = Repository(Store(f"sqlite:///{tmp_path / 'empty.db'}"))
    with pytest.raises(LantianError, match="no recommendation: the store has no city-level observations"):
        recommend(empty, None, MODEL, "2019-01-26")


def test_recommendations_from_both_bases(demo_system, demo_store, tmp_path, monkeypatch):
    """The warnings dock's data: the model's and persistence's recommendations for the same days, each with what
    it rests on; an empty store gives reasons, not an exception."""
    from console.command.schemes import recommend_both
    from models import warnings as W
    from console.forecast import report_provider as rp
    from console.forecast_service import ForecastService
    from console.store.db import Store
    from console.store.repository import Repository

    system, _, _ = demo_system
    monkeypatch.setattr(rp, "_service", ForecastService(system=system))
    monkeypatch.setattr(rp, "_data_key", None)
    both = recommend_both(Repository(demo_store), "2019-01-27")
    assert both.model_id == system.version and both.model_issued == "2019-01-27 20:00"
    assert both.model_trained[0] and both.observed_day == "2019-01-27"
    liuzhou = {b: next(r for r in recs if r.city == "450200") for b, recs in (("model", both.model),
                                                                              ("persistence", both.persistence))}
    for r in liuzhou.values():
        assert r.forecast_days == ["2019-01-28", "2019-01-29", "2019-01-30"]   # the same three days
    assert len(set(liuzhou["persistence"].forecast_aqi)) == 1                   # one observed day, repeated
    assert liuzhou["persistence"].forecast_aqi[0] > 200 and liuzhou["persistence"].level == "orange"
    # the briefing's warnings rows: persistence recommends (the product default), the model's level beside it
    from console.command.report_provider import warnings_provider
    from console.reports.providers import ProviderRequest

    day = date(2019, 1, 27)
    rows = {r.city: r for r in warnings_provider(ProviderRequest("daily", day, day, day, ("450200",), "zh",
                                                                 Repository(demo_store))).rows}
    assert rows["450200"].recommended == 2 and rows["450200"].evidence.startswith("持续性（按2019-01-27观测日AQI外推）")
    assert f"预报模型建议：{liuzhou['model'].level and W.level_names()[liuzhou['model'].level]['zh']}" \
        in rows["450200"].evidence
    empty = recommend_both(Repository(Store(f"sqlite:///{tmp_path / 'empty.db'}")), "2019-01-27")
    assert empty.model is None and empty.persistence is None
    assert empty.model_why_not and "no city-level observations" in empty.persistence_why_not
