"""Briefing provider of source shares: the newest published PMF result covering the report period.

An analyst publishes a result by running ``lantian pmf run … --out <data dir>/pmf/<name>`` (or copying
a result directory there); ``<name>/meta.json`` may name the city (``{"city": "450100"}``).  The shares
are the factors' mean contributions over the report period (or over the whole run when its samples
do not cover the period, which the report then says).  Guangxi has no public speciation data, so by
default there is no result and the report states that plainly.
"""
from __future__ import annotations

import json
from pathlib import Path

import pandas as pd

from console.reports.providers import (ProviderRequest, ProviderUnavailable, SourceFactor, SourcesResult,
                                       register_provider)


def results_dir() -> Path:
    """Where published PMF results live (``<data dir>/pmf``)."""
    from console.store.db import data_dir

    return data_dir() / "pmf"


def _signature_names() -> dict[str, str]:
    from importlib import resources

    doc = json.loads(resources.files("resources.pmf").joinpath("source_signatures.json").read_text(encoding="utf-8"))
    return {s["name"]: s.get("name_zh", s["name"]) for s in doc["sources"]}


def _candidates(city: str | None) -> list[Path]:
    base = results_dir()
    if not base.is_dir():
        return []
    out = []
    for d in base.iterdir():
        if (d / "summary.json").is_file() and (d / "contributions.csv").is_file():
            meta = json.loads((d / "meta.json").read_text(encoding="utf-8")) if (d / "meta.json").is_file() else {}
            if city and meta.get("city") not in (None, city):
                continue
            out.append(d)
    return sorted(out, key=lambda p: (p / "summary.json").stat().st_mtime, reverse=True)


def sources_provider(req: ProviderRequest) -> SourcesResult:
    """Factor shares of the newest PMF result for the report's city (or the region)."""
    city = req.cities[0] if len(req.cities) == 1 else None
    dirs = _candidates(city)
    if not dirs:
        raise ProviderUnavailable(
            "本系统中尚无来源解析（PMF）结果；分析人员运行 `lantian pmf run … --out <数据目录>/pmf/<名称>` 后即可纳入"
            if req.lang == "zh" else
            "no source-apportionment (PMF) result has been published; an analyst runs "
            "`lantian pmf run … --out <data dir>/pmf/<name>` to include one")
    d = dirs[0]
    summary = json.loads((d / "summary.json").read_text(encoding="utf-8"))
    contrib = pd.read_csv(d / "contributions.csv")
    dates = pd.to_datetime(contrib.iloc[:, 0], errors="coerce")
    factors = list(contrib.columns[1:])
    in_period = (dates >= pd.Timestamp(req.start)) & (dates < pd.Timestamp(req.end) + pd.Timedelta(days=1))
    note = ""
    if in_period.any():
        sel = contrib.loc[in_period, factors]
        period = (req.start, req.end)
    else:
        sel = contrib[factors]
        period = (dates.min().date(), dates.max().date()) if dates.notna().any() else None
        note = ("所用样品不在报告时段内，给出的是整个样品期的平均贡献。" if req.lang == "zh" else
                "The samples do not cover the report period; shares are the mean over the whole sampling period.")
    mean = sel.clip(lower=0).mean()
    total = float(mean.sum())
    if not total > 0:
        raise ProviderUnavailable("PMF result has no positive contributions" if req.lang != "zh" else "PMF结果无正贡献")
    zh = _signature_names()
    names = summary.get("factor_names") or factors
    out = [SourceFactor(name_zh=zh.get(n, n), name_en=n, share=float(mean[f]) / total) for n, f in zip(names, factors)]
    out.sort(key=lambda f: -f.share)
    mode = "robust" if summary.get("robust") else "non-robust"
    return SourcesResult(method=f"PMF ({mode}, {summary.get('factors')} factors, Q/Qexp "
                                f"{summary.get('q_true_over_q_expected', float('nan')):.2f})",
                         factors=out, period=period, city=city,
                         version=f"engine {summary.get('engine_version', '?')}, signatures "
                                 f"{summary.get('signature_library_version', '?')}, result {d.name}",
                         notes=note)


register_provider("sources", sources_provider)
