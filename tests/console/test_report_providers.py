"""The real briefing providers: warning status from the decision log, source shares from published PMF runs."""
import json
from datetime import date

import pytest

from console.demo import load_demo
from console.reports import providers as P
from console.store import Store
from console.store.repository import Repository
from tests.conftest import DATA


@pytest.fixture
def demo_repo(sqlite_url):
    store = Store(sqlite_url)
    load_demo(store)
    return Repository(store)


def request(repo, day=date(2019, 1, 27), cities=("450200", "450100")):
    return P.ProviderRequest(kind="episode", date=day, start=date(2019, 1, 23), end=day, cities=cities,
                             lang="zh", repository=repo)


def test_warnings_provider_recommends_from_persistence_and_reads_issued_levels(demo_repo, monkeypatch):
    from console.command import report_provider as W

    monkeypatch.setattr(W, "run_provider", lambda kind, req: (None, "no_provider"))
    res = W.warnings_provider(request(demo_repo))
    rows = {r.city: r for r in res.rows}
    assert res.scheme and res.scheme_version
    assert rows["450200"].recommended >= 2  # 柳州 daily AQI > 200 on 2019-01-27 → orange or worse by persistence
    assert rows["450200"].issued == 0 and "持续性" in rows["450200"].evidence
    assert "AQI>200 持续48小时：2019-01-28, 2019-01-29" in rows["450200"].evidence   # the rule in the report's language
    assert rows["450100"].recommended <= rows["450200"].recommended


def test_sources_provider_absent_then_uses_a_published_pmf_result(demo_repo, isolated_home):
    from console.cli import main
    from console.sources import report_provider as S

    with pytest.raises(P.ProviderUnavailable, match="PMF"):
        S.sources_provider(request(demo_repo, cities=("450100",)))
    out = isolated_home / "pmf" / "nanning-2020"
    assert main(["pmf", "run", "--conc", str(DATA / "pmf" / "small_con.csv"), "--unc", str(DATA / "pmf" / "small_unc.csv"),
                 "--factors", "3", "--starts", "3", "--out", str(out), "--quiet"]) == 0
    (out / "meta.json").write_text(json.dumps({"city": "450100"}), encoding="utf-8")
    res = S.sources_provider(request(demo_repo, cities=("450100",)))
    assert len(res.factors) == 3 and abs(sum(f.share for f in res.factors) - 1) < 1e-9
    assert res.factors[0].share >= res.factors[-1].share
    assert "nanning-2020" in res.version and res.notes  # samples outside the period → said so
