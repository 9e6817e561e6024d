"""Forecast provider for the briefing reports (registered at import, see console.reports.providers).

Issues the forecast at 20:00 of the report day (national practice: forecasts published by 20:00) —
or at the last observation before it — with the console's forecast service (its model, and the city
observations of the report's store: demo, ingested files, live-feed hours; the demo files when the
request has no store), and returns hourly AQI quantiles per city and the D+1…D+3 outlook.  A weather
forecast loaded in the session (the console's forecast panel, or ``lantian brief --weather``; see
:func:`use_weather`) drives the briefings' forecasts as it drives the panel's.
"""
from __future__ import annotations

import threading

import numpy as np
import pandas as pd

from console.errors import LantianError
from forecasting.probabilistic import quantile_at
from console.reports.providers import (ForecastResult, OutlookDay, ProviderRequest, ProviderUnavailable,
                                       QuantileSeries, register_provider)

_service = None
_lock = threading.RLock()
_data_key = None   # (store, its city time range) whose observations the service holds
_weather: tuple[str, bool] | None = None   # (file, NetCDF times in UTC) of the session's weather forecast


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


def _use_store(svc, repo) -> None:
    """Point the service at the report store's city observations (re-read when the store has new hours)."""
    global _data_key
    if repo is None:
        return
    key = (id(repo.store), repo.time_range("city"), repo.counts()["ingest_log"])   # new hours or a new load
    if key != _data_key:
        svc.use_city_data(repo.load(kind="city"), source=f"store {repo.store.display_url}")
        _data_key = key


def use_weather(path: str | None, utc: bool = False) -> None:
    """The weather-forecast file (NetCDF/GRIB) the briefings' forecasts use from now on; None: none.

    The console calls this when its forecast panel loads or clears one, so a briefing rests on the same
    weather input as the forecast on screen."""
    global _weather
    from console.reports.providers import forget_answers

    with _lock:
        _weather = (str(path), bool(utc)) if path else None
        forget_answers()   # a forecast remembered from before the change is not the one asked for now


def _sync_weather(svc) -> None:
    """Load or clear the session's weather forecast in the service (a file that cannot be read is named)."""
    have = svc.weather
    if _weather is None:
        if have is not None:
            svc.clear_weather()
    elif have is None or (str(have.path), have.utc) != _weather:
        try:
            svc.load_weather(*_weather)
        except (LantianError, ValueError) as exc:   # InputError names the file and the reason
            raise ProviderUnavailable(f"weather forecast not loaded: {exc}") from None


def forecast_provider(req: ProviderRequest) -> ForecastResult:
    with _lock:   # one report at a time on the shared service
        return _forecast(req)


def _forecast(req: ProviderRequest) -> ForecastResult:
    svc = _get_service()
    _use_store(svc, req.repository)
    try:
        t_start, t_end = svc.observed_range()
    except ValueError as exc:   # the model knows none of the store's cities
        raise ProviderUnavailable(str(exc)) from None
    _sync_weather(svc)
    issue = pd.Timestamp(req.date) + pd.Timedelta(hours=20)
    if issue > t_end + pd.Timedelta(hours=1):
        issue = t_end
    if issue < t_start + pd.Timedelta(days=3):
        raise ProviderUnavailable(f"no observations before {req.date} in the forecast data "
                                  f"({t_start:%Y-%m-%d} … {t_end:%Y-%m-%d})")
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
        p = {k: quantile_at(q, levels, k) for k in (0.1, 0.5, 0.9)}
        series[code] = QuantileSeries(pd.DatetimeIndex(h["valid_time"].values), p[0.1], p[0.5], p[0.9], "AQI")
    outlook = []
    for _, r in fc.daily.iterrows():
        code = codes.get(str(r["site"]).rstrip("市"))
        if code is None or code not in wanted:
            continue
        outlook.append(OutlookDay(city=code, day=pd.Timestamp(r["date"]).date(), aqi_low=float(r["aqi_p10"]),
                                  aqi_high=float(r["aqi_p90"]), level=int(r["level"]), primary=str(r["primary"] or ""),
                                  probability_polluted=float(r["p_aqi_gt_100"]), aqi_median=float(r["aqi_p50"])))
    info = fc.info
    trained = (str(info["training_period"][0])[:10], str(info["training_period"][1])[:10])
    return ForecastResult(
        model="HistGradientBoosting + normalised conformal (log space)", issued=fc.issue_time, series=series,
        outlook=outlook, version=f"model {info['model_version']}, trained {trained[0]} … {trained[1]}",
        model_id=str(info["model_version"]), trained=trained,
        notes=_notes(info["inputs"], req.lang, info.get("seasonal_prior")))


def _notes(inputs: dict, lang: str, prior: dict | None = None) -> str:
    """What the forecast rests on, in the report's language: weather input, upwind data, cities left out, and the
    seasonal prior when it moved the odds of months the model did not see in training."""
    from console.forecast_service import input_gaps
    from forecasting.system import NO_WEATHER, OBSERVED_WEATHER_ONLY

    zh = lang == "zh"
    weather = inputs["weather"]
    if zh:
        weather = {NO_WEATHER: "无气象输入：仅依据历史浓度、日历和邻近城市预报",
                   OBSERVED_WEATHER_ONLY: "仅用截至发布时刻的气象观测（未加载天气预报）"}.get(weather, weather)
    if inputs.get("weather_valid"):
        weather = _file_weather(inputs, zh)
    parts = [weather]
    if inputs.get("weather_not_used"):
        parts.append(f"已载入气象预报 {inputs['weather_not_used']} 但未使用（本模型训练时未用气象输入）" if zh else
                     f"weather forecast {inputs['weather_not_used']} loaded but not used (the model was trained "
                     "without weather input)")
    upwind, cities = input_gaps(inputs)
    if upwind:
        parts.append(f"有数据的邻近（上风向）城市 {upwind[0]}/{upwind[1]}" if zh else
                     f"neighbouring (upwind) cities with data: {upwind[0]} of {upwind[1]}")
    if cities:
        parts.append(f"未预报（模型未针对其训练）：{cities}" if zh else
                     f"not forecast (model not trained for them): {cities}")
    used = {t.removesuffix(" daily"): r for t, r in (prior or {}).get("pollutants", {}).items() if r.get("used")}
    if used:
        months = "、".join(str(m) for m in sorted({m for r in used.values() for m in r["unseen_months"]}))
        names = "、".join(sorted(used))
        parts.append(f"{months} 月为模型训练中未见过的月份，{names} 超标概率按季节先验 {prior['version']} 调整" if zh else
                     f"month(s) {months.replace('、', ', ')} not seen in training: {names.replace('、', ', ')} "
                     f"exceedance odds adjusted by the seasonal prior {prior['version']}")
    parts.append("P10–P90 为校准分位数；逐日展望于前一日 23:00 起报，级别为日均 AQI 中位数所属 HJ 633 级别。"
                 if zh else "P10–P90 from calibrated quantiles; daily outlook issued 23:00, HJ 633 category of the "
                            "median daily AQI.")
    return ("；" if zh else ". ").join(parts[:-1]) + ("。" if zh else ". ") + parts[-1]


def _file_weather(inputs: dict, zh: bool) -> str:
    """The weather forecast a forecast used: file, run, valid period and the forecast hours it covers."""
    name = inputs.get("weather_file") or inputs["weather_source"]
    (start, end), (covered, total) = inputs["weather_valid"], inputs["weather_hours"]
    run = inputs.get("weather_run")
    if zh:
        text = (f"气象预报 {name}" + (f"，起报 {run}（世界时）" if run else "") +
                f"：有效时间 {start} … {end}（北京时），覆盖 {total} 个预报时次中的 {covered} 个")
        return text + ("；其余时次无气象输入" if covered < total else "")
    text = (f"weather forecast {name}" + (f", run {run} UTC" if run else "") +
            f": valid {start} … {end} (Beijing time), covering {covered} of the {total} forecast hours")
    return text + ("; the other hours have NO weather input" if covered < total else "")


register_provider("forecast", forecast_provider)
