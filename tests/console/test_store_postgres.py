"""The same store on a real PostgreSQL server (selected by URL)."""
import numpy as np

from console.cli import main
from console.ingest import read_file
from console.store import Store
from console.store.repository import Repository
from tests.conftest import DATA

C = DATA / "cnemc"


def test_postgres_store_migrates_loads_and_reads_back(pg_url):
    store = Store(pg_url)
    assert store.dialect == "postgresql" and store.revision() == Store.head_revision()
    repo = Repository(store)
    first = repo.ingest(read_file(C / "city_hourly_small.csv"))
    assert first.values_new > 10000
    res = read_file(C / "city_hourly_small.csv")
    res.sha256 = "again"
    again = repo.ingest(res)
    assert (again.values_new, again.values_changed) == (0, 0)
    ds = repo.load(sites=["南宁市"], variables=["PM2.5"], start="2019-01-10", end="2019-01-10T23:00")
    src = res.dataset["PM2.5"].sel(site="450100", time=slice("2019-01-10", "2019-01-10T23:00")).values
    np.testing.assert_array_equal(ds["PM2.5"].values[0], src)
    rep = repo.ingest(read_file(C / "bad_values.csv"))
    assert "negative concentration" in set(repo.ingest_log(rep.dataset_id)["reason"])


def test_cli_selects_postgres_by_url(pg_url, capsys):
    assert main(["--db", pg_url, "ingest", "--quiet", str(C / "city_hourly_small.csv")]) == 0
    assert main(["--db", pg_url, "info"]) == 0
    out = capsys.readouterr().out
    assert "postgresql" in out and "14 stations" in out
