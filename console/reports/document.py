"""The report as a list of typed blocks (headings, paragraphs, tables, figures) built from a ReportContext.

One document feeds all three writers (PDF, DOCX, HTML), so the formats never disagree.  Which
analyses are present is decided here: an absent provider becomes a plain-language note.
"""
from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from PySide6.QtCore import QRectF, Qt
from PySide6.QtGui import QColor, QPainter

from console.reports import charts
from console.reports.context import EPISODE_SEARCH_DAYS, ReportContext
from console.reports.templates import fill
from models.aqi import aqi_level, level_info, sensitive_groups

WARN_ZH = {0: "无预警", 1: "黄色（Ⅲ级）", 2: "橙色（Ⅱ级）", 3: "红色（Ⅰ级）"}
WARN_EN = {0: "none", 1: "Yellow (III)", 2: "Orange (II)", 3: "Red (I)"}
WARN_HEX = {0: None, 1: "#FFEB3B", 2: "#FF9800", 3: "#F44336"}
POLLUTANT_EN = {"PM2.5": "PM2.5", "PM10": "PM10", "O3": "O3", "NO2": "NO2", "SO2": "SO2", "CO": "CO"}


@dataclass
class Heading:
    text: str
    level: int = 1


@dataclass
class Paragraph:
    text: str
    style: str = "body"  # body | note | absent | small


@dataclass
class Table:
    columns: list[str]
    rows: list[list[str]]
    fills: list[list[str | None]] | None = None  # background hex per cell
    widths: list[float] | None = None  # relative column widths
    caption: str = ""
    font_pt: float = 8.0


@dataclass
class Figure:
    """A chart or map: ``draw(painter, rect, style)`` paints it on any device; ``aspect`` = height / width."""

    key: str
    draw: Callable[[QPainter, QRectF, charts.ChartStyle], None]
    aspect: float
    caption: str = ""
    kind: str = "chart"  # chart | map


@dataclass
class Approval:
    labels: list[str]


@dataclass
class Document:
    title: str
    serial: str
    issuer: str
    classification: str
    footer: str
    lang: str
    blocks: list = field(default_factory=list)
    meta: dict = field(default_factory=dict)


def _cat(lv: int, lang: str) -> str:
    if not lv:
        return "无数据" if lang == "zh" else "no data"
    return level_info(lv).category(lang)


def _num(v: float, fmt: str = "{:.0f}") -> str:
    return "—" if v is None or (isinstance(v, float) and math.isnan(v)) else fmt.format(v)


def _level_hex(a: float) -> str | None:
    lv = int(aqi_level(np.array([a]))[0])
    return level_info(lv).hex if lv else None


def build_document(ctx: ReportContext) -> Document:
    """Turn the context into blocks, in the template's section order."""
    L = ctx.lang
    tpl = ctx.template
    facts = dict(ctx.facts)
    doc = Document(tpl.t("title", L), fill(tpl.t("serial", L), facts), tpl.t("issuer", L), tpl.t("classification", L),
                   tpl.t("footer", L), L, meta={"kind": ctx.kind, "day": str(ctx.day)})
    for sec in tpl.sections:
        doc.blocks.append(Heading(sec.title.get(L) or sec.title.get("zh", sec.id)))
        builder = BUILDERS[sec.id]
        text = sec.text.get(L) or ""
        if not ctx.episode_detected and sec.text.get(f"{L}:no_episode"):
            text = sec.text[f"{L}:no_episode"]
        builder(ctx, doc, fill(text, facts) if text else "")
    doc.blocks.append(Approval(list(tpl.approval.get(L) or tpl.approval.get("zh", []))))
    return doc


def _absent(ctx: ReportContext, doc: Document, kind: str) -> None:
    L = ctx.lang
    reason_code = ctx.absent.get(kind, "empty")
    ab = ctx.template.absent
    if reason_code == "no_provider":
        reason = ab.get("reason_no_provider", {}).get(kind, {}).get(L, "")
    elif reason_code == "empty":
        reason = ab.get("reason_empty", {}).get(L, "")
    else:
        reason = reason_code
    tmpl = ab.get(kind, {}).get(L) or "{reason}"
    doc.blocks.append(Paragraph(fill(tmpl, {"reason": reason}), "absent"))


# --------------------------------------------------------------------------- sections
def _summary(ctx, doc, text):
    if text:
        doc.blocks.append(Paragraph(text))
    zh = ctx.lang == "zh"
    rel = ctx.facts.get("relation")
    if ctx.kind != "daily" and not ctx.episode_detected:
        when_zh = "前" if ctx.kind == "episode" else "前后"
        when_en = "before" if ctx.kind == "episode" else "of"
        doc.blocks.append(Paragraph(f"报告日{when_zh}{EPISODE_SEARCH_DAYS}天内未发现污染过程（任一城市日AQI>100），"
                                    f"以下过程统计为{ctx.facts['start']}至{ctx.facts['end']}。" if zh else
                                    f"No episode (any city daily AQI > 100) within {EPISODE_SEARCH_DAYS} days {when_en} the "
                                    f"report day; period statistics cover {ctx.facts['start']} – {ctx.facts['end']}.", "absent"))
    elif rel == "before":
        doc.blocks.append(Paragraph(f"报告日不在污染过程中；以上为最近一次过程（{ctx.facts['start']}至{ctx.facts['end']}）的统计。"
                                    if zh else f"The report day is not within an episode; the figures above describe the "
                                    f"latest episode ({ctx.facts['start']} – {ctx.facts['end']}).", "note"))


def _map(ctx, doc, text):
    from console.maprender import city_aqi_layers, render_map

    zh = ctx.lang == "zh"
    values = {r.code: r.aqi for r in ctx.ranking if not math.isnan(r.aqi)}
    when = ctx.facts["date"]
    if ctx.kind == "assessment":  # the assessment maps the episode's peak day (highest mean city daily AQI)
        per = ctx.daily_aqi.loc[pd.Timestamp(ctx.start):pd.Timestamp(ctx.end)]
        mean = per.mean(axis=1)
        if mean.notna().any():
            peak = mean.idxmax()
            values = {c: float(v) for c, v in per.loc[peak].items() if not math.isnan(v)}
            when = f"{peak.year}年{peak.month}月{peak.day}日" if zh else f"{peak.day} {peak:%B %Y}"
    title = (f"{when}城市日均AQI" if zh else f"Daily AQI by city, {when}")

    def draw(p: QPainter, rect: QRectF, st: charts.ChartStyle, values=values, title=title) -> None:
        band = 18 * st.u  # title strip above the map so it never covers a city
        p.save()
        p.setPen(QColor(0, 0, 0))
        p.setFont(st.font(10, bold=True))
        p.drawText(QRectF(rect.left(), rect.top(), rect.width(), band), int(Qt.AlignmentFlag.AlignCenter), title)
        p.restore()
        render_map(p, rect.adjusted(0, band, 0, 0), city_aqi_layers(values), language=ctx.lang, title=None)

    doc.blocks.append(Figure("map", draw, 0.72, title, "map"))


def _ranking(ctx, doc, text):
    zh = ctx.lang == "zh"
    hh = ctx.report_hour.hour or 24  # hour-ending label 00:00 is the 24th hour of the previous day
    cols = (["排名", "城市", "日均AQI", "级别", "首要污染物", "PM2.5", "PM10", "O3-8h", "较前日", f"{hh}时AQI"]
            if zh else ["Rank", "City", "Daily AQI", "Category", "Primary", "PM2.5", "PM10", "O3-8h", "Δ 24 h",
                        f"AQI {hh}:00"])
    rows, fills = [], []
    for r in ctx.ranking:
        ch = "—" if math.isnan(r.change) else f"{r.change:+.0f}"
        rows.append([str(r.rank), r.name(ctx.lang), _num(r.aqi), _cat(r.level, ctx.lang), r.primary or "—",
                     _num(r.pm25), _num(r.pm10), _num(r.o3_8h), ch, _num(r.hour_aqi)])
        fills.append([None, None, _level_hex(r.aqi), _level_hex(r.aqi), None, None, None, None, None, _level_hex(r.hour_aqi)])
    unit = "浓度单位：μg/m³；报告时刻为" if zh else "Concentrations in µg/m³; report hour "
    doc.blocks.append(Table(cols, rows, fills, [0.6, 1.2 if zh else 1.75, 1, 1.1, 1.2, 0.8, 0.8, 0.8, 0.8, 1],
                            caption=f"{unit}{ctx.report_hour:%Y-%m-%d %H:%M}" + ("（北京时间）" if zh else " (Beijing time)")))


MAX_CALENDAR_DAYS = 16


def _calendar(ctx, doc, text):
    zh = ctx.lang == "zh"
    shown = ctx.daily_aqi.dropna(how="all")
    note_zh = note_en = ""
    if len(shown) > MAX_CALENDAR_DAYS:  # long periods: the most polluted days of the period, in date order
        per = shown.loc[pd.Timestamp(ctx.start):pd.Timestamp(ctx.end)]
        top = per.mean(axis=1).nlargest(MAX_CALENDAR_DAYS).index
        shown = per.loc[sorted(top)]
        note_zh = f"时段较长，仅列出区域平均AQI最高的{MAX_CALENDAR_DAYS}天；"
        note_en = f"Long period: the {MAX_CALENDAR_DAYS} days with the highest mean AQI are listed. "
    days = list(shown.index)
    cols = ["城市" if zh else "City"] + [f"{d.month}/{d.day}" for d in days]
    rows, fills = [], []
    for r in ctx.cities.itertuples():
        vals = [shown.at[d, r.code] for d in days]
        rows.append([r.name_zh if zh else r.name_en] + [_num(float(v)) for v in vals])
        fills.append([None] + [_level_hex(float(v)) for v in vals])
    note = (f"格内为日均AQI，颜色为级别；{note_zh}污染过程时段：{ctx.facts['start']}至{ctx.facts['end']}。" if zh else
            f"Daily AQI coloured by category. {note_en}Episode period {ctx.facts['start']} – {ctx.facts['end']}.")
    doc.blocks.append(Table(cols, rows, fills, [1.7 if zh else 2.6] + [1] * len(days), caption=note, font_pt=7.0))


def _timeseries(ctx, doc, text):
    zh = ctx.lang == "zh"
    h = ctx.hourly_aqi
    order = sorted(h.columns, key=lambda c: -np.nan_to_num(h[c].max(), nan=-1))
    series = {ctx.city_name(c): h[c] for c in order}
    worst = [ctx.city_name(c) for c in order[:3]]
    title = "各城市逐时AQI" if zh else "Hourly AQI by city"

    def draw(p, rect, st, series=series, title=title, worst=worst):
        charts.paint_timeseries(p, rect, st, series, title, highlight=worst)

    rows = math.ceil(len(series) / (7 if zh else 5))
    doc.blocks.append(Figure("timeseries", draw, 0.46 + 0.03 * rows, title))


def _period(ctx, doc, text):
    zh = ctx.lang == "zh"
    s = ctx.period_stats
    cols = (["城市", "有效天数", "AQI>100天数", "AQI>200天数", "超标天数", "最高日AQI", "出现日期", "PM2.5均值"] if zh else
            ["City", "Valid days", "Days AQI>100", "Days AQI>200", "Exceedance days", "Max daily AQI", "Date", "Mean PM2.5"])
    rows, fills = [], []
    for code, r in s.iterrows():
        md = "—" if pd.isna(r["max_day"]) else f"{pd.Timestamp(r['max_day']):%m-%d}"
        rows.append([ctx.city_name(code), str(int(r["valid_days"])), str(int(r["days_over_100"])), str(int(r["days_over_200"])),
                     str(int(r["exceed_days"])), _num(float(r["max_aqi"])), md, _num(float(r["mean_pm25"]))])
        fills.append([None, None, "#FFE0B2" if r["days_over_100"] else None, "#E1BEE7" if r["days_over_200"] else None,
                      None, _level_hex(float(r["max_aqi"])), None, None])
    doc.blocks.append(Table(cols, rows, fills, [1.2 if zh else 1.7, 0.8, 1, 1, 1, 1, 0.9, 1],
                            caption=("统计时段：" if zh else "Period: ") + f"{ctx.facts['start']} – {ctx.facts['end']}"))
    counts = []
    per = ctx.daily_aqi.loc[pd.Timestamp(ctx.start):pd.Timestamp(ctx.end)]
    for code in per.columns:
        lv = aqi_level(per[code].to_numpy(float))
        counts.append((ctx.city_name(code), [int((lv == k).sum()) for k in range(1, 7)]))
    title = "各城市过程期间空气质量级别天数" if zh else "Days per AQI category during the episode"
    doc.blocks.append(Figure("levels", lambda p, r, st: charts.paint_level_bar(p, r, st, counts, title),
                             0.08 + 0.03 * len(counts), title))


def _forecast(ctx, doc, text):
    zh = ctx.lang == "zh"
    fc = ctx.forecast
    if fc is None:
        _absent(ctx, doc, "forecast")
        return
    doc.blocks.append(Paragraph((f"预报模型：{fc.model}；发布时间：{fc.issued:%Y-%m-%d %H:%M}。" if zh else
                                 f"Model: {fc.model}; issued {fc.issued:%Y-%m-%d %H:%M}.") + (" " + fc.notes if fc.notes else "")))
    codes = [c for c in fc.series if c in set(ctx.cities["code"])]
    codes = sorted(codes, key=lambda c: -float(np.nanmax(fc.series[c].p90)))[:4]
    for i in range(0, len(codes), 2):
        pair = codes[i:i + 2]

        def draw(p, rect, st, pair=pair):
            w = rect.width() / 2
            for j, c in enumerate(pair):
                q = fc.series[c]
                obs = ctx.hourly_aqi[c].loc[q.times.min() - pd.Timedelta(hours=48):q.times.min()] if c in ctx.hourly_aqi else None
                charts.paint_fan(p, QRectF(rect.left() + j * w, rect.top(), w - 6 * st.u, rect.height()), st, obs, q.times,
                                 q.p10, q.p50, q.p90, ctx.city_name(c), q.variable)

        doc.blocks.append(Figure(f"fan{i}", draw, 0.36, ("预报扇形图" if zh else "Forecast fan chart")))
    if fc.outlook:
        days = sorted({o.day for o in fc.outlook})
        cols = ["城市" if zh else "City"] + [(f"{d.month}月{d.day}日" if zh else f"{d:%d %b}") for d in days]
        by = {(o.city, o.day): o for o in fc.outlook}
        rows, fills = [], []
        for code in ctx.cities["code"]:
            if not any((code, d) in by for d in days):
                continue
            row, frow = [ctx.city_name(code)], [None]
            for d in days:
                o = by.get((code, d))
                if o is None:
                    row.append("—")
                    frow.append(None)
                else:
                    row.append(f"{_cat(o.level, ctx.lang)} {o.aqi_low:.0f}–{o.aqi_high:.0f}" + (f" {o.primary}" if o.primary else ""))
                    frow.append(level_info(o.level).hex if o.level else None)
            rows.append(row)
            fills.append(frow)
        doc.blocks.append(Table(cols, rows, fills, [1] + [2] * len(days),
                                caption="未来三天空气质量预报（AQI范围、级别、首要污染物）" if zh else
                                "Three-day outlook (AQI range, category, primary pollutant)"))


def _sources(ctx, doc, text):
    zh = ctx.lang == "zh"
    s = ctx.sources
    if s is None:
        _absent(ctx, doc, "sources")
        return
    labels = [f.name_zh if zh else f.name_en for f in s.factors]
    shares = [f.share for f in s.factors]
    where = ctx.city_name(s.city) if s.city else ("全区" if zh else "region")
    doc.blocks.append(Paragraph((f"解析方法：{s.method}；范围：{where}。" if zh else f"Method: {s.method}; scope: {where}.")
                                + (" " + s.notes if s.notes else "")))
    title = "PM2.5来源贡献" if zh else "PM2.5 source contributions"
    doc.blocks.append(Figure("sources", lambda p, r, st: charts.paint_shares(p, r, st, labels, shares, title),
                             0.36, title))
    total = sum(max(x, 0) for x in shares) or 1.0
    doc.blocks.append(Table(["来源" if zh else "Source", "贡献率" if zh else "Share"],
                            [[lab, f"{100 * max(x, 0) / total:.1f}%"] for lab, x in zip(labels, shares)], None, [2, 1]))


def _warnings(ctx, doc, text):
    zh = ctx.lang == "zh"
    w = ctx.warnings
    if w is None:
        _absent(ctx, doc, "warnings")
        return
    names = WARN_ZH if zh else WARN_EN
    cols = ["城市", "建议级别", "已发布级别", "依据"] if zh else ["City", "Recommended", "Issued", "Evidence"]
    rows, fills = [], []
    for r in w.rows:
        rows.append([ctx.city_name(r.city), names.get(r.recommended, str(r.recommended)),
                     "—" if r.issued is None else names.get(r.issued, str(r.issued)), r.evidence])
        fills.append([None, WARN_HEX.get(r.recommended), WARN_HEX.get(r.issued) if r.issued is not None else None, None])
    doc.blocks.append(Table(cols, rows, fills, [1, 1.2, 1.2, 3.2],
                            caption=(f"预警方案：{w.scheme}（版本 {w.scheme_version}）" if zh else
                                     f"Warning scheme: {w.scheme} (version {w.scheme_version})")))
    if w.notes:
        doc.blocks.append(Paragraph(w.notes, "note"))


def _measures(ctx, doc, text):
    zh = ctx.lang == "zh"
    m = ctx.measures
    if m is None:
        _absent(ctx, doc, "measures")
        return
    names = WARN_ZH if zh else WARN_EN
    cols = ["城市", "领域", "措施", "对应级别", "减排要求"] if zh else ["City", "Sector", "Measure", "Level", "Reduction target"]
    rows = [[ctx.city_name(x.city) if x.city else ("全区" if zh else "all"), x.sector, x.text, names.get(x.level, ""),
             x.reduction_target] for x in m.measures]
    doc.blocks.append(Table(cols, rows, None, [0.9, 0.8, 3.4, 1, 1.2],
                            caption=("措施清单版本：" if zh else "Measure catalogue version: ") + m.catalogue_version))
    if m.notes:
        doc.blocks.append(Paragraph(m.notes, "note"))


def _health(ctx, doc, text):
    zh = ctx.lang == "zh"
    worst = max((r.level for r in ctx.ranking), default=0)
    key = "2026" if ctx.day >= pd.Timestamp("2026-03-01").date() else "2012"
    shown = sorted({r.level for r in ctx.ranking if r.level >= 3}) or ([worst] if worst else [])
    for lv in shown:
        info = level_info(lv)
        cities = "、".join(r.name(ctx.lang) for r in ctx.ranking if r.level == lv) if zh else \
            ", ".join(r.name(ctx.lang) for r in ctx.ranking if r.level == lv)
        if zh:
            doc.blocks.append(Paragraph(f"{info.category_zh}（{cities}）：{info.health[key]}。{info.advice[key]}。"))
        else:
            doc.blocks.append(Paragraph(f"{info.category_en} ({cities}): {info.health['en']} {info.advice['en']}"))
    prims = {p for r in ctx.ranking if r.level >= 3 for p in r.primary.split(",") if p}
    if zh and prims:
        for p, g in sensitive_groups(sorted(prims)).items():
            doc.blocks.append(Paragraph(f"{p}敏感人群：{g}。", "note"))


def _assessment(ctx, doc, text):
    if text:
        doc.blocks.append(Paragraph(text))
    if ctx.warnings is None or ctx.measures is None:
        zh = ctx.lang == "zh"
        doc.blocks.append(Paragraph("预警发布与措施落实的效果评估需要预警与措施记录，见下文说明。" if zh else
                                    "Assessing warnings and measures needs their records; see the notes below.", "note"))


def _provenance(ctx, doc, text):
    zh = ctx.lang == "zh"
    rows = [[k, v] for k, v in ctx.provenance]
    labels = {"aqi": "AQI 规则（逐时）" if zh else "AQI rules (hourly)", "daily": "AQI 规则（日报）" if zh else "AQI rules (daily)",
              "gb3095": "环境空气质量标准" if zh else "Ambient standard", "template": "报告模板" if zh else "Report template",
              "forecast": "预报模型" if zh else "Forecast model", "sources": "来源解析" if zh else "Source apportionment",
              "warnings": "预警方案" if zh else "Warning scheme", "measures": "措施清单" if zh else "Measure catalogue"}
    rows += [[labels.get(k, k), v] for k, v in ctx.rule_versions.items()]
    absent = [k for k in ("forecast", "sources", "warnings", "measures") if k in ctx.absent]
    if absent:
        rows.append(["未包含的分析" if zh else "Analyses absent", ", ".join(labels[k] for k in absent)])
    rows.append(["生成时间" if zh else "Generated", f"{ctx.generated_at:%Y-%m-%d %H:%M}"])
    doc.blocks.append(Table(["项目" if zh else "Item", "内容" if zh else "Value"], rows, None, [1.2, 4], font_pt=7.5))
    doc.blocks.append(Paragraph("日均AQI按HJ 633日报规定由GB 3095有效性规则下的日统计值计算（日均值需≥20个有效小时）；"
                                "逐时AQI采用全国实时发布口径。" if zh else
                                "Daily AQI follows the HJ 633 daily report over GB 3095 daily statistics (a daily mean "
                                "needs ≥ 20 valid hours); hourly AQI follows the national real-time publication.", "small"))


BUILDERS = {"summary": _summary, "map": _map, "ranking": _ranking, "calendar": _calendar, "timeseries": _timeseries,
            "period": _period, "forecast": _forecast, "sources": _sources, "warnings": _warnings, "measures": _measures,
            "health": _health, "assessment": _assessment, "provenance": _provenance}
