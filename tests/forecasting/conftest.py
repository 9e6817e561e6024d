"""Fixtures for the forecasting tests: small synthetic data with real structure, demo-data system."""
from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import xarray as xr

ROOT = Path(__file__).resolve().parents[2]
SHARED = next((p / "shared" / "data" for p in ROOT.parents if (p / "shared" / "data").is_dir()),
              ROOT.parent / "shared" / "data")

COMPASS = "N NNE NE ENE E ESE SE SSE S SSW SW WSW W WNW NW NNW".split()


def synthetic(n_days: int = 90, sites=("A", "B", "C"), seed: int = 0) -> xr.Dataset:
    """Hourly PM2.5 driven by a slow log-AR(1) "weather" state (ventilation) and a diurnal cycle."""
    rng = np.random.default_rng(seed)
    T = n_days * 24
    time = pd.date_range("2020-01-01 01:00", periods=T, freq="h")
    vent = np.zeros(T)
    for t in range(1, T):
        vent[t] = 0.97 * vent[t - 1] + rng.normal(0, 0.25)
    diurnal = 0.25 * np.sin(2 * np.pi * (time.hour.to_numpy() - 8) / 24)
    data = {v: [] for v in ("PM2.5", "PM10", "SO2", "NO2", "CO", "O3", "TEMP", "DEWP", "PRES", "RAIN", "WS", "WD")}
    for k, _ in enumerate(sites):
        noise = rng.normal(0, 0.25, T)
        pm = np.exp(3.8 + 0.1 * k + vent + diurnal + noise)
        data["PM2.5"].append(pm)
        data["PM10"].append(pm * 1.6 * np.exp(rng.normal(0, 0.1, T)))
        data["SO2"].append(np.exp(2 + 0.3 * vent + rng.normal(0, 0.2, T)))
        data["NO2"].append(np.exp(3.3 + 0.4 * vent - diurnal + rng.normal(0, 0.2, T)))
        data["CO"].append(np.exp(0 + 0.5 * vent + rng.normal(0, 0.2, T)))
        data["O3"].append(np.exp(4 - 0.3 * vent + 2 * diurnal + rng.normal(0, 0.2, T)))
        data["TEMP"].append(5 + 5 * np.sin(2 * np.pi * time.hour.to_numpy() / 24) + rng.normal(0, 1, T))
        data["DEWP"].append(-5 + 3 * vent + rng.normal(0, 1, T))
        data["PRES"].append(1015 - 3 * vent + rng.normal(0, 0.5, T))
        data["RAIN"].append(np.where(rng.random(T) < 0.02, rng.exponential(2, T), 0.0))
        data["WS"].append(np.clip(3 - 1.5 * vent + rng.normal(0, 0.5, T), 0.1, None))
        data["WD"].append(np.where(vent < 0, 0.0, 180.0) + rng.choice([-22.5, 0, 22.5], T) % 360)
    ds = xr.Dataset({v: (("site", "time"), np.array(a, dtype=float)) for v, a in data.items()},
                    coords={"site": list(sites), "time": time})
    ds["PM2.5"][0, 100:110] = np.nan  # gaps stay gaps
    return ds


def write_prsa(ds: xr.Dataset, folder: Path) -> list[Path]:
    """Write a dataset in the UCI PRSA multi-site CSV layout (CO in µg/m³, wd compass)."""
    paths = []
    t = pd.DatetimeIndex(ds["time"].values)
    for s in ds["site"].values:
        d = ds.sel(site=s)
        wd = np.array(COMPASS)[(np.round(d["WD"].values / 22.5).astype(int)) % 16]
        df = pd.DataFrame({"No": np.arange(1, len(t) + 1), "year": t.year, "month": t.month, "day": t.day,
                           "hour": t.hour, "PM2.5": d["PM2.5"].values.round(1), "PM10": d["PM10"].values.round(1),
                           "SO2": d["SO2"].values.round(1), "NO2": d["NO2"].values.round(1),
                           "CO": (d["CO"].values * 1000).round(0), "O3": d["O3"].values.round(1),
                           "TEMP": d["TEMP"].values.round(1), "PRES": d["PRES"].values.round(1),
                           "DEWP": d["DEWP"].values.round(1), "RAIN": d["RAIN"].values.round(1), "wd": wd,
                           "WSPM": d["WS"].values.round(1), "station": s})
        p = folder / f"PRSA_Data_{s}_20200101-20200330.csv"
        df.to_csv(p, index=False, na_rep="NA")
        paths.append(p)
    return paths


@pytest.fixture(scope="session")
def synth() -> xr.Dataset:
    return synthetic()


@pytest.fixture(scope="session")
def tiny_cfg():
    from forecasting.models import TrainConfig

    return TrainConfig(max_iter=40, learning_rate=0.15, max_leaf_nodes=15, min_samples_leaf=20,
                       spread_max_iter=30, spread_max_rows=20_000, max_rows=40_000)


@pytest.fixture(scope="session")
def demo_system():
    """A small forecast system on the shipped Guangxi demo (3 pollutants, few iterations)."""
    from console.forecast_io import demo_guangxi
    from forecasting.models import TrainConfig
    from forecasting.system import ForecastSystem

    gx, nb = demo_guangxi()
    h = TrainConfig(max_iter=25, learning_rate=0.2, max_leaf_nodes=15, horizons_per_row=3, max_rows=15_000,
                    spread_max_iter=15, spread_max_rows=5_000)
    d = TrainConfig(max_iter=25, learning_rate=0.2, max_leaf_nodes=7, issue_hours=(23,), min_samples_leaf=10,
                    spread_max_iter=15)
    system = ForecastSystem.train(gx, "2019-01-20", neighbours=nb, targets=["PM2.5", "PM10", "O3"], met="none",
                                  hourly_cfg=h, daily_cfg=d)
    return system, gx, nb


@pytest.fixture(scope="session")
def demo_store(tmp_path_factory):
    """The built-in demo in a temporary SQLite store (what the console opens on first start)."""
    from console import demo
    from console.store.db import Store

    store = Store(f"sqlite:///{tmp_path_factory.mktemp('fcstore') / 'demo.db'}")
    demo.ensure_demo(store)
    yield store
    store.close()


def shared_or_skip(*parts) -> Path:
    p = SHARED.joinpath(*parts)
    if not p.exists():
        pytest.skip(f"needs ../shared/data ({'/'.join(parts)}), absent in a fresh clone")
    return p


GFS_FIXTURE = ROOT / "tests" / "data" / "met" / "gfs_2p5deg_surface_f120.grib2"


def write_gfs_run(path: Path, run: str | None = None, steps=(0, 3, 6), constant: dict | None = None) -> Path:
    """A GFS-like run written by ecCodes (pygrib) from the real messages of ``GFS_FIXTURE``.

    Lead times ``steps`` h; ``run`` (UTC, default the fixture's own 2011-01-10 12:00) replaces the
    reference time; ``constant`` = {shortName: value} sets whole fields (e.g. {"10u": -8.0}).  Without
    it, 2 m temperature rises 1 K per step; precipitation is written in GFS buckets (0-3 h: 3 mm,
    0-6 h: 9 mm → 6 mm over 3-6 h; the same in every 6-hour bucket)."""
    import pygrib

    constant = constant or {}
    ref = pd.Timestamp(run) if run else None
    with pygrib.open(str(GFS_FIXTURE)) as grbs, open(path, "wb") as out:
        for msg in grbs:
            short = msg["shortName"]
            if ref is not None:
                msg["dataDate"], msg["dataTime"] = int(ref.strftime("%Y%m%d")), int(ref.strftime("%H%M"))
            shape = msg.values.shape
            if short == "tp":
                ends = [s for s in steps if s > 0]
                for end in ends:
                    start = 6 * ((end - 1) // 6)          # GFS: 6-hourly buckets, 3-hourly within
                    amount = 3.0 if end - start <= 3 else 9.0
                    msg["stepRange"] = f"{start}-{end}"
                    msg.values = np.full(shape, constant.get("tp", amount))
                    out.write(msg.tostring())
                continue
            base = msg.values.copy()
            for k, step in enumerate(steps):
                msg["stepRange"] = str(step)
                msg.values = (np.full(shape, float(constant[short])) if short in constant else
                              base + (k if short == "2t" else 0.0))
                out.write(msg.tostring())
    return path
