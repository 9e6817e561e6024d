"""Forecast system: issue at a clock time from data up to it; daily outlook; meteorology fields."""
import numpy as np
import pandas as pd
import xarray as xr

from forecasting.daily import daily_statistics, natural_day


def test_forecast_uses_only_data_up_to_issue(demo_system):
    system, gx, nb = demo_system
    t = pd.Timestamp("2019-01-10 15:00")
    a = system.forecast(gx, t, neighbours=nb, n_levels=9)
    later = gx.copy(deep=True)
    for v in later.data_vars:
        later[v].loc[dict(time=slice(t + pd.Timedelta(hours=1), None))] = 999.0
    b = system.forecast(later, t, neighbours=nb, n_levels=9)
    np.testing.assert_allclose(a.hourly["PM2.5"].values, b.hourly["PM2.5"].values)
    assert a.info["inputs"]["observations_until"] == str(t)
    q = a.hourly["PM2.5"].values
    assert np.all(np.diff(q, axis=-1) >= -1e-9)                     # quantiles ordered
    assert a.hourly["valid_time"].values[0] == np.datetime64(t + pd.Timedelta(hours=1))
    d = a.daily
    assert set(d["lead_days"]) == {1, 2, 3}
    assert np.allclose(d[[f"p_level{c}" for c in range(1, 7)]].sum(axis=1), 1.0)
    assert d["date"].min() == pd.Timestamp("2019-01-11").date()
    assert d["level"].between(1, 6).all()
    # the headline category is that of the median daily AQI shown beside it, never "良" next to AQI 115
    from models.aqi import aqi_level
    assert (d["level"] == aqi_level(d["aqi_p50"].to_numpy())).all()
    assert ((d["level"] >= 3) == (d["aqi_p50"] > 100)).all()
    assert np.allclose(d["p_category"], [r[f"p_level{r['level']}"] for _, r in d.iterrows()])
    assert d["mode_level"].between(1, 6).all()


def test_natural_day_and_daily_statistics():
    t = pd.date_range("2021-01-01 01:00", periods=48, freq="h")
    assert natural_day(t)[23] == pd.Timestamp("2021-01-01")          # label 2021-01-02 00:00 closes day 1
    vals = np.r_[np.full(24, 10.0), np.full(24, 30.0)]
    ds = xr.Dataset({"PM2.5": (("site", "time"), vals[None]), "O3": (("site", "time"), vals[None])},
                    coords={"site": ["x"], "time": t})
    st = daily_statistics(ds)
    assert list(st["PM2.5_24h"].values[0][:2]) == [10.0, 30.0]
    assert st["O3_8h"].values[0][1] == 30.0


def test_meteorology_from_gridded_fields():
    from forecasting.meteorology import site_meteorology

    vt = pd.date_range("2019-01-10 00:00", periods=5, freq="3h")
    lat, lon = np.array([22.0, 23.0]), np.array([108.0, 109.0])
    shp = (5, 2, 2)
    f = xr.Dataset({"t2m": (("time", "latitude", "longitude"), np.full(shp, 288.15), {"units": "K"}),
                    "d2m": (("time", "latitude", "longitude"), np.full(shp, 283.15), {"units": "K"}),
                    "sp": (("time", "latitude", "longitude"), np.full(shp, 101000.0), {"units": "Pa"}),
                    "u10": (("time", "latitude", "longitude"), np.full(shp, 3.0)),
                    "v10": (("time", "latitude", "longitude"), np.full(shp, 0.0)),
                    "tp": (("time", "latitude", "longitude"), np.full(shp, 0.003), {"units": "m"})},
                   coords={"time": vt, "latitude": lat, "longitude": lon})
    m = site_meteorology(f, ["南宁", "柳州"], lon=[108.3, 109.1], lat=[22.8, 23.2])
    assert m.sizes["time"] == 13                                           # 3-hourly → hourly
    assert np.allclose(m["TEMP"], 15.0) and np.allclose(m["PRES"], 1010.0)
    assert np.allclose(m["WS"], 3.0) and np.allclose(m["WD"], 270.0)       # westerly: from the west
    assert np.allclose(m["RAIN"].values[:, 1:], 1.0)                       # 3 mm per 3 h step


def test_persistence_anchor_weights_follow_what_the_latest_observation_knows():
    from forecasting.models import anchor, anchor_weights

    rng = np.random.default_rng(1)
    n = 4000
    h = np.repeat([1, 6, 24], n)
    truth = np.exp(rng.normal(4, 0.6, 3 * n))
    # the latest observation is nearly the truth at 1 h and unrelated at 24 h; the model is coarse everywhere
    latest = np.where(h == 1, truth * np.exp(rng.normal(0, 0.05, 3 * n)),
                      np.where(h == 6, truth * np.exp(rng.normal(0, 0.5, 3 * n)), np.exp(rng.normal(4, 0.6, 3 * n))))
    model = truth * np.exp(rng.normal(0, 0.3, 3 * n))
    w = anchor_weights(model, latest, truth, h, [1, 6, 24])
    # at 24 h only a little shrinkage toward an independent draw of the right level remains
    assert w[0] > 0.9 and 0.2 < w[1] < 0.5 and w[2] < 0.15 and w == sorted(w, reverse=True)
    # the blend beats both inputs where both carry information, and a missing observation leaves the model alone
    m6 = h == 6
    blended = anchor(model[m6], latest[m6], w[1])
    err = lambda x: np.mean((np.log(x) - np.log(truth[m6])) ** 2)        # noqa: E731
    assert err(blended) < min(err(model[m6]), err(latest[m6]))
    assert anchor(np.array([50.0]), np.array([np.nan]), 0.9)[0] == 50.0


def test_hourly_models_start_from_the_latest_observation(demo_system):
    """The 1 h forecast stays near the current value (trees alone drifted off it, losing to persistence)."""
    system, gx, nb = demo_system
    m = system.hourly["PM2.5"]
    pw = m.meta["persistence_weights"]
    assert pw["centre"][0] > 0.5 and pw["centre"][0] >= pw["centre"][-1] and len(pw["centre"]) == 72
    issue = pd.Timestamp("2019-01-10 15:00")
    fc = system.forecast(gx, issue, neighbours=nb)
    now = gx["PM2.5"].sel(time=issue).values
    lv = list(fc.hourly["level"].values)
    p50 = fc.hourly["PM2.5"].values[:, 0, lv.index(min(lv, key=lambda v: abs(v - 0.5)))]
    ok = np.isfinite(now)
    assert np.median(np.abs(np.log1p(p50[ok]) - np.log1p(now[ok]))) < 0.15


def test_site_pooling_shrinks_station_noise_toward_the_city_mean(tiny_cfg, tmp_path):
    """Stations of one city share the weather; a station's own wiggle is noise. A daily model fitted with site
    pooling learns a weight out of sample, keeps it through save/load, and pools only rows issued together."""
    import dataclasses

    from forecasting.models import make_forecaster, site_mean
    from forecasting.store import load_bundle, save_bundle
    from tests.forecasting.conftest import synthetic

    assert np.allclose(site_mean(np.array([np.e - 1, np.e ** 3 - 1, 5.0]), np.array([0, 0, 1]), 25),
                       [np.e ** 2 - 1, np.e ** 2 - 1, 5.0])          # mean in log1p space, a lone row unchanged
    ds = synthetic(n_days=120, sites=("A", "B", "C", "D"), seed=3)
    rng = np.random.default_rng(0)
    ds["PM2.5"] = ds["PM2.5"] * np.exp(rng.normal(0, 0.35, ds["PM2.5"].shape))   # station noise, daily scale
    cfg = dataclasses.replace(tiny_cfg, issue_hours=(23,), train_issue_hours=tuple(range(18, 24)), site_pooling=True)
    m = make_forecaster(ds, "PM2.5", [25], met="current", stat="mean24").fit(ds, cfg)
    w = m.meta["site_pooling_weights"]
    assert w["horizons"] == [25] and 0.0 < w["centre"][0] <= 1.0 and 0.0 <= w["point"][0] <= 1.0
    mask = np.zeros((4, ds.sizes["time"]), bool)
    mask[:, -200::24] = True
    (h, X, _, rows), = list(m.matrices(ds, [25], issue_mask=mask, with_target=False))
    X = X[rows]
    groups = np.tile(np.arange(len(rows) // 4), 4)           # rows are site-major: the same issue time repeats
    _, q_own, _ = m.distribution(X, h, [0.5])
    _, q_pool, _ = m.distribution(X, h, [0.5], groups=groups)
    spread = lambda q: np.std(np.log(q[:, 0]).reshape(4, -1), axis=0).mean()      # noqa: E731
    assert spread(q_pool) < spread(q_own)                     # stations pulled together at each issue time
    alone = m.distribution(X, h, [0.5], groups=np.arange(len(rows)))[1]
    np.testing.assert_allclose(alone, q_own)                  # nobody to pool with: unchanged
    save_bundle([m], tmp_path / "m.zip")
    (m2,), _ = load_bundle(tmp_path / "m.zip")
    np.testing.assert_allclose(m2.distribution(X, h, [0.5], groups=groups)[1], q_pool)


def test_daily_outlook_from_the_briefing_hour(tmp_path):
    """With evening models (``natural_day`` at 20:00) a 20:00 briefing's outlook uses the data up to 20:00, not the
    23:00 of the day before, and sees no later hour; before 20:00 and from 23:00 the 23:00 models issue; both sets
    survive saving and loading."""
    from console.forecast_io import demo_guangxi
    from console.forecast_service import evening_config
    from forecasting.models import TrainConfig, natural_day_horizons
    from forecasting.system import ForecastSystem

    assert natural_day_horizons([23, 20], [1, 2]) == [25, 28, 49, 52] and natural_day_horizons([0], [1]) == [24]
    gx, nb = demo_guangxi()
    gx = gx.sel(time=slice(None, "2019-01-31"))
    h = TrainConfig(max_iter=15, learning_rate=0.2, max_leaf_nodes=7, horizons_per_row=2, max_rows=8_000,
                    spread_max_iter=10, spread_max_rows=4_000)
    d = TrainConfig(max_iter=20, learning_rate=0.2, max_leaf_nodes=7, issue_hours=(23,), min_samples_leaf=10,
                    spread_max_iter=10)
    system = ForecastSystem.train(gx, "2019-01-20", neighbours=nb, targets=["PM2.5"], met="none", hourly_cfg=h,
                                  daily_cfg=d, evening_cfg=evening_config(d))
    system.save(tmp_path / "ev.zip")
    system = ForecastSystem.load(tmp_path / "ev.zip")
    ev = system.evening["PM2.5"]
    assert ev.meta["natural_day_hours"] == [20] and ev.horizons == [28, 52, 76, 100]
    assert system.daily["PM2.5"].horizons == [25, 49, 73, 97] and len(system.models()) == 3
    t = pd.Timestamp("2019-01-26 20:00")
    a = system.forecast(gx, t, neighbours=nb, n_levels=9).daily
    assert set(a["issued"]) == {"2019-01-26 20:00:00"} and sorted(set(a["lead_days"])) == [1, 2, 3]
    assert a["date"].min() == pd.Timestamp("2019-01-27").date()
    later = gx.copy(deep=True)
    for v in later.data_vars:
        later[v].loc[dict(time=slice(t + pd.Timedelta(hours=1), None))] = 999.0
    b = system.forecast(later, t, neighbours=nb, n_levels=9).daily
    np.testing.assert_allclose(a["aqi_p50"], b["aqi_p50"])                  # nothing after 20:00 is used
    for clock, issued in (("2019-01-26 10:00", "2019-01-25 23:00:00"), ("2019-01-26 22:00", "2019-01-26 20:00:00"),
                          ("2019-01-26 23:00", "2019-01-26 23:00:00")):
        c = system.forecast(gx, clock, neighbours=nb, n_levels=9).daily
        assert set(c["issued"]) == {issued} and c["date"].min() == pd.Timestamp("2019-01-27").date()
