"""Pollution episodes: rule-driven detection and merging over daily/hourly AQI (pure, no I/O but the rule file).

An *episode day* of a city is a day whose daily AQI exceeds the rule's ``daily_aqi_gt`` or which has at
least ``hourly_min_hours`` hours with hourly AQI above ``hourly_aqi_gt``.  Runs of episode days that are
separated by no more than ``merge_gap_days`` clean days merge into one episode (the gap is too short to
lift a warning).  A *regional* episode is a run of days on which at least ``regional_min_cities`` cities
are inside a city episode.  Every result records the rule set and its version.
"""
from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

import numpy as np
import pandas as pd
import xarray as xr

from models.rules import load_rule_file

RULE_FILE = "episode_rules.json"


@dataclass(frozen=True)
class EpisodeRule:
    """One rule set of ``resources/rules/episode_rules.json``."""

    name: str
    version: str
    daily_aqi_gt: float = 100
    hourly_aqi_gt: float | None = 150
    hourly_min_hours: int = 6
    regional_min_cities: int = 3
    merge_gap_days: int = 1
    min_days: int = 1


@dataclass
class Episode:
    """One city (or regional) episode."""

    kind: str                      # "city" | "regional"
    cities: list[str]
    start: pd.Timestamp            # first episode day
    end: pd.Timestamp              # last episode day
    peak_time: pd.Timestamp        # day (or hour, when hourly AQI is given) of the peak
    peak_aqi: float
    primary_pollutants: list[str]
    days: int                      # duration in days, start..end inclusive
    rule: str
    rule_version: str
    episode_days: int = 0          # days that met the rule (<= days when gaps were merged)
    daily_peaks: dict[str, float] = field(default_factory=dict)

    @property
    def duration_hours(self) -> int:
        """Duration in hours (whole days)."""
        return self.days * 24

    def to_dict(self) -> dict[str, Any]:
        """JSON-friendly dict."""
        d = asdict(self)
        for k in ("start", "end", "peak_time"):
            d[k] = pd.Timestamp(d[k]).isoformat()
        d["duration_hours"] = self.duration_hours
        return d


def load_rules(name: str | None = None, doc: dict | None = None) -> EpisodeRule:
    """The named rule set (default: the file's default) from ``episode_rules.json`` or ``doc``."""
    doc = doc or load_rule_file(RULE_FILE)
    name = name or doc["default"]
    if name not in doc["rules"]:
        raise KeyError(f"unknown episode rule set '{name}' (known: {', '.join(doc['rules'])})")
    r = doc["rules"][name]
    keys = {k: r[k] for k in ("daily_aqi_gt", "hourly_aqi_gt", "hourly_min_hours", "regional_min_cities",
                              "merge_gap_days", "min_days") if k in r}
    return EpisodeRule(name=name, version=f"{doc['version']}:{name}", **keys)


def _runs(mask: np.ndarray, gap: int) -> list[tuple[int, int]]:
    """Index runs (start, end inclusive) of True values, merging runs separated by <= ``gap`` False values."""
    idx = np.flatnonzero(mask)
    if not len(idx):
        return []
    runs = [[int(idx[0]), int(idx[0])]]
    for i in idx[1:]:
        if i - runs[-1][1] - 1 <= gap:
            runs[-1][1] = int(i)
        else:
            runs.append([int(i), int(i)])
    return [(a, b) for a, b in runs]


def episode_days(daily_aqi: xr.DataArray, rule: EpisodeRule, hourly_aqi: xr.DataArray | None = None) -> xr.DataArray:
    """Boolean site × day mask of days meeting the rule."""
    days = pd.DatetimeIndex(daily_aqi["time"].values).normalize()
    mask = (daily_aqi > rule.daily_aqi_gt).fillna(False).values.astype(bool)
    if hourly_aqi is not None and rule.hourly_aqi_gt is not None:
        h = hourly_aqi.reindex(site=daily_aqi["site"].values)
        # hour-ending labels: 01:00..24:00 belong to the day of (label - 1 h)
        hday = (pd.DatetimeIndex(h["time"].values) - pd.Timedelta(hours=1)).normalize()
        over = (h > rule.hourly_aqi_gt).fillna(False).values.astype(int)
        frame = pd.DataFrame(over.T, index=hday).groupby(level=0).sum().reindex(days, fill_value=0)
        mask |= frame.values.T >= rule.hourly_min_hours
    return xr.DataArray(mask, dims=("site", "time"), coords={"site": daily_aqi["site"].values, "time": days})


def _primary(primary: xr.DataArray | None, site: str, sl: slice) -> list[str]:
    if primary is None:
        return []
    vals = [str(v) for v in primary.sel(site=site).values[sl] if v is not None and str(v) not in ("", "nan", "None")]
    counts: dict[str, int] = {}
    for v in vals:
        for p in v.split(","):
            if p:
                counts[p] = counts.get(p, 0) + 1
    return [p for p, _ in sorted(counts.items(), key=lambda kv: -kv[1])]


def detect(daily_aqi: xr.DataArray, rule: EpisodeRule | str | None = None, hourly_aqi: xr.DataArray | None = None,
           primary: xr.DataArray | None = None) -> list[Episode]:
    """City episodes then regional episodes over a site × day daily AQI (sites are cities).

    ``hourly_aqi`` (site × hour, hour-ending labels) adds the hourly criterion and locates peak hours;
    ``primary`` (site × day strings like "PM2.5" or "PM2.5,PM10") gives the primary pollutants.
    """
    rule = rule if isinstance(rule, EpisodeRule) else load_rules(rule)
    mask = episode_days(daily_aqi, rule, hourly_aqi)
    days = pd.DatetimeIndex(mask["time"].values)
    values = daily_aqi.values.astype(float)
    out: list[Episode] = []
    per_city_runs: dict[str, list[tuple[int, int]]] = {}
    for i, site in enumerate(mask["site"].values):
        runs = [r for r in _runs(mask.values[i], rule.merge_gap_days) if mask.values[i, r[0]:r[1] + 1].sum() >= rule.min_days]
        per_city_runs[str(site)] = runs
        for a, b in runs:
            seg = values[i, a:b + 1]
            k = int(np.nanargmax(np.where(np.isnan(seg), -np.inf, seg)))
            peak_t, peak = days[a + k], float(seg[k])
            if hourly_aqi is not None:
                hs = hourly_aqi.sel(site=site, time=slice(days[a] + pd.Timedelta(hours=1), days[b] + pd.Timedelta(hours=24)))
                if hs.size and bool(hs.notnull().any()):
                    peak_t = pd.Timestamp(hs.idxmax("time").values)
            out.append(Episode("city", [str(site)], days[a], days[b], peak_t, peak,
                               _primary(primary, str(site), slice(a, b + 1)), b - a + 1, rule.name, rule.version,
                               int(mask.values[i, a:b + 1].sum()),
                               {days[a + j].date().isoformat(): float(seg[j]) for j in range(len(seg)) if not np.isnan(seg[j])}))
    # regional: days on which >= k cities are inside one of their (merged) city episodes
    inside = np.zeros(mask.shape, dtype=bool)
    for i, site in enumerate(mask["site"].values):
        for a, b in per_city_runs[str(site)]:
            inside[i, a:b + 1] = True
    regional_days = inside.sum(axis=0) >= rule.regional_min_cities
    for a, b in _runs(regional_days, rule.merge_gap_days):
        rows = inside[:, a:b + 1].any(axis=1)
        cities = [str(s) for s in np.asarray(mask["site"].values)[rows]]
        seg = np.where(inside[:, a:b + 1], values[:, a:b + 1], np.nan)
        if np.all(np.isnan(seg)):
            continue
        i, k = np.unravel_index(np.nanargmax(seg), seg.shape)
        prim = []
        for c in cities:
            for p in _primary(primary, c, slice(a, b + 1)):
                if p not in prim:
                    prim.append(p)
        out.append(Episode("regional", cities, days[a], days[b], days[a + k], float(seg[i, k]), prim, b - a + 1,
                           rule.name, rule.version, int(regional_days[a:b + 1].sum())))
    return out


def to_frame(episodes: list[Episode]) -> pd.DataFrame:
    """One row per episode."""
    cols = ["kind", "cities", "start", "end", "peak_time", "peak_aqi", "primary_pollutants", "days", "episode_days",
            "rule", "rule_version"]
    return pd.DataFrame([{**{c: getattr(e, c) for c in cols}, "cities": ",".join(e.cities),
                          "primary_pollutants": ",".join(e.primary_pollutants)} for e in episodes], columns=cols)
