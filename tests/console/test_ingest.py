"""Readers: national formats, mapped CSV, and every kind of bad input (clear message, good rows kept)."""
import numpy as np
import pytest

from console.errors import InputError
from console.ingest import detect_format, read_file
from tests.conftest import DATA

C = DATA / "cnemc"


def test_city_hourly_reads_units_time_and_sites():
    r = read_file(C / "city_hourly_small.csv")
    assert r.format == "cnemc-city" and r.problems == []
    ds = r.dataset
    assert ds.sizes["site"] == 14 and ds.sizes["time"] == 72
    assert "450100" in ds["site"].values  # 南宁 → adcode
    assert r.sites["450100"].name_zh == "南宁市" and r.sites["450100"].name_en == "Nanning"
    assert ds["CO"].attrs["units"] == "mg/m3" and ds["PM2.5"].attrs["units"] == "ug/m3"
    assert ds["time"].attrs["utc_offset"] == "+08:00"
    # the value of 南宁 2019-01-10 08:00 as in the file
    row = [l for l in (C / "city_hourly_small.csv").read_text(encoding="utf-8").splitlines()
           if l.startswith("20190110,8,南宁,")][0].split(",")
    assert float(ds["PM2.5"].sel(site="450100", time="2019-01-10T08:00")) == float(row[4])


def test_sites_wide_realtime_and_station_list():
    r = read_file(C / "sites_wide_20180101.csv")
    assert r.format == "cnemc-sites" and r.dataset.sizes == {"site": 50, "time": 24}
    assert float(r.dataset["AQI"].sel(site="1401A").isel(time=0)) == 89.0
    rt = read_file(C / "realtime_sample.csv")
    assert rt.format == "cnemc-realtime" and rt.dataset.sizes["site"] == 8
    assert rt.sites["1405A"].background and rt.sites["1405A"].name_zh == "仙葫"
    assert float(rt.dataset["PM2.5"].sel(site="1401A").item()) == 14.0
    st = read_file(C / "stations.csv")
    assert st.stations_only and len(st.sites) == 62
    assert st.sites["1401A"].city_code == "450100" and st.sites["1401A"].lon == pytest.approx(108.3103)


def test_bad_values_are_reported_and_good_rows_kept():
    r = read_file(C / "bad_values.csv")
    reasons = {(p.line, p.field): p.reason for p in r.problems}
    assert reasons[(4, "PM2.5")] == "not a number"
    assert reasons[(6, "PM2.5")] == "negative concentration"
    assert "impossible date" in reasons[(8, "date")]
    assert "impossible hour" in reasons[(10, "hour")]
    assert r.rows_read == 30 and r.rows_rejected == 2  # the two rows without a valid time
    # the bad cells are missing, the rest of their rows kept
    ds = r.dataset
    import pandas as pd

    raw = pd.read_csv(C / "bad_values.csv", dtype=str, keep_default_na=False)
    good_time = ~raw.index.isin([8 - 2, 10 - 2])
    assert int(ds["PM10"].count()) == int(((raw["PM10"] != "") & good_time).sum())
    assert int(ds["PM2.5"].count()) == int(((raw["PM2.5"] != "") & good_time).sum()) - 2
    assert all(str(p).startswith(str(C / "bad_values.csv")) for p in r.problems)


def test_wrong_header_names_the_missing_column():
    with pytest.raises(InputError) as e:
        read_file(C / "bad_header.csv")
    assert "bad_header.csv, line 1" in str(e.value) and "城市" in str(e.value)


def test_truncated_file_rejects_the_partial_row():
    r = read_file(C / "truncated.csv")
    assert len(r.problems) == 1 and r.problems[0].line == 12
    assert "truncated" in r.problems[0].reason
    assert r.dataset["PM2.5"].count() == 10


def test_gbk_file_is_decoded_with_a_warning():
    r = read_file(C / "gbk.csv")
    assert r.encoding == "gbk" and r.problems[0].severity == "warning" and "GBK" in r.problems[0].reason
    assert "450100" in r.dataset["site"].values


@pytest.mark.parametrize("name, words", [("not_a_table.json", "not a recognised format"),
                                         ("binary.nc", "NetCDF")])
def test_other_formats_get_a_clear_message(name, words):
    with pytest.raises(InputError) as e:
        read_file(C / name)
    assert name in str(e.value) and words in str(e.value)


def test_missing_file_and_forced_wrong_format():
    with pytest.raises(InputError, match="no such file"):
        read_file(C / "nope.csv")
    with pytest.raises(InputError, match="lacks column"):
        read_file(C / "sites_wide_20180101.csv", format="cnemc-city")


def test_mapped_csv_converts_units_time_zone_and_labels(tmp_path):
    f = tmp_path / "logger.csv"
    f.write_text("when,stn,pm25,co_ug,no2_ppb\n2019-01-01 00:00,A,10,1000,10\n2019-01-01 01:00,A,x,2000,\n",
                 encoding="utf-8")
    mapping = {"time": {"column": "when"}, "timezone": "UTC", "time_label": "hour-beginning",
               "site": {"column": "stn"},
               "variables": {"PM2.5": {"column": "pm25", "unit": "ug/m3"}, "CO": {"column": "co_ug", "unit": "ug/m3"},
                             "NO2": {"column": "no2_ppb", "unit": "ppb"}}}
    r = read_file(f, format="csv", mapping=mapping)
    ds = r.dataset
    # 00:00 UTC hour-beginning → ends 01:00 UTC → 09:00 Beijing
    assert str(ds["time"].values[0])[:16] == "2019-01-01T09:00"
    assert ds["CO"].values[0].tolist() == [1.0, 2.0]
    assert ds["NO2"].values[0, 0] == pytest.approx(10 * 46.0055 / 24.465)
    assert [(p.line, p.field, p.reason) for p in r.problems] == [(3, "pm25", "not a number")]


def test_beijing_preset_detected(shared_data):
    r = read_file(shared_data / "beijing" / "PRSA_Data_Dongsi_20130301-20170228.csv")
    assert r.format == "csv-mapped" and r.dataset.sizes["time"] == 35064
    assert float(r.dataset["CO"].isel(site=0, time=0)) == 0.3  # 300 µg/m3 → 0.3 mg/m3
    assert set(np.unique(r.dataset["WD"].values[~np.isnan(r.dataset["WD"].values)])) <= {i * 22.5 for i in range(16)}


def test_detect_format():
    assert detect_format("date,hour,城市,AQI") == "cnemc-city"
    assert detect_format("date,hour,type,1401A") == "cnemc-sites"
    assert detect_format('"No","year","month","day","hour","PM2.5","PM10","station","WSPM"') == "csv:beijing-prsa"
    assert detect_format("foo,bar") is None
