"""The store: migrations, idempotent loads, corrections, all-or-nothing transactions, xarray views."""
import os
import signal
import subprocess
import sys
import time

import numpy as np
import pandas as pd
import pytest

from console.errors import LantianError
from console.ingest import read_file
from console.store import Store
from console.store.repository import Repository
from tests.conftest import DATA, ROOT

C = DATA / "cnemc"


@pytest.fixture
def repo(sqlite_url):
    return Repository(Store(sqlite_url))


def test_new_database_is_migrated_to_head(sqlite_url):
    s = Store(sqlite_url)
    assert s.revision() == Store.head_revision() and s.revision() >= "0001"
    assert Repository(s).counts()["observation_blocks"] == 0


def test_default_store_lives_in_the_user_data_dir(isolated_home):
    s = Store()
    assert str(isolated_home) in s.url and s.dialect == "sqlite"


def test_reloading_the_same_file_changes_nothing(repo):
    first = repo.ingest(read_file(C / "city_hourly_small.csv"))
    assert first.values_new > 10000 and first.values_changed == 0 and not first.skipped
    before = repo.counts()
    again = repo.ingest(read_file(C / "city_hourly_small.csv"))
    assert again.skipped and repo.counts() == before
    # a different file holding the same values: nothing new, nothing changed
    res = read_file(C / "city_hourly_small.csv")
    res.sha256 = "other-bytes"
    third = repo.ingest(res)
    assert (third.values_new, third.values_changed) == (0, 0)


def test_corrected_values_update_and_are_flagged_gaps_stay_missing(repo, tmp_path):
    repo.ingest(read_file(C / "city_hourly_small.csv"))
    lines = (C / "city_hourly_small.csv").read_text(encoding="utf-8").splitlines()
    idx = next(i for i, l in enumerate(lines) if l.startswith("20190110,8,南宁,"))
    f = lines[idx].split(",")
    f[4] = "999.0"  # corrected PM2.5
    corrected = tmp_path / "corrected.csv"
    corrected.write_text("\n".join([lines[0], ",".join(f)]) + "\n", encoding="utf-8")
    rep = repo.ingest(read_file(corrected))
    assert rep.values_changed == 1 and rep.values_new == 0
    ds = repo.load(sites=["南宁市"], variables=["PM2.5"], start="2019-01-10T07:00", end="2019-01-10T09:00", flags=True)
    assert ds["PM2.5"].values[0].tolist()[1] == 999.0
    assert ds["PM2.5_flag"].values[0].tolist() == [0, 2, 0]
    # hours outside the data are NaN, not zero
    gap = repo.load(sites=["450100"], variables=["PM2.5"], start="2019-01-12T00:00", end="2019-01-12T05:00")
    assert gap.sizes["time"] == 6 and bool(np.isnan(gap["PM2.5"].values).all())


def test_load_subset_as_cf_dataset(repo):
    repo.ingest(read_file(C / "stations.csv"))
    repo.ingest(read_file(C / "city_hourly_small.csv"))
    ds = repo.load(sites=["南宁市", "Liuzhou"], variables=["PM2.5", "CO"], start="2019-01-10", end="2019-01-10T23:00")
    assert ds.sizes == {"site": 2, "time": 24}
    assert list(ds.data_vars) == ["PM2.5", "CO"]
    assert ds["CO"].attrs["units"] == "mg/m3" and ds.attrs["Conventions"].startswith("CF")
    assert set(ds["name_zh"].values) == {"南宁市", "柳州市"}
    src = read_file(C / "city_hourly_small.csv").dataset
    np.testing.assert_array_equal(ds["PM2.5"].sel(site="450100").values,
                                  src["PM2.5"].sel(site="450100", time=slice("2019-01-10", "2019-01-10T23:00")).values)
    stations = repo.sites(kind="station")
    assert len(stations) == 62 and stations.set_index("code").loc["1401A", "city_zh"] == "南宁市"
    with pytest.raises(LantianError, match="unknown site"):
        repo.load(sites=["Atlantis"])
    with pytest.raises(LantianError, match="unknown variable"):
        repo.load(variables=["NOPE"])


def test_rejected_rows_go_to_the_ingest_log(repo):
    rep = repo.ingest(read_file(C / "bad_values.csv"))
    log = repo.ingest_log(rep.dataset_id)
    assert set(log["reason"]) >= {"not a number", "negative concentration"}
    assert log.loc[log["reason"] == "not a number", "line"].tolist() == [4]


def test_interrupted_load_leaves_nothing(repo, monkeypatch):
    res = read_file(C / "city_hourly_small.csv")
    calls = {"n": 0}
    original = Repository._write_blocks

    def failing(self, *a, **k):
        calls["n"] += 1
        original(self, *a, **k)
        raise RuntimeError("power cut")

    monkeypatch.setattr(Repository, "_write_blocks", failing)
    with pytest.raises(RuntimeError):
        repo.ingest(res)
    counts = repo.counts()
    assert calls["n"] == 1 and counts["observation_blocks"] == 0 and counts["datasets"] == 0


def test_killed_ingest_process_is_all_or_nothing(tmp_path):
    """SIGKILL a real `lantian ingest` at a random moment: afterwards the load is complete or absent."""
    url = f"sqlite:///{tmp_path / 'kill.db'}"
    Store(url)  # migrate first so the kill hits the load itself
    src = str(ROOT / "resources" / "demo" / "guangxi_city_hourly.csv.gz")
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    rng = np.random.default_rng(7)
    for delay in rng.uniform(0.8, 2.5, size=2):
        p = subprocess.Popen([sys.executable, "-c", "import sys; from console.cli import main; "
                              f"sys.exit(main(['--db', {url!r}, 'ingest', '--quiet', {src!r}]))"], env=env,
                             stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        time.sleep(delay)
        p.send_signal(signal.SIGKILL)
        p.wait()
        repo = Repository(Store(url))
        counts = repo.counts()
        if counts["datasets"]:
            assert counts["observation_blocks"] > 40000
        else:
            assert counts["observation_blocks"] == 0
    rep = Repository(Store(url)).ingest(read_file(src))
    full = Repository(Store(url)).counts()
    assert full["datasets"] == 1 and full["observation_blocks"] > 40000 and (rep.skipped or rep.values_new > 10 ** 6)


def test_demo_loads_into_an_empty_store_and_opens_on_an_episode(sqlite_url):
    from console.demo import ensure_demo, worst_episode_hour

    s = Store(sqlite_url)
    assert ensure_demo(s) is True
    assert ensure_demo(s) is False
    repo = Repository(s)
    rng = repo.time_range()
    assert rng[0] == pd.Timestamp("2018-12-01 00:00") and rng[1] == pd.Timestamp("2019-06-30 23:00")
    assert len(repo.sites(kind="city")) == 14 and len(repo.sites(kind="station")) == 62
    t = worst_episode_hour(repo)
    aqi = repo.load(kind="city", variables=["AQI"], start=t, end=t)["AQI"].values[:, 0]
    assert np.nanmean(aqi) > 150  # a real polluted hour across the region
