"""Weather-forecast fields from GRIB (a real GFS file; lead times, accumulation buckets, UTC) and NetCDF,
projected grids, and bad files.

``tests/data/met/gfs_2p5deg_surface_f120.grib2``: seven near-surface messages (sp, 2 m T and RH, 10 m
wind, total precipitation, MSL pressure) of NCEP GFS run 2011-01-10 12 UTC, 120 h, 2.5° global — cut
unchanged from ``sampledata/gfs.t12z.pgrbf120.2p5deg.grib2`` of the pygrib 2.1.8 sdist (NOAA data, public
domain).
"""
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import xarray as xr

from console.errors import InputError
from console.forecast_io import open_weather_fields
from forecasting.meteorology import dew_point, field_names, site_meteorology, to_beijing_time
from tests.forecasting.conftest import GFS_FIXTURE, write_gfs_run

GFS = GFS_FIXTURE
NANNING = dict(lon=[108.3], lat=[22.8])


def _gfs_point(short: str, lat: float = 22.5, lon: float = 107.5) -> float:
    """The value of one GFS message at one grid point, read straight from ecCodes (pygrib)."""
    import pygrib

    with pygrib.open(str(GFS)) as grbs:
        msg = grbs.select(shortName=short)[0]
        lats, lons = msg.latlons()
        i = np.argmin((lats - lat) ** 2 + (lons - lon) ** 2)
        return float(msg.values.ravel()[i])


def test_real_gfs_file_becomes_site_meteorology_at_the_nearest_grid_point():
    fields = open_weather_fields(GFS, names=field_names())
    assert {"t2m", "r2", "u10", "v10", "sp", "tp", "prmsl"} == set(fields.data_vars)
    assert fields.attrs["runs"] == "2011-01-10 12:00" and fields.sizes["latitude"] == 73
    m = site_meteorology(to_beijing_time(fields, utc=True), ["南宁"], **NANNING)
    assert str(m["time"].values[0])[:16] == "2011-01-15T20:00"          # 12 UTC + 120 h, in Beijing time
    # Nanning (108.3 E, 22.8 N) → grid point 107.5 E, 22.5 N; values equal ecCodes' own decoding
    t = _gfs_point("2t") - 273.15
    assert m["TEMP"].item() == pytest.approx(t, abs=1e-6) and -5 < t < 30
    assert m["DEWP"].item() == pytest.approx(dew_point(t, _gfs_point("2r")), abs=1e-6) and m["DEWP"].item() <= t
    assert m["PRES"].item() == pytest.approx(_gfs_point("sp") / 100.0) and 850 < m["PRES"].item() < 1050
    u, v = _gfs_point("10u"), _gfs_point("10v")
    assert m["WS"].item() == pytest.approx(np.hypot(u, v))
    assert m["WD"].item() == pytest.approx(np.degrees(np.arctan2(-u, -v)) % 360)


def test_cropping_keeps_the_sites_grid_point_and_drops_the_globe():
    full = open_weather_fields(GFS, names={"t2m"})
    crop = open_weather_fields(GFS, bbox=(104.0, 20.0, 113.0, 27.0), names={"t2m"})
    assert crop.sizes["latitude"] * crop.sizes["longitude"] < full.sizes["latitude"] * full.sizes["longitude"] / 100
    a = site_meteorology(full.assign(d2m=full["t2m"] - 5, sp=full["t2m"] * 0 + 1e5, u10=full["t2m"] * 0 + 1,
                                     v10=full["t2m"] * 0), ["南宁"], **NANNING)
    b = site_meteorology(crop.assign(d2m=crop["t2m"] - 5, sp=crop["t2m"] * 0 + 1e5, u10=crop["t2m"] * 0 + 1,
                                     v10=crop["t2m"] * 0), ["南宁"], **NANNING)
    assert a["TEMP"].item() == b["TEMP"].item()


def test_lead_times_and_precipitation_buckets_become_hourly_beijing_time(tmp_path):
    path = tmp_path / "gfs.t12z.pgrb2.2p5.f000-006"          # no suffix: recognised by its first bytes
    write_gfs_run(path)
    m = site_meteorology(to_beijing_time(open_weather_fields(path), utc=True), ["南宁"], **NANNING)
    t = pd.DatetimeIndex(m["time"].values)
    assert t[0] == pd.Timestamp("2011-01-10 20:00") and t[-1] == pd.Timestamp("2011-01-11 02:00") and len(t) == 7
    temp = m["TEMP"].values[0]
    assert np.allclose(np.diff(temp), 1 / 3, atol=0.01)        # +1 K per 3 h step, interpolated hourly
    rain = m["RAIN"].values[0]
    assert np.allclose(rain[1:4], 1.0) and np.allclose(rain[4:7], 2.0)   # 3 mm over 0-3 h, 6 mm over 3-6 h
    assert m.attrs["first_valid"] == "2011-01-10 20:00:00"


def test_ensemble_members_are_averaged_and_said_so(tmp_path):
    import pygrib

    with pygrib.open(str(GFS)) as grbs:          # the real 2 m temperature as an ensemble template (PDT 4.1)
        msg = grbs.select(shortName="2t")[0]
        msg["productDefinitionTemplateNumber"] = 1
        (tmp_path / "one.grib2").write_bytes(msg.tostring())
    with pygrib.open(str(tmp_path / "one.grib2")) as grbs, open(tmp_path / "ens.grib2", "wb") as out:
        msg = grbs.message(1)
        for k in range(3):
            msg["perturbationNumber"], msg["numberOfForecastsInEnsemble"] = k, 3
            msg.values = np.full(msg.values.shape, 280.0 + k)
            out.write(msg.tostring())
    ds = open_weather_fields(tmp_path / "ens.grib2")
    assert ds.attrs["ensemble_members"] == 3 and "ensemble mean of 3 members" in ds.attrs["source"]
    assert np.allclose(ds["t2m"], 281.0) and ds["t2m"].attrs["units"] == "K"


def test_projected_grid_uses_the_nearest_point_of_2d_coordinates():
    lat2d, lon2d = np.meshgrid(np.linspace(20, 26, 7), np.linspace(104, 112, 9), indexing="ij")
    lat2d = lat2d + 0.1 * (lon2d - 108)                       # a sheared (projected) grid
    t = pd.date_range("2024-01-01", periods=2, freq="h")
    base = np.arange(63, dtype=float).reshape(7, 9)
    data = {k: (("time", "y", "x"), np.stack([base + off] * 2)) for k, off in
            (("t2m", 280.0), ("d2m", 270.0), ("sp", 100000.0), ("u10", 0.0), ("v10", 1.0))}
    fields = xr.Dataset(data, coords=dict(time=t, latitude=(("y", "x"), lat2d), longitude=(("y", "x"), lon2d)))
    m = site_meteorology(fields, ["南宁"], **NANNING)
    d = (lat2d - 22.8) ** 2 + ((lon2d - 108.3) * np.cos(np.radians(22.8))) ** 2
    assert m["TEMP"].values[0, 0] == pytest.approx(base.ravel()[np.argmin(d)] + 280.0 - 273.15)


def test_bad_weather_files_name_the_file(tmp_path):
    with pytest.raises(InputError, match="missing.grib2.*file not found"):
        open_weather_fields(tmp_path / "missing.grib2")
    bad = tmp_path / "broken.grib2"
    bad.write_bytes(b"GRIB this is not a GRIB message")
    with pytest.raises(InputError, match="broken.grib2: GRIB message 1 at byte 0 is incomplete"):
        open_weather_fields(bad)
    cut = tmp_path / "truncated.grib2"
    cut.write_bytes(GFS.read_bytes()[:30000])                  # the second message is cut short
    with pytest.raises(InputError, match="truncated.grib2: GRIB message 2 at byte 20703 is incomplete .it is cut short"):
        open_weather_fields(cut)                                 # ecCodes alone would return message 1 silently
    (tmp_path / "notes.grb").write_text("hello")
    with pytest.raises(InputError, match="notes.grb: no GRIB messages found"):
        open_weather_fields(tmp_path / "notes.grb")
    txt = tmp_path / "fields.nc"
    txt.write_text("not netcdf")
    with pytest.raises(InputError, match="fields.nc.*cannot open as NetCDF"):
        open_weather_fields(txt)


def test_reading_grib_leaves_the_process_libraries_alone():
    """cfgrib's ecCodes wheel put its bundled SQLite 3.26 in place of Python's and made a later
    psycopg2 crash the process at exit (console/grib_fields.py).  Reading GRIB must change neither."""
    import subprocess
    import sys

    probe = "import sqlite3; print(sqlite3.sqlite_version)"
    clean = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True).stdout
    after = subprocess.run(
        [sys.executable, "-c", "import xarray as xr; xr.backends.list_engines()\n"
                               "from console.forecast_io import open_weather_fields\n"
                               f"open_weather_fields({str(GFS)!r})\n"
                               "try:\n    import psycopg2\nexcept ImportError:\n    pass\n" + probe],
        capture_output=True, text=True, cwd=Path(__file__).resolve().parents[2])
    assert after.returncode == 0, after.stderr[-500:]      # 139 = the crash at exit
    assert after.stdout == clean


def test_a_variable_on_another_grid_is_named_not_dropped_silently(tmp_path):
    import pygrib

    with pygrib.open(str(GFS)) as grbs, open(tmp_path / "mixed.grib2", "wb") as out:
        for msg in grbs:
            out.write(msg.tostring())
    regular = open_weather_fields(tmp_path / "mixed.grib2")
    assert "not_read" not in regular.attrs
    # the same file plus a 1° regional 2 m dew point (another grid)
    with pygrib.open(str(GFS)) as grbs:
        msg = grbs.select(shortName="2t")[0]
        for key, v in (("shortName", "2d"), ("Ni", 3), ("Nj", 3), ("latitudeOfFirstGridPointInDegrees", 24.0),
                       ("longitudeOfFirstGridPointInDegrees", 107.0), ("latitudeOfLastGridPointInDegrees", 22.0),
                       ("longitudeOfLastGridPointInDegrees", 109.0), ("iDirectionIncrementInDegrees", 1.0),
                       ("jDirectionIncrementInDegrees", 1.0)):
            msg[key] = v
        msg.values = np.full(9, 280.0)
        with open(tmp_path / "mixed.grib2", "ab") as out:
            out.write(msg.tostring())
    mixed = open_weather_fields(tmp_path / "mixed.grib2")
    assert "d2m" not in mixed.data_vars and mixed.attrs["not_read"].startswith("d2m: on another grid")


def test_grib_opens_with_xarray_through_the_products_backend(tmp_path):
    """GRIB is read with xarray like NetCDF: the ``lantian_grib`` engine (console.grib_backend), named or
    found by the file's first bytes, with the backend's crop, selection and drop_variables."""
    from console.grib_backend import GribBackend
    from console.grib_fields import read_grib_fields

    assert "lantian_grib" in xr.backends.list_engines()       # registered by pyproject's entry point
    named = xr.open_dataset(GFS, engine="lantian_grib")
    xr.testing.assert_identical(named.load(), read_grib_fields(GFS))
    assert named["latitude"].attrs["units"] == "degrees_north" and named.attrs["time_zone"] == "UTC"
    unnamed = tmp_path / "gfs.t12z.pgrb2.2p5deg.f120"          # GFS names have no suffix
    unnamed.write_bytes(GFS.read_bytes())
    assert GribBackend().guess_can_open(unnamed) and not GribBackend().guess_can_open(tmp_path / "x.nc")
    found = xr.open_dataset(unnamed)                            # no engine given: xarray asks the backends
    assert set(found.data_vars) == set(named.data_vars)
    crop = xr.open_dataset(GFS, engine="lantian_grib", bbox=(104.0, 20.0, 113.0, 27.0), names={"t2m", "tp"},
                           drop_variables="tp")
    assert list(crop.data_vars) == ["t2m"] and crop.sizes["latitude"] < 10
    assert float(crop["t2m"].sel(latitude=22.5, longitude=107.5).item()) == pytest.approx(_gfs_point("2t"))
    cut = tmp_path / "cut.grib2"
    cut.write_bytes(GFS.read_bytes()[:-500])
    with pytest.raises(InputError, match="cut.grib2.*incomplete"):
        xr.open_dataset(cut, engine="lantian_grib")
