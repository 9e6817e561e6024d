"""Heavy-pollution warnings: forecast daily AQI sequences per city against a versioned warning scheme.

The forecast interface is deliberately small so that any forecaster fits: an ``xarray.Dataset`` with
``aqi`` (site × time, one label per forecast day, the 24-h continuous mean AQI) and optionally
``p_gt_<threshold>`` (probability that the day's AQI exceeds the threshold, 0..1).  Its ``attrs``
say where it came from (``source``: e.g. "forecast:<model>" or "persistence", ``issued``).

Schemes live in ``resources/rules/warning_schemes.json``; a user override document (same layout,
only the parts to change) can be merged over it with :func:`load_schemes`.  Each condition
(``aqi_gt``/``aqi_gte`` for at least ``min_hours`` consecutive forecast hours, optionally ``with`` a
second threshold reached for ``min_hours`` inside that run) carries a ``status`` — thresholds marked
``UNCONFIRMED`` are configurable defaults, not law — and every recommendation records the scheme version.
"""
from __future__ import annotations

import copy
import math
from dataclasses import asdict, dataclass, field
from typing import Any

import numpy as np
import pandas as pd
import xarray as xr

from models.rules import load_rule_file

RULE_FILE = "warning_schemes.json"
LEVELS = ("none", "yellow", "orange", "red")
RANK = {name: i for i, name in enumerate(LEVELS)}


def _merge(base: dict, over: dict) -> dict:
    out = copy.deepcopy(base)
    for k, v in over.items():
        if isinstance(v, dict) and isinstance(out.get(k), dict):
            out[k] = _merge(out[k], v)
        else:
            out[k] = copy.deepcopy(v)
    return out


def load_schemes(overrides: dict | None = None) -> dict[str, Any]:
    """The scheme document, with a user override document merged over it (its edits are marked)."""
    doc = copy.deepcopy(load_rule_file(RULE_FILE))
    if overrides:
        for name, sch in (overrides.get("schemes") or {}).items():
            base = doc["schemes"].get(name, {})
            merged = _merge(base, sch)
            merged["version"] = f"{base.get('version', name)}+user"
            merged["user_edited"] = True
            doc["schemes"][name] = merged
        if overrides.get("default"):
            doc["default"] = overrides["default"]
    return doc


def level_names() -> dict[str, dict[str, str]]:
    """Level code → {"zh": …, "en": …} names from the scheme file (e.g. "orange" → 橙色（Ⅱ级）)."""
    return load_rule_file(RULE_FILE)["level_names"]


def scheme(name: str | None = None, doc: dict | None = None) -> dict[str, Any]:
    """One scheme (default: the document's default, the 2024 national scheme) with its ``name``."""
    doc = doc or load_schemes()
    name = name or doc["default"]
    if name not in doc["schemes"]:
        raise KeyError(f"unknown warning scheme '{name}' (known: {', '.join(doc['schemes'])})")
    return {"name": name, **doc["schemes"][name]}


def unconfirmed(sch: dict) -> list[str]:
    """Paths of thresholds marked UNCONFIRMED in a scheme (e.g. 'yellow[1]: AQI>150 for 48 h')."""
    out = []
    for lv in sch["levels"]:
        for j, c in enumerate(lv["any_of"]):
            if c.get("status") == "UNCONFIRMED":
                out.append(f"{lv['level']}[{j}]: {describe(c)}")
    if sch.get("lift", {}).get("status") == "UNCONFIRMED":
        out.append(f"lift: AQI<={sch['lift']['aqi_le']} for {sch['lift']['min_hours']} h")
    return out


def describe(cond: dict, lang: str = "en") -> str:
    """Human text of one condition, in English (``lang="en"``) or Chinese (``"zh"``)."""
    op = f"AQI≥{cond['aqi_gte']}" if "aqi_gte" in cond else f"AQI>{cond['aqi_gt']}"
    if lang == "zh":
        s = f"{op} 持续{cond['min_hours']}小时"
        return s + (f"，且{describe(cond['with'], lang)}" if "with" in cond else "")
    op = op.replace("≥", ">=")
    s = f"{op} for {cond['min_hours']} h"
    if "with" in cond:
        s += f" and {describe(cond['with'])}"
    return s


@dataclass
class Evidence:
    """Why a level is recommended: the condition met and the forecast days (with probabilities) that met it."""

    level: str
    condition: str
    days: list[str]
    aqi: list[float]
    probabilities: dict[str, list[float | None]] = field(default_factory=dict)
    rule: dict = field(default_factory=dict)   # the condition as data (``describe(rule, lang)`` words it)


def evidence_text(e: Evidence, lang: str = "en", short_days: bool = False) -> str:
    """One evidence line in ``lang``: the condition met and the forecast days that met it (``short_days``: MM-DD)."""
    cond = describe(e.rule, lang) if e.rule else e.condition
    days = [d[5:] if short_days else d for d in e.days]
    return cond + ("：" if lang == "zh" else ": ") + ", ".join(days)


@dataclass
class Recommendation:
    """Recommended warning level of one city with its evidence and the scheme version used."""

    city: str
    level: str
    scheme: str
    scheme_version: str
    basis: str                          # "forecast:<model>" | "persistence" | …
    evidence: list[Evidence]
    forecast_days: list[str]
    forecast_aqi: list[float]
    lift_allowed: bool
    lift_reason: str
    unconfirmed: bool = False           # the met condition is an UNCONFIRMED threshold
    lift: dict = field(default_factory=dict)   # the lifting rule applied and its outcome (``lift_text`` words it)

    @property
    def rank(self) -> int:
        """0 none, 1 yellow, 2 orange, 3 red."""
        return RANK[self.level]

    def to_dict(self) -> dict[str, Any]:
        """JSON-friendly dict."""
        return asdict(self)


def _met(values: np.ndarray, cond: dict) -> tuple[int, int] | None:
    """First run (start, end inclusive, in days) satisfying ``cond`` on a day sequence, or None."""
    need = max(1, math.ceil(cond["min_hours"] / 24))
    over = values >= cond["aqi_gte"] if "aqi_gte" in cond else values > cond["aqi_gt"]
    over = np.where(np.isnan(values), False, over)
    i, n = 0, len(values)
    while i < n:
        if not over[i]:
            i += 1
            continue
        j = i
        while j + 1 < n and over[j + 1]:
            j += 1
        if j - i + 1 >= need:
            inner = cond.get("with")
            if inner is None or _met(values[i:j + 1], inner) is not None:
                return i, j
        i = j + 1
    return None


def lift_outcome(values: np.ndarray, sch: dict) -> dict:
    """The scheme's lifting rule against a forecast daily AQI sequence: ``{"outcome": "met" | "exceeds" |
    "short", "aqi_le", "min_hours", "days"}`` (forecast AQI stays <= ``aqi_le`` for ``min_hours`` from day one)."""
    lift = sch.get("lift") or {"aqi_le": 150, "min_hours": 36}
    need = max(1, math.ceil(lift["min_hours"] / 24))
    head = values[:need]
    out = {"aqi_le": lift["aqi_le"], "min_hours": lift["min_hours"], "days": need}
    if len(head) < need or np.isnan(head).any():
        return out | {"outcome": "short"}
    return out | {"outcome": "met" if (head <= lift["aqi_le"]).all() else "exceeds"}


def lift_text(lift: dict, lang: str = "en") -> str:
    """Words for a :func:`lift_outcome` result, in English or Chinese."""
    le, hours, outcome = lift["aqi_le"], lift["min_hours"], lift["outcome"]
    if lang == "zh":
        return {"short": f"预报时长不足解除规则所需的{hours}小时",
                "met": f"未来{lift['days'] * 24}小时预报AQI≤{le}（规则：≥{hours}小时）",
                "exceeds": f"未来{hours}小时内预报AQI超过{le}"}[outcome]
    return {"short": f"forecast shorter than the {hours} h the lifting rule needs",
            "met": f"forecast AQI <= {le} for the next {lift['days'] * 24} h (rule: >= {hours} h)",
            "exceeds": f"forecast AQI exceeds {le} within the next {hours} h"}[outcome]


def evaluate_city(city: str, days: pd.DatetimeIndex, aqi: np.ndarray, sch: dict, basis: str,
                  probs: dict[str, np.ndarray] | None = None) -> Recommendation:
    """Recommend a level for one city's forecast daily AQI sequence."""
    aqi = np.asarray(aqi, dtype=float)
    labels = [d.date().isoformat() for d in days]
    evidence: list[Evidence] = []
    level, unconf = "none", False
    for lv in sorted(sch["levels"], key=lambda x: -x["rank"]):
        for cond in lv["any_of"]:
            run = _met(aqi, cond)
            if run is None:
                continue
            a, b = run
            pr = {k: [None if np.isnan(v) else round(float(v), 3) for v in p[a:b + 1]] for k, p in (probs or {}).items()}
            evidence.append(Evidence(lv["level"], describe(cond), labels[a:b + 1], [float(x) for x in aqi[a:b + 1]], pr,
                                     dict(cond)))
            if level == "none":
                level, unconf = lv["level"], cond.get("status") == "UNCONFIRMED"
        if level != "none":
            break
    lift = lift_outcome(aqi, sch)
    return Recommendation(city, level, sch["name"], sch["version"], basis, evidence, labels,
                          [None if np.isnan(x) else float(x) for x in aqi], lift["outcome"] == "met", lift_text(lift),
                          unconf, lift)


def evaluate(forecast: xr.Dataset, scheme_name: str | None = None, doc: dict | None = None,
             start: str | pd.Timestamp | None = None) -> list[Recommendation]:
    """Recommendations for every site of a forecast Dataset (see module doc for its layout).

    ``start`` drops forecast days before it (e.g. evaluate from tomorrow on).
    """
    if "aqi" not in forecast:
        raise KeyError("forecast dataset needs an 'aqi' variable (site × day forecast daily AQI)")
    sch = scheme(scheme_name, doc)
    fc = forecast
    if start is not None:
        fc = fc.sel(time=slice(pd.Timestamp(start).normalize(), None))
    days = pd.DatetimeIndex(fc["time"].values)
    basis = str(fc.attrs.get("source", "forecast"))
    probs = {k: fc[k] for k in fc.data_vars if k.startswith("p_gt_")}
    out = []
    for site in fc["site"].values:
        p = {k: np.asarray(v.sel(site=site).values, dtype=float) for k, v in probs.items()}
        out.append(evaluate_city(str(site), days, fc["aqi"].sel(site=site).values, sch, basis, p))
    return out


def persistence_forecast(daily_aqi: xr.DataArray, issued: str | pd.Timestamp, days: int = 3) -> xr.Dataset:
    """Fallback when no forecast exists: the last observed daily AQI up to ``issued`` repeated ``days`` ahead."""
    issued = pd.Timestamp(issued).normalize()
    obs = daily_aqi.sel(time=slice(None, issued))
    if obs.sizes.get("time", 0) == 0:
        raise ValueError(f"no observed daily AQI on or before {issued.date()}")
    vals = np.asarray(obs.transpose("site", "time").values, dtype=float)
    last = pd.DataFrame(vals.T).ffill().iloc[-1].to_numpy()
    times = pd.date_range(issued + pd.Timedelta(days=1), periods=days, freq="D")
    data = np.repeat(last[:, None], days, axis=1)
    return xr.Dataset({"aqi": (("site", "time"), data)}, coords={"site": daily_aqi["site"].values, "time": times},
                      attrs={"source": "persistence", "issued": issued.isoformat(),
                             "observed_day": pd.Timestamp(obs["time"].values[-1]).date().isoformat()})


def escalation(current: str, recommended: str) -> str:
    """What a recommendation means against the level in force: issue, upgrade, downgrade, lift or keep."""
    c, r = RANK[current], RANK[recommended]
    if c == r:
        return "keep"
    if c == 0:
        return "issue"
    if r == 0:
        return "lift"
    return "upgrade" if r > c else "downgrade"
