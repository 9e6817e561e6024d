"""Forecast provider for the briefing reports (registered at import, see console.reports.providers).

Issues the forecast at 20:00 of the report day (national practice: forecasts published by 20:00) —
or at the last observation before it — with the console's forecast service (shipped Guangxi demo model
and demo observations), and returns hourly AQI quantiles per city and the D+1…D+3 outlook.
"""
from __future__ import annotations

import threading

import numpy as np
import pandas as pd

from console.reports.providers import (ForecastResult, OutlookDay, ProviderRequest, ProviderUnavailable,
                                       QuantileSeries, register_provider)

_service = None
_lock = threading.Lock()


def _adcodes() -> dict[str, str]:
    """City name (with or without 市) → adcode, from the shared city table."""
    from console.ingest.common import city_table

    return {k: c["code"] for k, c in city_table().items()}


def _get_service():
    global _service
    with _lock:
        if _service is None:
            from console.forecast_service import ForecastService

            _service = ForecastService()
        return _service


def forecast_provider(req: ProviderRequest) -> ForecastResult:
    svc = _get_service()
    ds, _ = svc.data()
    t_end = pd.Timestamp(ds["time"].values[-1])
    issue = pd.Timestamp(req.date) + pd.Timedelta(hours=20)
    if issue > t_end + pd.Timedelta(hours=1):
        issue = t_end
    if issue < pd.Timestamp(ds["time"].values[0]) + pd.Timedelta(days=3):
        raise ProviderUnavailable(f"no observations before {req.date} in the forecast data "
                                  f"({pd.Timestamp(ds['time'].values[0]):%Y-%m-%d} … {t_end:%Y-%m-%d})")
    res = svc.issue(issue)
    fc = res.forecast
    codes = _adcodes()
    wanted = set(req.cities) if req.cities else set(codes.values())
    h = fc.hourly
    levels = np.asarray(h["level"].values)
    series = {}
    for s in h["site"].values:
        code = codes.get(str(s).rstrip("市"))
        if code is None or code not in wanted or "AQI" not in h:
            continue
        q = h["AQI"].sel(site=s).values
        p = {k: np.array([np.interp(k, levels, row) for row in q]) for k in (0.1, 0.5, 0.9)}
        series[code] = QuantileSeries(pd.DatetimeIndex(h["valid_time"].values), p[0.1], p[0.5], p[0.9], "AQI")
    outlook = []
    for _, r in fc.daily.iterrows():
        code = codes.get(str(r["site"]).rstrip("市"))
        if code is None or code not in wanted:
            continue
        outlook.append(OutlookDay(city=code, day=pd.Timestamp(r["date"]).date(), aqi_low=float(r["aqi_p10"]),
                                  aqi_high=float(r["aqi_p90"]), level=int(r["level"]), primary=str(r["primary"] or ""),
                                  probability_polluted=float(r["p_aqi_gt_100"])))
    info = fc.info
    return ForecastResult(
        model="HistGradientBoosting + normalised conformal (log space)", issued=fc.issue_time, series=series,
        outlook=outlook, version=f"model {info['model_version']}, trained {info['training_period'][0]} … "
                                 f"{info['training_period'][1]}",
        notes=f"{info['inputs']['weather']}. P10–P90 from calibrated quantiles; daily outlook issued 23:00, "
              f"HJ 633 category of the median daily AQI.")


register_provider("forecast", forecast_provider)
