"""Air Quality Index by HJ 633-2012 and HJ 633-2026, vectorised over xarray/numpy.

Inputs are xarray Datasets whose variables are hourly concentrations named by pollutant
(``SO2, NO2, PM10, PM2.5, CO, O3``; µg/m³, CO mg/m³) and, optionally, the moving means the
national platform publishes (``PM2.5_24h``, ``O3_8h`` …).  Missing moving means are derived from
the hourly series.  Time labels are hour-ending Beijing time (national convention).

The rule set is chosen per timestamp (before 2026-03-01 → HJ 633-2012) unless overridden, and every
result records the rule version(s) that produced it.
"""
from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import Iterable, Literal

import numpy as np
import pandas as pd
import xarray as xr

from models.rules import load_rule_file

POLLUTANTS: tuple[str, ...] = ("SO2", "NO2", "PM10", "PM2.5", "CO", "O3")
UNITS = {"SO2": "ug m-3", "NO2": "ug m-3", "PM10": "ug m-3", "PM2.5": "ug m-3", "O3": "ug m-3", "CO": "mg m-3"}
RULE_FILE = "aqi_hj633.json"
SWITCH_DATE = np.datetime64("2026-03-01T00:00")
Standard = Literal["auto", "hj633-2012", "hj633-2026"]
Convention = Literal["standard", "published"]
_EPS = 1e-9
CHUNK_VALUES = 1_000_000  # values per variable processed at once (site chunks)


@dataclass(frozen=True)
class Level:
    """One AQI level row of HJ 633 附录A / 表1."""

    level: int
    grade: str
    category_zh: str
    category_en: str
    hex: str
    rgb: tuple[int, int, int]
    aqi_max: int
    health: dict[str, str]
    advice: dict[str, str]

    def category(self, language: str) -> str:
        """The category name in ``language`` ("zh" | "en")."""
        return self.category_zh if language == "zh" else self.category_en


@dataclass(frozen=True)
class RuleSet:
    """One version of HJ 633 as loaded from the rule file."""

    version: str
    title: str
    effective_from: np.datetime64
    aqi_min: int
    pre_round: bool
    pre_round_decimals: dict[str, int]
    breakpoints: dict[str, np.ndarray]
    over_top: dict[str, dict]
    hourly_indicators: dict[str, dict[str, list[str]]]
    daily_indicators: dict[str, list[str]]
    index_rounding: dict[str, str]
    missing_rule: str
    health_key: str


@lru_cache(maxsize=None)
def rule_sets() -> dict[str, RuleSet]:
    """All HJ 633 versions in the rule file, by version id."""
    doc = load_rule_file(RULE_FILE)
    out = {}
    for vid, v in doc["versions"].items():
        out[vid] = RuleSet(
            version=vid,
            title=v["title"],
            effective_from=np.datetime64(v["effective_from"]),
            aqi_min=int(v["aqi_min"]),
            pre_round=bool(v["pre_round"]),
            pre_round_decimals=dict(v.get("pre_round_decimals", {})),
            breakpoints={k: np.asarray(b, dtype=float) for k, b in v["breakpoints"].items()},
            over_top=v["over_top"],
            hourly_indicators=v["hourly_indicators"],
            daily_indicators=v["daily_indicators"],
            index_rounding=dict(v.get("index_rounding", {"standard": "ceil", "published": "ceil"})),
            missing_rule=v["missing_rule"],
            health_key=v["health_key"],
        )
    return out


@lru_cache(maxsize=None)
def levels() -> tuple[Level, ...]:
    """The six AQI levels with colours and health advice (both versions' wording)."""
    doc = load_rule_file(RULE_FILE)
    rows = []
    for r in doc["levels"]:
        rows.append(Level(
            level=r["level"], grade=r["grade"], category_zh=r["category_zh"], category_en=r["category_en"],
            hex=r["hex"], rgb=tuple(r["rgb"]), aqi_max=r["aqi_max"],
            health={"2012": r["health_2012"], "2026": r["health_2026"], "en": r["health_en"]},
            advice={"2012": r["advice_2012"], "2026": r["advice_2026"], "en": r["advice_en"]},
        ))
    return tuple(rows)


def rules_version_tag() -> str:
    """Identifier of the rule file itself (schema + versions), recorded with results."""
    doc = load_rule_file(RULE_FILE)
    return f"{doc['schema']}:" + "+".join(sorted(doc["versions"]))


def ruleset_for(when: np.datetime64 | str | pd.Timestamp) -> RuleSet:
    """The HJ 633 version in force at a (Beijing-time) timestamp."""
    t = np.datetime64(pd.Timestamp(when).tz_localize(None) if pd.Timestamp(when).tzinfo else pd.Timestamp(when), "m")
    return rule_sets()["hj633-2026" if t >= SWITCH_DATE else "hj633-2012"]


# --------------------------------------------------------------------------- core maths

def ceil_index(x: np.ndarray) -> np.ndarray:
    """Round an index up to an integer ("全部进位取整"), robust to floating-point noise."""
    return np.ceil(np.asarray(x, dtype=float) - _EPS)


def round_half_up(x: np.ndarray) -> np.ndarray:
    """Round half up to an integer ("四舍五入"), the national real-time platform's convention."""
    return np.floor(np.asarray(x, dtype=float) + 0.5)


ROUNDERS = {"ceil": ceil_index, "half_up": round_half_up}


def round_half_even(x: np.ndarray, decimals: int) -> np.ndarray:
    """GB/T 8170 修约 (round half to even) with a guard against binary representation error."""
    scale = 10.0 ** decimals
    y = np.asarray(x, dtype=float) * scale
    # 2.5000000001 must round like 2.5: snap values within 1e-9 of a .5 tie onto the tie
    frac = y - np.floor(y)
    tie = np.abs(frac - 0.5) < 1e-9
    y = np.where(tie, np.floor(y) + 0.5, y)
    return np.round(y) / scale


def iaqi_from_table(conc: np.ndarray, bps: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Linear IAQI (HJ 633 式1) before rounding; also a mask of values above the top breakpoint."""
    steps = np.asarray(load_rule_file(RULE_FILE)["iaqi_steps"][: len(bps)], dtype=float)
    c = np.asarray(conc, dtype=float)
    out = np.interp(c, bps, steps)
    out[np.isnan(c)] = np.nan
    with np.errstate(invalid="ignore"):
        above = c > bps[-1]
    return out, above


def _series_name(indicator: str) -> str:
    """'PM2.5_1h' → 'PM2.5' (hourly series are stored under the bare pollutant name)."""
    return indicator[:-3] if indicator.endswith("_1h") else indicator


def _indicator_iaqi(data: dict[str, np.ndarray], spec: str, rs: RuleSet, shape) -> np.ndarray:
    """IAQI (not yet rounded up) of one indicator spec such as 'O3_8h' or 'PM2.5_1h@PM2.5_24h'."""
    series, _, table = spec.partition("@")
    table = table or series
    conc = data.get(_series_name(series))
    if conc is None:
        return np.full(shape, np.nan)
    value, above = iaqi_from_table(conc, rs.breakpoints[table])
    rule = rs.over_top.get(table, rs.over_top["default"])
    if above.any():
        if rule["rule"] == "fixed":
            value = np.where(above, float(rule["value"]), value)
        elif rule["rule"] == "use_indicator":
            alt = _indicator_iaqi(data, rule["indicator"], rs, shape)
            value = np.where(above, alt, value)
        else:
            value = np.where(above, float(rule["value"]), value)
    return value


def _prepared(data: dict[str, np.ndarray], rs: RuleSet) -> dict[str, np.ndarray]:
    if not rs.pre_round:
        return data
    out = {}
    for name, arr in data.items():
        pol = name.split("_")[0]
        out[name] = round_half_even(arr, rs.pre_round_decimals.get(pol, 0))
    return out


def _aqi_arrays(data: dict[str, np.ndarray], rs: RuleSet, indicators: dict[str, list[str]],
                shape, rounding: str = "ceil") -> dict[str, np.ndarray]:
    data = _prepared(data, rs)
    iaqis = {}
    for pol in POLLUTANTS:
        v = None
        for spec in indicators[pol]:
            cur = _indicator_iaqi(data, spec, rs, shape)
            v = cur if v is None else np.fmax(v, cur)  # fmax ignores NaN unless both are NaN
        iaqis[pol] = ROUNDERS[rounding](v)
    return _combine(iaqis, rs)


def _combine(iaqis: dict[str, np.ndarray], rs: RuleSet) -> dict[str, np.ndarray]:
    stack = np.stack([iaqis[p] for p in POLLUTANTS])  # (6, ...)
    n_valid = (~np.isnan(stack)).sum(axis=0)
    filled = np.where(np.isnan(stack), -1.0, stack)
    aqi = filled.max(axis=0)
    aqi = np.where(n_valid == 0, np.nan, aqi)
    if rs.aqi_min:
        aqi = np.where(np.isnan(aqi), aqi, np.maximum(aqi, rs.aqi_min))
    complete = n_valid == len(POLLUTANTS)
    publishable = np.ones(aqi.shape, dtype=bool)
    if rs.missing_rule == "publish_only_above_100":
        # HJ 633-2026 5.3.1: with a pollutant missing, AQI is published only if > 100
        publishable = complete | (aqi > 100)
    bits = np.zeros(aqi.shape, dtype=np.int16)
    with np.errstate(invalid="ignore"):
        for i in range(len(POLLUTANTS)):
            bits |= ((filled[i] == aqi) & (aqi > 50)).astype(np.int16) << i
    out = {f"iaqi_{p}": iaqis[p] for p in POLLUTANTS}
    out.update(aqi=aqi, level=aqi_level(aqi), primary_mask=bits, complete=complete, publishable=publishable)
    return out


def aqi_level(aqi: np.ndarray) -> np.ndarray:
    """AQI level 1..6 (0 where AQI is missing)."""
    a = np.asarray(aqi, dtype=float)
    lv = np.searchsorted(np.array([50, 100, 150, 200, 300]), a, side="left") + 1
    return np.where(np.isnan(a), 0, lv).astype(np.int8)


def primary_names(mask: int | np.integer) -> list[str]:
    """Pollutant names encoded in a primary-pollutant bit mask (ties keep table order)."""
    return [p for i, p in enumerate(POLLUTANTS) if int(mask) >> i & 1]


def primary_labels(masks: np.ndarray, sep: str = ",") -> np.ndarray:
    """Vectorised conversion of bit masks to 'PM2.5,PM10' strings ('' when none)."""
    m = np.asarray(masks).astype(int)
    lut = np.array([sep.join(primary_names(i)) for i in range(1 << len(POLLUTANTS))], dtype=object)
    return lut[m]


# --------------------------------------------------------------------------- moving means

def rolling_mean(x: np.ndarray, window: int, min_periods: int) -> np.ndarray:
    """Trailing moving mean along the last axis (window ending at each hour), NaN-aware.

    Windows with fewer than ``min_periods`` valid values are NaN.  O(n) via cumulative sums.
    """
    x = np.asarray(x, dtype=float)
    valid = ~np.isnan(x)
    pad = [(0, 0)] * (x.ndim - 1) + [(1, 0)]
    cs = np.pad(np.cumsum(np.where(valid, x, 0.0), axis=-1), pad)
    cn = np.pad(np.cumsum(valid, axis=-1, dtype=np.int32), pad)
    n = x.shape[-1]
    total = cs[..., 1:].copy()
    count = cn[..., 1:].copy()
    if n > window:  # full windows: cumulative difference; the first window-1 hours keep the plain prefix sums
        total[..., window:] -= cs[..., 1:n + 1 - window]
        count[..., window:] -= cn[..., 1:n + 1 - window]
    with np.errstate(invalid="ignore", divide="ignore"):
        out = total / count
    out[count < min_periods] = np.nan
    # cumulative sums carry rounding noise of ~1e-12: snap back to the 1e-9 grid of the inputs
    return np.round(out, 9)


def add_moving_means(ds: xr.Dataset, min_24h: int = 20, min_8h: int = 6) -> xr.Dataset:
    """Add ``<P>_24h`` and ``O3_8h`` moving means where the dataset lacks them.

    24-h means need ``min_24h`` valid hours, 8-h O3 means ``min_8h`` of 8 (GB 3095 表4); windows that
    fail are NaN, never averaged from too few values.  The time axis must be regular hourly.
    """
    out = ds.copy()
    for p in ("SO2", "NO2", "PM10", "PM2.5", "CO"):
        if p in ds and f"{p}_24h" not in ds:
            da = ds[p].transpose(..., "time")
            out[f"{p}_24h"] = (da.dims, rolling_mean(da.values, 24, min_24h))
    if "O3" in ds and "O3_8h" not in ds:
        da = ds["O3"].transpose(..., "time")
        out["O3_8h"] = (da.dims, rolling_mean(da.values, 8, min_8h))
    return out


def regular_hourly(ds: xr.Dataset) -> xr.Dataset:
    """Reindex onto a complete hourly axis so that gaps stay missing (NaN), never closed up."""
    t = pd.DatetimeIndex(ds["time"].values)
    if len(t) == 0:
        return ds
    full = pd.date_range(t.min(), t.max(), freq="h")
    return ds if len(full) == len(t) else ds.reindex(time=full)


# --------------------------------------------------------------------------- public API

def _choose(times: np.ndarray, standard: Standard) -> list[tuple[RuleSet, np.ndarray]]:
    if standard != "auto":
        return [(rule_sets()[standard], np.ones(times.shape, dtype=bool))]
    t = times.astype("datetime64[m]")
    new = t >= SWITCH_DATE
    parts = []
    if (~new).any():
        parts.append((rule_sets()["hj633-2012"], ~new))
    if new.any():
        parts.append((rule_sets()["hj633-2026"], new))
    return parts


def _compute(ds: xr.Dataset, standard: Standard, pick, convention: Convention = "standard") -> xr.Dataset:
    if "time" not in ds.dims:
        raise ValueError("dataset has no 'time' dimension")
    ds = ds.transpose(..., "time")
    template = next(iter(ds.data_vars.values()))
    shape = template.shape
    data = {k: np.asarray(v.values, dtype=float) for k, v in ds.data_vars.items()}
    times = ds["time"].values
    result: dict[str, np.ndarray] = {}
    versions = np.empty(times.shape, dtype=object)
    for rs, tmask in _choose(times, standard):
        idx = np.flatnonzero(tmask)
        if len(idx) and idx[-1] - idx[0] + 1 == len(idx):
            tmask = slice(int(idx[0]), int(idx[-1]) + 1)  # contiguous (sorted time): views, not copies
        sub = {k: v[..., tmask] for k, v in data.items()}
        part = _aqi_arrays(sub, rs, pick(rs), sub[next(iter(sub))].shape, rs.index_rounding[convention])
        for k, v in part.items():
            if k not in result:
                result[k] = np.zeros(shape, dtype=v.dtype) if v.dtype != float else np.full(shape, np.nan)
            result[k][..., tmask] = v
        versions[tmask] = rs.version
    dims = template.dims
    out = xr.Dataset({k: (dims, v) for k, v in result.items()}, coords=template.coords)
    out["rule_version"] = ("time", versions.astype(str))
    for p in POLLUTANTS:
        out[f"iaqi_{p}"].attrs.update(long_name=f"individual AQI of {p}", units="1")
    out["aqi"].attrs.update(long_name="air quality index", units="1")
    out["level"].attrs.update(long_name="AQI level (1=优 … 6=严重污染; 0=missing)")
    out["primary_mask"].attrs.update(long_name="primary pollutant bit mask", flag_order=" ".join(POLLUTANTS))
    out.attrs.update(rules=rules_version_tag(), standard=standard)
    return out


def hourly_aqi(ds: xr.Dataset, standard: Standard = "auto", convention: Convention = "standard") -> xr.Dataset:
    """Real-time (hourly) AQI report for every site and hour.

    ``convention='standard'`` follows the text of the standard in force; ``'published'`` follows the
    national real-time platform (since 2014-01-01 PM IAQI from the 1-h value, see docs/aqi-validation.md).
    Returns a Dataset with ``iaqi_<P>``, ``aqi``, ``level``, ``primary_mask``, ``complete``,
    ``publishable`` and per-hour ``rule_version``.
    """
    ds = regular_hourly(ds[[v for v in ds.data_vars]])
    other = [d for d in ds.dims if d != "time"]
    step = max(1, CHUNK_VALUES // max(ds.sizes["time"], 1))
    if other and ds.sizes[other[0]] > step:
        # large inputs in site chunks: temporaries stay small (an order of magnitude fewer page faults)
        dim = other[0]
        parts = [hourly_aqi(ds.isel({dim: slice(i, i + step)}), standard, convention)
                 for i in range(0, ds.sizes[dim], step)]
        out = xr.concat([p.drop_vars("rule_version") for p in parts], dim=dim)
        out["rule_version"] = parts[0]["rule_version"]
        out.attrs.update(parts[0].attrs)
        return out
    ds = add_moving_means(ds)
    out = _compute(ds, standard, lambda rs: rs.hourly_indicators[convention], convention)
    out.attrs.update(report="hourly", convention=convention)
    return out


def daily_aqi(daily: xr.Dataset, standard: Standard = "auto") -> xr.Dataset:
    """Daily-report AQI from daily statistics (see :func:`models.air_standard.daily_statistics`).

    Expects ``<P>_24h`` daily means, ``O3_8h`` (daily max 8-h mean) and, for HJ 633-2012, ``O3``
    (daily max 1-h) — invalid days must already be NaN.
    """
    out = _compute(daily, standard, lambda rs: rs.daily_indicators)
    out.attrs.update(report="daily")
    return out


def level_info(level: int) -> Level:
    """The :class:`Level` row for a level number 1..6."""
    return levels()[int(level) - 1]


def level_colours() -> list[str]:
    """Hex colours for levels 1..6 (index 0 → level 1)."""
    return [lv.hex for lv in levels()]


def to_frame(result: xr.Dataset, site_dim: str = "site") -> pd.DataFrame:
    """Flatten an AQI result to one row per site and hour (``site,time,aqi,level,primary_pollutant,iaqi_*``)."""
    df = result[["aqi", "level", "primary_mask", "publishable"] + [f"iaqi_{p}" for p in POLLUTANTS]].to_dataframe()
    df = df.reset_index()
    df["primary_pollutant"] = primary_labels(df["primary_mask"].to_numpy())
    names = np.array([""] + [lv.category_zh for lv in levels()], dtype=object)
    df["level"] = names[df["level"].to_numpy().astype(int)]
    df.loc[~df["publishable"].astype(bool), ["aqi", "level", "primary_pollutant"]] = [np.nan, "NA", ""]
    return df.drop(columns=["primary_mask", "publishable"])


def sensitive_groups(pollutants: Iterable[str]) -> dict[str, str]:
    """HJ 633-2026 表2: sensitive groups for pollutants whose IAQI > 100."""
    table = load_rule_file(RULE_FILE)["sensitive_groups_2026"]
    return {p: table[p] for p in pollutants if p in table}
