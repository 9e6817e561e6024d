"""Recompute the AQI of every row of the national hourly files and compare it with the published AQI.

    python benchmarks/validate_aqi_published.py

Uses ../shared/data/cnemc (Guangxi 14 cities and 21 neighbouring cities, 2018-12 … 2019-06).
Prints exact agreement for the standard's text and for each step towards the publication convention.
"""
from __future__ import annotations

import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from benchmarks._common import SHARED, save  # noqa: E402
from console.ingest import read_file  # noqa: E402
from models import aqi  # noqa: E402

FILES = ["guangxi_14cities_hourly_20181201_20190630.csv", "neighbour_cities_hourly_20181201_20190630.csv"]
STEPS = {
    "standard text (PM 24-h mean, O3 1-h + 8-h, round up)": (
        {"PM10": ["PM10_24h"], "PM2.5": ["PM2.5_24h"], "O3": ["O3_1h", "O3_8h"]}, "ceil"),
    "PM from the 1-h value (24-h breakpoints)": (
        {"PM10": ["PM10_1h@PM10_24h"], "PM2.5": ["PM2.5_1h@PM2.5_24h"], "O3": ["O3_1h", "O3_8h"]}, "ceil"),
    "… and O3 from the 1-h value only": (
        {"PM10": ["PM10_1h@PM10_24h"], "PM2.5": ["PM2.5_1h@PM2.5_24h"], "O3": ["O3_1h"]}, "ceil"),
    "… and rounded half up (= 'published')": (
        {"PM10": ["PM10_1h@PM10_24h"], "PM2.5": ["PM2.5_1h@PM2.5_24h"], "O3": ["O3_1h"]}, "half_up"),
}


def main() -> None:
    if not SHARED.exists():
        sys.exit("needs ../shared/data/cnemc")
    rs = aqi.rule_sets()["hj633-2012"]
    base = {"SO2": ["SO2_1h"], "NO2": ["NO2_1h"], "CO": ["CO_1h"]}
    results = {}
    for f in FILES:
        ds = read_file(SHARED / "cnemc" / f).dataset
        pub = ds["AQI"].transpose("site", "time").values
        data = {k: np.asarray(v.transpose("site", "time").values, float) for k, v in ds.data_vars.items()}
        print(f"\n{f}: {int(np.isfinite(pub).sum()):,} published hourly AQI values")
        results[f] = {}
        for label, (ind, rounding) in STEPS.items():
            r = aqi._aqi_arrays(data, rs, {**base, **ind}, pub.shape, rounding)["aqi"]
            both = np.isfinite(pub) & np.isfinite(r)
            d = (r - pub)[both]
            exact, within1 = float((d == 0).mean()), float((np.abs(d) <= 1).mean())
            results[f][label] = {"n": int(both.sum()), "exact": exact, "within_1": within1,
                                 "only_one_side": int((np.isfinite(pub) ^ np.isfinite(r)).sum())}
            print(f"  {label:<55} exact {exact:7.2%}   ±1 {within1:7.2%}   n={both.sum():,}")
        final = aqi.hourly_aqi(ds[[v for v in ds.data_vars if v != "AQI"]], "hj633-2012", "published")["aqi"]
        ok = float((final.reindex_like(ds["AQI"]) == ds["AQI"]).sum() / ds["AQI"].count())
        print(f"  models.aqi.hourly_aqi(convention='published') reproduces {ok:.4%} of the published values")
        results[f]["hourly_aqi_published_exact"] = ok
    print(f"\nresults: {save('aqi_validation', results)}")


if __name__ == "__main__":
    main()
