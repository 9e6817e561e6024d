"""Alarm messages in the operators' language, worded from the alarm's stored fields.

The store keeps each alarm's message as it was raised (English, for the audit trail and the CLI).  The console
shows it in the UI language: for Chinese this module words it again from the structured fields (category,
condition, source, value, data time) and, for forecast and feed alarms, from the parts of the stored message that
carry the warning scheme or the feed's error.  A message it does not recognise is shown as stored.
"""
from __future__ import annotations

import re
from typing import Any, Mapping

_FORECAST = re.compile(r": (?P<basis>.+) recommends (?P<level>\w+) warning \((?P<version>[^()]*)\); "
                       r"in force: (?P<current>\w+)$")
_SINCE = re.compile(r"(?:since|stale since) (?P<t>\d{4}-\d\d-\d\d \d\d:\d\d)")


def _time(v: Any) -> str:
    """MM-DD HH:MM of a datetime or Timestamp; "" for anything else (None, NaT, text)."""
    try:
        return f"{v:%m-%d %H:%M}" if hasattr(v, "strftime") else ""
    except ValueError:       # NaT
        return ""


def _num(v: Any) -> float | None:
    try:
        f = float(v)
    except (TypeError, ValueError):
        return None
    return f if f == f else None


_STATES = {"zh": {"UNACK_ACTIVE": "未确认·报警中", "ACK_ACTIVE": "已确认·报警中", "UNACK_RTN": "未确认·已恢复",
                  "SHELVED": "已搁置", "NORMAL": "正常"},
           "en": {"UNACK_ACTIVE": "unacknowledged, active", "ACK_ACTIVE": "acknowledged, active",
                  "UNACK_RTN": "unacknowledged, cleared", "SHELVED": "shelved", "NORMAL": "normal"}}
_PRIORITIES = {"zh": {1: "高优先级", 2: "中优先级", 3: "低优先级"}, "en": {1: "high", 2: "medium", 3: "low"}}


def state_words(state: str, lang: str = "en") -> str:
    """An alarm state code (UNACK_ACTIVE …) as the operator reads it."""
    return _STATES["zh" if lang == "zh" else "en"].get(str(state), str(state))


def priority_words(priority, lang: str = "en") -> str:
    """An alarm priority (1 high, 2 medium, 3 low) as the operator reads it."""
    try:
        return _PRIORITIES["zh" if lang == "zh" else "en"][int(priority)]
    except (KeyError, TypeError, ValueError):
        return f"P{priority}"


_CONDITIONS_ZH = {"feed-stale": "数据中断", "feed-fault": "数据源故障", "bad-file": "文件被拒收", "no-data": "无数据",
                  "recommend-yellow": "建议黄色预警", "recommend-orange": "建议橙色预警", "recommend-red": "建议红色预警"}


def condition_words(condition: str, lang: str = "en") -> str:
    """An alarm condition code (``aqi>200``, ``feed-stale``, ``recommend-orange`` …) as the operator reads it."""
    if lang != "zh":
        return condition
    if condition.startswith("aqi>"):
        return f"AQI>{condition[4:]}"
    return _CONDITIONS_ZH.get(condition, condition)


def alarm_message(row: Mapping[str, Any], lang: str = "en", names: Mapping[str, str] | None = None) -> str:
    """The message of one alarm (a row of ``AlarmService.table``) in ``lang`` ("zh" or "en"); ``names`` gives
    city codes their names."""
    stored = str(row.get("message") or "")
    if lang != "zh":
        return stored
    names = names or {}
    source, cond, cat = str(row.get("source", "")), str(row.get("condition", "")), str(row.get("category", ""))
    where = names.get(source, source)
    when = _time(row.get("data_time"))
    if cat == "exceedance" and cond.startswith("aqi>") and (v := _num(row.get("value"))) is not None:
        return f"{where} 小时AQI {v:.0f}，超过 {cond[4:]}" + (f"（{when}）" if when else "")
    if cat == "station" and cond == "no-data":
        return f"{where}：最新时次无任何污染物数据" + (f"（{when}）" if when else "")
    if cat == "forecast" and (m := _FORECAST.search(stored)):
        from models.warnings import level_names

        levels = level_names()

        def level(code: str) -> str:
            return levels.get(code, {}).get("zh", code)
        basis = ("预报模型" if m["basis"].startswith("forecast") else
                 "持续性外推" if m["basis"] == "persistence" else m["basis"])
        return f"{where}：{basis}建议发布{level(m['level'])}预警（{m['version']}）；现行：{level(m['current'])}"
    if cat == "feed":
        if cond == "feed-stale":
            m = _SINCE.search(stored)
            return f"数据源 {source}：" + (f"自 {m['t']} 起无新数据" if m else "无新数据")
        if cond == "feed-fault":
            prefix = f"feed {source}: "
            return f"数据源 {source} 故障：" + (stored[len(prefix):] if stored.startswith(prefix) else stored)
        if cond == "bad-file":
            return f"数据源 {source}：有文件被拒收：{stored}"
    return stored
