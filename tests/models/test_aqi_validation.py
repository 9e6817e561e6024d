"""Every published hourly AQI of the neighbouring-cities file is reproduced by the 'published' convention."""
import numpy as np

from console.ingest import read_file
from models import aqi


def test_neighbour_cities_published_aqi_reproduced(shared_data):
    ds = read_file(shared_data / "cnemc" / "neighbour_cities_hourly_20181201_20190630.csv").dataset
    pub = ds["AQI"]
    res = aqi.hourly_aqi(ds[[v for v in ds.data_vars if v != "AQI"]], "hj633-2012", "published")["aqi"]
    res = res.reindex_like(pub)
    assert int(pub.count()) == 102520
    assert int((res == pub).sum()) == int(pub.count())
    assert int((np.isfinite(res) ^ np.isfinite(pub)).sum()) == 0
