"""The typed report context: every fact a briefing states, gathered from the store and the providers.

Facts are computed here with the science functions (``models.aqi``, ``models.air_standard``), never in
a template: the situation at the report hour, the daily AQI per city (HJ 633 over GB 3095 daily
statistics), primary pollutants, exceedance days, the 24-h change and the episode days of the period.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

import numpy as np
import pandas as pd

from console.errors import LantianError
from console.reports import providers as prov
from console.reports.templates import Template, load_template
from models import aqi as aqi_model
from models.air_standard import daily_statistics, exceedances, limits_for

REPORT_KINDS = ("daily", "episode", "assessment")
CONC = ("SO2", "NO2", "PM10", "PM2.5", "CO", "O3")
EPISODE_SEARCH_DAYS = 10  # look this far around --date for an episode
DAILY_TREND_DAYS = 7


@dataclass
class CityRow:
    """One city's line of the ranking table (report day, or report hour)."""

    code: str
    name_zh: str
    name_en: str
    aqi: float
    level: int
    primary: str
    pm25: float = float("nan")
    pm10: float = float("nan")
    o3_8h: float = float("nan")
    change: float = float("nan")  # daily AQI change vs the previous day
    hour_aqi: float = float("nan")  # AQI at the report hour
    rank: int = 0

    def name(self, lang: str) -> str:
        """Display name."""
        return self.name_zh if lang == "zh" else (self.name_en or self.name_zh)


@dataclass
class ReportContext:
    """Everything a report shows; built by :func:`build_context`."""

    kind: str
    lang: str
    day: date
    start: date
    end: date
    episode_detected: bool
    template: Template
    cities: pd.DataFrame  # code, name_zh, name_en (the report's cities, adcode order)
    report_hour: pd.Timestamp
    ranking: list[CityRow]
    daily_aqi: pd.DataFrame  # index day, columns adcode → daily AQI (whole display window)
    daily_primary: pd.DataFrame  # same shape, primary pollutant labels
    hourly_aqi: pd.DataFrame  # index hour, columns adcode → hourly AQI (display window)
    period_stats: pd.DataFrame  # per city: days_over_100, days_over_200, max_aqi, max_day, exceed_days, mean_pm25
    facts: dict[str, Any]
    rule_versions: dict[str, str]
    provenance: list[tuple[str, str]]
    forecast: prov.ForecastResult | None = None
    sources: prov.SourcesResult | None = None
    warnings: prov.WarningsResult | None = None
    measures: prov.MeasuresResult | None = None
    absent: dict[str, str] = field(default_factory=dict)  # provider kind → reason
    generated_at: datetime = field(default_factory=datetime.now)

    def city_name(self, code: str) -> str:
        """City display name by adcode."""
        row = self.cities[self.cities["code"] == code]
        if row.empty:
            return code
        r = row.iloc[0]
        return r["name_zh"] if self.lang == "zh" else (r["name_en"] or r["name_zh"])


def resolve_cities(all_cities: pd.DataFrame, wanted: list[str] | None) -> pd.DataFrame:
    """Restrict to the cities named (adcode, Chinese name with/without 市, or English name)."""
    if not wanted:
        return all_cities.reset_index(drop=True)
    keep, unknown = [], []
    for w in wanted:
        for part in str(w).split(","):
            key = part.strip()
            if not key:
                continue
            m = all_cities[(all_cities["code"] == key) | (all_cities["name_zh"] == key) | (all_cities["short_zh"] == key)
                           | (all_cities["name_en"].str.lower() == key.lower())]
            if m.empty:
                unknown.append(key)
            else:
                keep.extend(m["code"].tolist())
    if unknown:
        known = ", ".join(f"{r.code} {r.name_zh}" for r in all_cities.itertuples())
        raise LantianError(f"--city: unknown city {', '.join(unknown)} (known: {known})")
    return all_cities[all_cities["code"].isin(keep)].reset_index(drop=True)


def _daily_tables(hourly: Any) -> tuple[pd.DataFrame, pd.DataFrame, Any, Any]:
    """Daily AQI and primary pollutants (day × city) from hourly concentrations, plus the statistics."""
    conc = hourly[[v for v in CONC if v in hourly]]
    d = daily_statistics(conc)
    res = aqi_model.daily_aqi(d[[v for v in d.data_vars if v.endswith("_24h") or v in ("O3", "O3_8h")]])
    aqi = res["aqi"].transpose("time", "site").to_pandas()
    prim = pd.DataFrame(aqi_model.primary_labels(res["primary_mask"].transpose("time", "site").values),
                        index=aqi.index, columns=aqi.columns)
    prim = prim.where(aqi > 50, "")
    return aqi, prim, d, res


def episodes(daily: pd.DataFrame, max_gap: int = 1) -> list[tuple[date, date]]:
    """Runs of days on which any city's daily AQI exceeds 100; runs separated by ≤ ``max_gap`` clean days merge
    (an episode is not lifted by a single clean day)."""
    polluted = (daily > 100).any(axis=1)
    days = sorted(d.date() for d, v in polluted.items() if v)
    out: list[list[date]] = []
    for d in days:
        if out and (d - out[-1][1]).days <= max_gap + 1:
            out[-1][1] = d
        else:
            out.append([d, d])
    return [(a, b) for a, b in out]


def detect_episode(daily: pd.DataFrame, day: date, search: int = EPISODE_SEARCH_DAYS,
                   past_only: bool = False) -> tuple[tuple[date, date] | None, str]:
    """The episode for a report on ``day``: the one containing it, else the nearest within ±search days
    (only earlier ones when ``past_only``).  Returns ((start, end) or None, relation) with relation one of
    'within', 'before' (episode ended before day), 'after' (starts after day) or 'none'."""
    eps = episodes(daily)
    for a, b in eps:
        if a <= day <= b:
            return (a, b), "within"
    near = [(a, b) for a, b in eps if (b < day and (day - b).days <= search) or
            (not past_only and a > day and (a - day).days <= search)]
    if not near:
        return None, "none"
    a, b = min(near, key=lambda e: min(abs((e[0] - day).days), abs((e[1] - day).days)))
    return (a, b), ("before" if b < day else "after")


def _fmt_date(d: date, lang: str) -> str:
    return f"{d.year}年{d.month}月{d.day}日" if lang == "zh" else d.strftime("%d %B %Y").lstrip("0")


def build_context(repo, kind: str, day: date, cities: list[str] | None = None, lang: str = "zh",
                  start: date | None = None, end: date | None = None, template: Template | None = None,
                  convention: str = "standard") -> ReportContext:
    """Gather the facts of one report from the store (``repo``) and the registered providers.

    ``convention`` is the hourly AQI convention (``standard``: the text of HJ 633, the default;
    ``published``: as the national real-time platform publishes) and is recorded with the rule versions.
    """
    if kind not in REPORT_KINDS:
        raise LantianError(f"unknown report type {kind!r} (daily, episode or assessment)")
    if lang not in ("zh", "en"):
        raise LantianError(f"--lang must be zh or en, not {lang!r}")
    tpl = template or load_template(kind)
    sel = resolve_cities(repo.cities(focus_only=True), cities)
    have = set(repo.sites("city")["code"])
    no_data = sel[~sel["code"].isin(have)]
    if cities and len(no_data):
        raise LantianError(f"--city: the store holds no observations for {', '.join(no_data['name_zh'])}")
    sel = sel[sel["code"].isin(have)].reset_index(drop=True)
    if sel.empty:
        raise LantianError("the store holds no city observations for the report's cities "
                           "(load data with `lantian ingest` or use the demo)")
    codes = sel["code"].tolist()
    span = repo.time_range("city")
    if span is None:
        raise LantianError("the store holds no city observations (load data with `lantian ingest` or use the demo)")
    # window loaded: generous around the report day so that the episode can be detected
    w0 = min(start or day, day) - timedelta(days=EPISODE_SEARCH_DAYS + 2)
    w1 = max(end or day, day) + timedelta(days=EPISODE_SEARCH_DAYS + 1)
    hourly = repo.load(sites=codes, kind="city", start=pd.Timestamp(w0), end=pd.Timestamp(w1) + pd.Timedelta(hours=23))
    daily, primary, dstats, dres = _daily_tables(hourly)
    daily.index = pd.DatetimeIndex(daily.index)
    if pd.Timestamp(day) not in daily.index or daily.loc[pd.Timestamp(day)].isna().all():
        raise LantianError(f"no valid daily observations for {day} in the store (city data cover "
                           f"{span[0]:%Y-%m-%d %H:%M} … {span[1]:%Y-%m-%d %H:%M})")
    detected, relation = True, "within"
    if kind == "daily":
        p0, p1 = day - timedelta(days=DAILY_TREND_DAYS - 1), day
    elif start or end:
        p0, p1 = start or day, end or day
        if p1 < p0:
            raise LantianError(f"--end {p1} is before --start {p0}")
    else:
        # the consultation report only looks back from the report day; the assessment may name any day of it
        ep, relation = detect_episode(daily, day, past_only=(kind == "episode"))
        detected = ep is not None
        if ep is None:
            p0, p1 = day - timedelta(days=DAILY_TREND_DAYS - 1), day
        else:
            p0, p1 = ep[0], (min(ep[1], day) if kind == "episode" else ep[1])
    disp0 = p0 - timedelta(days=2)
    disp1 = max(p1, day) + timedelta(days=2 if kind == "assessment" else 0)
    dwin = daily.loc[pd.Timestamp(disp0):pd.Timestamp(disp1)]
    pwin = primary.loc[dwin.index]

    # hourly AQI by the chosen convention (standard text by default; 'published' as the national platform)
    conc = hourly[[v for v in CONC if v in hourly]]
    hres = aqi_model.hourly_aqi(conc, convention=convention)
    haqi = hres["aqi"].transpose("time", "site").to_pandas()
    h0, h1 = pd.Timestamp(disp0) + pd.Timedelta(hours=1), pd.Timestamp(disp1) + pd.Timedelta(hours=24)
    haqi_win = haqi.loc[h0:h1]
    day_end = pd.Timestamp(day) + pd.Timedelta(hours=24)
    have = haqi.loc[:day_end].dropna(how="all")
    report_hour = pd.Timestamp(have.index[-1]) if len(have) else day_end

    # ranking on the report day
    dts = pd.Timestamp(day)
    prev = dts - pd.Timedelta(days=1)
    ds_day = dstats.sel(time=dts)
    rows = []
    for r in sel.itertuples():
        a = float(daily.at[dts, r.code]) if r.code in daily.columns else float("nan")
        pa = float(daily.at[prev, r.code]) if prev in daily.index else float("nan")
        rows.append(CityRow(r.code, r.name_zh, r.name_en, a, int(aqi_model.aqi_level(np.array([a]))[0]),
                            str(primary.at[dts, r.code]),
                            pm25=float(ds_day["PM2.5_24h"].sel(site=r.code)) if "PM2.5_24h" in ds_day else np.nan,
                            pm10=float(ds_day["PM10_24h"].sel(site=r.code)) if "PM10_24h" in ds_day else np.nan,
                            o3_8h=float(ds_day["O3_8h"].sel(site=r.code)) if "O3_8h" in ds_day else np.nan,
                            change=a - pa, hour_aqi=float(haqi.at[report_hour, r.code]) if report_hour in haqi.index else np.nan))
    rows.sort(key=lambda c: (np.isnan(c.aqi), c.aqi))  # national convention: best first
    for i, c in enumerate(rows, 1):
        c.rank = i

    # period statistics
    per = daily.loc[pd.Timestamp(p0):pd.Timestamp(p1)]
    exc = exceedances(dstats.sel(time=slice(pd.Timestamp(p0), pd.Timestamp(p1))))
    exc_any = exc.to_array().any("variable").transpose("time", "site").to_pandas()
    pm = dstats["PM2.5_24h"].sel(time=slice(pd.Timestamp(p0), pd.Timestamp(p1))).transpose("time", "site").to_pandas()
    stats = pd.DataFrame({
        "days_over_100": (per > 100).sum(), "days_over_200": (per > 200).sum(), "max_aqi": per.max(),
        "max_day": per.idxmax().where(per.notna().any(), pd.NaT) if len(per) else pd.NaT,
        "exceed_days": exc_any.sum(), "mean_pm25": pm.mean(), "valid_days": per.notna().sum(),
    }).reindex(codes)

    facts = _facts(kind, lang, day, p0, p1, detected, rows, stats, report_hour, sel)
    facts.update(_before_after(daily, p0, p1))
    facts["relation"] = relation
    versions = {
        "aqi": ", ".join(sorted(set(map(str, hres["rule_version"].values)))) + f" ({aqi_model.rules_version_tag()}; "
               f"{'发布口径' if convention == 'published' and lang == 'zh' else '标准文本' if lang == 'zh' else convention})",
        "daily": ", ".join(sorted(set(map(str, dres["rule_version"].values)))),
        "gb3095": limits_for(day).version,
        "template": f"{tpl.id} {tpl.version} ({tpl.origin})",
    }
    prov_rows = _provenance(repo, span, lang)
    if len(no_data):
        prov_rows.append(("无观测数据的城市" if lang == "zh" else "Cities without data",
                          ("、" if lang == "zh" else ", ").join(no_data["name_zh" if lang == "zh" else "name_en"])))
    ctx = ReportContext(kind, lang, day, p0, p1, detected, tpl, sel, report_hour, rows, dwin, pwin, haqi_win, stats,
                        facts, versions, prov_rows)
    _ask_providers(ctx, repo)
    return ctx


def _facts(kind, lang, day, p0, p1, detected, rows, stats, report_hour, sel) -> dict[str, Any]:
    """Placeholder values for the template texts."""
    zh = lang == "zh"
    valid = [r for r in rows if not np.isnan(r.aqi)]
    polluted = [r for r in valid if r.aqi > 100]
    worst = max(valid, key=lambda r: r.aqi) if valid else None
    best = min(valid, key=lambda r: r.aqi) if valid else None
    prims = pd.Series([p for r in polluted for p in r.primary.split(",") if p]).value_counts()
    sep = "、" if zh else ", "
    lv = lambda a: aqi_model.level_info(int(aqi_model.aqi_level(np.array([a]))[0])) if not np.isnan(a) else None
    cat = lambda a: (lv(a).category_zh if zh else lv(a).category_en.lower()) if lv(a) else ("无数据" if zh else "no data")
    over100 = stats[stats["days_over_100"] > 0]
    max_city = stats["max_aqi"].idxmax() if stats["max_aqi"].notna().any() else None
    name = lambda code: sel.set_index("code").at[code, "name_zh" if zh else "name_en"]
    return {
        "date": _fmt_date(day, lang), "start": _fmt_date(p0, lang), "end": _fmt_date(p1, lang),
        "days": (p1 - p0).days + 1, "report_hour": f"{report_hour:%Y-%m-%d %H:%M}",
        "n_cities": len(rows), "n_valid": len(valid), "n_good": len(valid) - len(polluted), "n_polluted": len(polluted),
        "polluted_cities": sep.join(r.name(lang) for r in sorted(polluted, key=lambda r: -r.aqi)) or ("无" if zh else "none"),
        "worst_city": worst.name(lang) if worst else "", "worst_aqi": f"{worst.aqi:.0f}" if worst else "NA",
        "worst_category": cat(worst.aqi) if worst else "", "best_city": best.name(lang) if best else "",
        "best_aqi": f"{best.aqi:.0f}" if best else "NA",
        "mean_aqi": f"{np.mean([r.aqi for r in valid]):.0f}" if valid else "NA",
        "main_primary": sep.join(prims.index[:2]) if len(prims) else ("无" if zh else "none"),
        "n_episode_cities": len(over100), "episode_detected": detected,
        "city_days_over_100": int(stats["days_over_100"].sum()), "city_days_over_200": int(stats["days_over_200"].sum()),
        "max_aqi": f"{stats['max_aqi'].max():.0f}" if max_city else "NA",
        "max_city": name(max_city) if max_city else "",
        "max_day": _fmt_date(pd.Timestamp(stats.at[max_city, 'max_day']).date(), lang) if max_city and pd.notna(stats.at[max_city, 'max_day']) else "",
        "kind": kind,
    }


def _before_after(daily: pd.DataFrame, p0: date, p1: date) -> dict[str, str]:
    """Mean city daily AQI before (2 days), during and after (2 days) the period, as signed changes."""
    m = daily.mean(axis=1)
    ts = pd.Timestamp
    before = m.loc[ts(p0 - timedelta(days=2)):ts(p0 - timedelta(days=1))].mean()
    during = m.loc[ts(p0):ts(p1)].mean()
    after = m.loc[ts(p1 + timedelta(days=1)):ts(p1 + timedelta(days=2))].mean()
    f = lambda v: "NA" if pd.isna(v) else f"{v:+.0f}"
    return {"delta_before": f(during - before), "delta_after": f(after - during),
            "mean_before": f"{before:.0f}" if pd.notna(before) else "NA", "mean_during": f"{during:.0f}" if pd.notna(during) else "NA",
            "mean_after": f"{after:.0f}" if pd.notna(after) else "NA"}


def _provenance(repo, span, lang: str) -> list[tuple[str, str]]:
    """Data sources of the report (store, loaded files) as label/value pairs."""
    zh = lang == "zh"
    out = [("数据库" if zh else "Store", repo.store.display_url),
           ("城市数据时段" if zh else "City data cover", f"{span[0]:%Y-%m-%d %H:%M} … {span[1]:%Y-%m-%d %H:%M}")]
    ds = repo.datasets()
    for r in ds[ds["first_time"].notna()].head(6).itertuples():
        out.append(("数据文件" if zh else "Data file",
                    f"{str(r.path).rsplit('/', 1)[-1]} ({r.format}, {r.source}, {r.rows_read} rows, "
                    f"{'载入' if zh else 'loaded'} {pd.Timestamp(r.loaded_at):%Y-%m-%d %H:%M})"))
    return out


def _ask_providers(ctx: ReportContext, repo) -> None:
    req = prov.ProviderRequest(ctx.kind, ctx.day, ctx.start, ctx.end, tuple(ctx.cities["code"]), ctx.lang, repo)
    wanted = [s.id for s in ctx.template.sections if s.id in prov.KINDS]
    for kind in wanted:
        res, reason = prov.run_provider(kind, req)
        setattr(ctx, kind, res)
        if res is None:
            ctx.absent[kind] = reason or "empty"
        else:
            v = getattr(res, "version", "") or getattr(res, "scheme_version", "") or getattr(res, "catalogue_version", "")
            ctx.rule_versions[kind] = f"{getattr(res, 'model', '') or getattr(res, 'method', '') or getattr(res, 'scheme', '')} {v}".strip()
