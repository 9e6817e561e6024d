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
    """Per city: the level in force (decision log) and the recommended level with its evidence — from the product's
    default basis (``schemes.DEFAULT_BASIS``, persistence; see benchmarks/README-warnings.md), the other basis's
    level named beside it."""
    from console.command import decisions, schemes as S

    if req.repository is None:
        raise ProviderUnavailable("no store")
    store = req.repository.store
    doc = S.schemes()
    sch = wmodel.scheme(None, doc)
    both = S.recommend_both(req.repository, str(req.date))
    zh = req.lang == "zh"
    bases = {S.PERSISTENCE: (both.persistence, (f"持续性（按{both.observed_day}观测日AQI外推）" if zh else
                                                f"persistence (observed daily AQI of {both.observed_day})")),
             S.MODEL: (both.model, (f"预报模型（{both.model_issued}发布）" if zh else
                                    f"forecast model (issued {both.model_issued})"))}
    order = [S.DEFAULT_BASIS] + [b for b in bases if b != S.DEFAULT_BASIS]
    order = [b for b in order if bases[b][0] is not None]
    if not order:
        raise ProviderUnavailable(f"no recommendation: {both.persistence_why_not}; {both.model_why_not}")
    chosen, other = order[0], (order[1] if len(order) > 1 else None)
    recs = {r.city: r for r in bases[chosen][0]}
    others = {r.city: r for r in bases[other][0]} if other else {}
    names = wmodel.level_names()
    active = decisions.active_warnings(store)
    rows = []
    for city in req.cities:
        r = recs.get(city)
        if r is None:
            continue
        ev = "; ".join(wmodel.evidence_text(e, req.lang) for e in r.evidence[:1])
        evidence = bases[chosen][1] + ("；" if zh else "; ") + (ev or ("未达预警条件" if zh else "no condition met"))
        o = others.get(city)
        if o is not None:
            other_name = "预报模型" if other == S.MODEL else "持续性"
            evidence += (f"；{other_name}建议：{names[o.level]['zh']}" if zh else
                         f"; {other}: {names[o.level]['en']}")
        rows.append(WarningRow(city=city, recommended=r.rank, issued=wmodel.RANK.get(active.get(city, "none"), 0),
                               evidence=evidence + (" [阈值待确认]" if r.unconfirmed and zh else
                                                    " [UNCONFIRMED threshold]" if r.unconfirmed else "")))
    if not rows:
        raise ProviderUnavailable("no city to evaluate")
    note = ("方案阈值含待确认项（UNCONFIRMED），以地方正式文件为准。" if sch.get("status") == "UNCONFIRMED" and req.lang == "zh"
            else "Scheme contains UNCONFIRMED thresholds." if sch.get("status") == "UNCONFIRMED" else "")
    return WarningsResult(scheme=sch["name"], scheme_version=str(sch.get("version", "")), rows=rows, notes=note)


register_provider("warnings", warnings_provider)
