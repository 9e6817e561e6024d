"""Briefing provider of warning status: issued levels from the decision log and recommended levels.

Recommendations come from the forecast when a forecast provider answers (its D+1…D+3 outlook), else from
persistence of the observed daily AQI — the evidence text says which.  Both follow the default warning
scheme (``resources/rules/warning_schemes.json``) and record its version.
"""
from __future__ import annotations

import pandas as pd
import xarray as xr

from console.reports.providers import (ProviderRequest, ProviderUnavailable, WarningRow, WarningsResult,
                                       register_provider, run_provider)
from models import warnings as wmodel


def forecast_daily(req: ProviderRequest) -> tuple[xr.Dataset | None, str]:
    """Daily AQI forecast (site × day) from the forecast provider's outlook — the median daily AQI, as the
    console's outlook shows it, and P(AQI > 100) — and what it is (model, issue time); (None, why) without one."""
    res, reason = run_provider("forecast", req)
    if res is None or not res.outlook:
        return None, reason or "the forecast has no daily outlook"
    rows = [(o.city, pd.Timestamp(o.day), o.aqi_median if o.aqi_median is not None else (o.aqi_low + o.aqi_high) / 2,
             o.probability_polluted) for o in res.outlook]
    df = pd.DataFrame(rows, columns=["site", "time", "aqi", "p_gt_100"]).set_index(["site", "time"])
    ds = xr.Dataset.from_dataframe(df)
    issued = f"{pd.Timestamp(res.issued):%Y-%m-%d %H:%M}"
    ds.attrs.update(source=f"forecast:{res.model}", model_id=res.model_id or str(res.version), issued=issued,
                    trained_from=res.trained[0], trained_to=res.trained[1])
    return ds, f"{res.version}, issued {issued}"


def warnings_provider(req: ProviderRequest) -> WarningsResult:
    """Per city: the level in force (decision log) and the recommended level with its evidence."""
    from console.command import decisions, schemes as S

    if req.repository is None:
        raise ProviderUnavailable("no store")
    store = req.repository.store
    doc = S.schemes()
    sch = wmodel.scheme(None, doc)
    fc, _ = forecast_daily(req)
    basis_zh = "预报" if fc is not None else "持续性（无预报，按最近观测日AQI外推）"
    if fc is None:
        from console.command.observed import observed_city_aqi

        end = pd.Timestamp(req.date) + pd.Timedelta(hours=24)
        obs = observed_city_aqi(req.repository, start=end - pd.Timedelta(days=10), end=end)
        daily = obs.daily.dropna("time", how="all")
        if daily.sizes.get("time", 0) == 0:
            raise ProviderUnavailable("no observed daily AQI before the report day")
        fc = wmodel.persistence_forecast(daily, pd.Timestamp(req.date), 3)
    recs = {r.city: r for r in wmodel.evaluate(fc, None, doc)}
    active = decisions.active_warnings(store)
    rows = []
    for city in req.cities:
        r = recs.get(city)
        if r is None:
            continue
        ev = "; ".join((wmodel.describe(e.rule, req.lang) if e.rule else e.condition)
                       + ("：" if req.lang == "zh" else ": ") + ", ".join(e.days) for e in r.evidence[:1])
        evidence = (f"{basis_zh}；{ev}" if req.lang == "zh" else f"{r.basis}; {ev}") if ev else \
            (f"{basis_zh}；未达预警条件" if req.lang == "zh" else f"{r.basis}; no condition met")
        rows.append(WarningRow(city=city, recommended=r.rank, issued=wmodel.RANK.get(active.get(city, "none"), 0),
                               evidence=evidence + (" [阈值待确认]" if r.unconfirmed and req.lang == "zh" else
                                                    " [UNCONFIRMED threshold]" if r.unconfirmed else "")))
    if not rows:
        raise ProviderUnavailable("no city to evaluate")
    note = ("方案阈值含待确认项（UNCONFIRMED），以地方正式文件为准。" if sch.get("status") == "UNCONFIRMED" and req.lang == "zh"
            else "Scheme contains UNCONFIRMED thresholds." if sch.get("status") == "UNCONFIRMED" else "")
    return WarningsResult(scheme=sch["name"], scheme_version=str(sch.get("version", "")), rows=rows, notes=note)


register_provider("warnings", warnings_provider)
