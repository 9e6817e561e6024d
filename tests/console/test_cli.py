"""The `lantian` CLI contract: aqi, ingest, info, export — exit codes and outputs scripts rely on."""
import json

import pandas as pd
import pytest
import xarray as xr

from console.cli import main
from console.store import Store
from tests.conftest import DATA

C = DATA / "cnemc"
AQI_COLUMNS = ["site", "time", "aqi", "level", "primary_pollutant",
               "iaqi_SO2", "iaqi_NO2", "iaqi_PM10", "iaqi_PM2.5", "iaqi_CO", "iaqi_O3"]


def test_aqi_contract_columns_time_format_and_meta(tmp_path):
    out = tmp_path / "aqi.csv"
    assert main(["aqi", str(C / "city_hourly_small.csv"), "--out", str(out), "--convention", "published"]) == 0
    df = pd.read_csv(out, dtype={"site": str})
    assert list(df.columns) == AQI_COLUMNS
    assert len(df) == 14 * 72  # one row per city and hour of the input
    row = df[(df.site == "450100") & (df.time == "2019-01-10T08:00:00+08:00")].iloc[0]
    src = pd.read_csv(C / "city_hourly_small.csv")
    pub = src[(src["城市"] == "南宁") & (src.date == 20190110) & (src.hour == 8)]["AQI"].iloc[0]
    assert row.aqi == pub  # the published convention reproduces the national platform
    assert row.level in ("优", "良", "轻度污染", "中度污染", "重度污染", "严重污染")
    meta = json.loads((tmp_path / "aqi.csv.meta.json").read_text(encoding="utf-8"))
    assert meta["rule_versions"] == ["hj633-2012"] and meta["convention"] == "published"
    assert meta["inputs"][0]["sha256"]


def test_aqi_standard_override_and_daily(tmp_path):
    out = tmp_path / "d.csv"
    assert main(["aqi", str(C / "city_hourly_small.csv"), "--out", str(out), "--standard", "hj633-2026", "--daily"]) == 0
    df = pd.read_csv(out, dtype={"site": str})
    assert list(df.columns) == AQI_COLUMNS and set(df.time) >= {"2019-01-09", "2019-01-10"}
    meta = json.loads((tmp_path / "d.csv.meta.json").read_text(encoding="utf-8"))
    assert meta["rule_versions"] == ["hj633-2026"] and meta["report"] == "daily"


def test_aqi_on_station_wide_and_realtime_inputs(tmp_path):
    out = tmp_path / "s.csv"
    assert main(["aqi", str(C / "sites_wide_20180101.csv"), str(C / "realtime_sample.csv"), "--out", str(out)]) == 0
    df = pd.read_csv(out, dtype={"site": str})
    assert {"1401A", "2522A"} <= set(df.site)
    assert "2022-02-01T00:00:00+08:00" in set(df.time)


def test_aqi_bad_input_exit_codes(tmp_path, capsys):
    out = tmp_path / "x.csv"
    assert main(["aqi", str(C / "bad_values.csv"), "--out", str(out)]) == 1  # done, rows rejected
    err = capsys.readouterr().err
    assert "line 4, column 'PM2.5': not a number" in err and "Traceback" not in err
    assert main(["aqi", str(C / "not_a_table.json"), "--out", str(out)]) == 2
    assert "not a recognised format" in capsys.readouterr().err


def test_ingest_info_export_roundtrip(tmp_path, capsys):
    db = f"sqlite:///{tmp_path / 'cli.db'}"
    assert main(["--db", db, "ingest", "--quiet", str(C / "stations.csv"), str(C / "city_hourly_small.csv")]) == 0
    assert main(["--db", db, "ingest", "--quiet", str(C / "city_hourly_small.csv")]) == 0
    assert "already loaded" in capsys.readouterr().out
    assert main(["--db", db, "ingest", "--quiet", str(C / "bad_values.csv")]) == 1
    assert main(["--db", db, "ingest", "--quiet", str(C / "bad_header.csv")]) == 2
    capsys.readouterr()
    assert main(["--db", db, "info", "--json"]) == 0
    info = json.loads(capsys.readouterr().out)
    assert info["schema_revision"] == Store.head_revision() and info["counts"]["stations"] == 62 + 14
    assert main(["--db", db, "info", "--log"]) == 0
    assert "negative concentration" in capsys.readouterr().out
    nc = tmp_path / "out.nc"
    assert main(["--db", db, "export", "--out", str(nc), "--sites", "南宁市", "--start", "2019-01-10",
                 "--end", "2019-01-10T23:00"]) == 0
    ds = xr.open_dataset(nc)
    assert ds.sizes["time"] == 24 and ds["time"].attrs.get("time_zone") == "UTC"
    # exported NetCDF reads back (Beijing time restored) and re-ingests as a no-op
    assert main(["--db", db, "ingest", "--quiet", str(nc)]) == 0
    assert "0 new values, 0 changed" in capsys.readouterr().out
    csv = tmp_path / "out.csv"
    assert main(["--db", db, "export", "--out", str(csv), "--sites", "450100", "--variables", "PM2.5,O3",
                 "--start", "2019-01-10", "--end", "2019-01-10T02:00"]) == 0
    df = pd.read_csv(csv)
    assert list(df.columns)[:4] == ["site", "time", "PM2.5", "O3"] and len(df) == 3


def test_help_and_unknown_command(capsys):
    with pytest.raises(SystemExit) as e:
        main(["--help"])
    assert e.value.code == 0
    out = capsys.readouterr().out
    for cmd in ("ingest", "aqi", "info", "export"):
        assert cmd in out
    with pytest.raises(SystemExit) as e:
        main(["frobnicate"])
    assert e.value.code == 2
