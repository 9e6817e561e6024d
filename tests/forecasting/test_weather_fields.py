"""Weather-forecast fields from GRIB (mixed level types, lead times, UTC) and NetCDF, and bad files."""
import numpy as np
import pytest

from console.errors import InputError
from console.forecast_io import open_weather_fields
from forecasting.meteorology import site_meteorology, to_beijing_time


def _write_grib(path, steps=(0, 3, 6)):
    """A real GRIB2 file written with ecCodes: 2 m temperature/dew point (level 2 m), 10 m wind (level 10 m)
    and surface pressure on a 2 × 2 grid, run 2019-01-10 00 UTC, lead times ``steps`` hours."""
    import eccodes
    with open(path, "wb") as out:
        for short, val in (("2t", 288.15), ("2d", 283.15), ("10u", 3.0), ("10v", 0.0), ("sp", 101000.0)):
            for step in steps:
                h = eccodes.codes_grib_new_from_samples("GRIB2")
                for key, v in (("dataDate", 20190110), ("dataTime", 0), ("Ni", 2), ("Nj", 2),
                               ("latitudeOfFirstGridPointInDegrees", 23.0), ("longitudeOfFirstGridPointInDegrees", 108.0),
                               ("latitudeOfLastGridPointInDegrees", 22.0), ("longitudeOfLastGridPointInDegrees", 109.0),
                               ("iDirectionIncrementInDegrees", 1.0), ("jDirectionIncrementInDegrees", 1.0),
                               ("shortName", short), ("stepRange", str(step))):
                    eccodes.codes_set(h, key, v)
                eccodes.codes_set_values(h, np.full(4, val))
                eccodes.codes_write(h, out)
                eccodes.codes_release(h)


def test_grib_with_mixed_levels_becomes_site_meteorology_in_beijing_time(tmp_path):
    pytest.importorskip("cfgrib", reason="GRIB support is the optional extra lantian[grib] (cfgrib, eccodes)")
    pytest.importorskip("eccodes", reason="GRIB support is the optional extra lantian[grib] (cfgrib, eccodes)")
    path = tmp_path / "gfs.grib2"
    _write_grib(path)
    fields = open_weather_fields(path)
    assert {"t2m", "d2m", "u10", "v10", "sp"} <= set(fields.data_vars)     # all level types merged
    m = site_meteorology(to_beijing_time(fields, utc=True), ["南宁"], lon=[108.3], lat=[22.8])
    t = m["time"].values
    assert str(t[0])[:16] == "2019-01-10T08:00" and str(t[-1])[:16] == "2019-01-10T14:00"   # 00–06 UTC, hourly
    assert np.allclose(m["TEMP"], 15.0, atol=1e-3) and np.allclose(m["PRES"], 1010.0)
    assert np.allclose(m["WS"], 3.0) and np.allclose(m["WD"], 270.0)


def test_bad_weather_files_name_the_file(tmp_path):
    with pytest.raises(InputError, match="missing.grib2.*file not found"):
        open_weather_fields(tmp_path / "missing.grib2")
    bad = tmp_path / "broken.grib2"
    bad.write_bytes(b"GRIB this is not a GRIB message")
    # without the optional extra: how to get it; with it: the file cannot be read — both name the file
    with pytest.raises(InputError, match="broken.grib2.*(lantian\\[grib\\]|cannot read as GRIB)"):
        open_weather_fields(bad)
    txt = tmp_path / "fields.nc"
    txt.write_text("not netcdf")
    with pytest.raises(InputError, match="fields.nc.*cannot open as NetCDF"):
        open_weather_fields(txt)
