"""Optional analysis providers for the briefing reports (forecast, sources, warnings, measures).

The reports gather observed facts from the store themselves; analyses built elsewhere (forecasting/,
models/pmf, the episode command) plug in through this small registry::

    from console.reports.providers import register_provider, ForecastResult
    register_provider("forecast", my_forecast_provider)     # fn(ProviderRequest) -> ForecastResult | None

A provider returns ``None`` (or raises :class:`ProviderUnavailable` with a reason) when it has nothing
for the request; the report then says plainly that the analysis is absent.  Modules listed in
:data:`KNOWN_MODULES` are imported on first use (an ImportError simply means "not installed"), so a
branch only has to ship such a module calling :func:`register_provider` at import time.  See
docs/reports.md for the interface.
"""
from __future__ import annotations

import importlib
import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import numpy as np
import pandas as pd

log = logging.getLogger(__name__)

KINDS = ("forecast", "sources", "warnings", "measures")
ENTRY_POINT_GROUP = "lantian.report_providers"
#: modules tried on discovery; each registers its providers when imported
KNOWN_MODULES = (
    "console.forecast.report_provider",
    "console.forecasting.report_provider",
    "console.sources.report_provider",
    "console.command.report_provider",
    "console.episode.report_provider",
    "console.warnings.report_provider",
    "console.measures.report_provider",
)


class ProviderUnavailable(Exception):
    """Raised by a provider that cannot answer; the message is shown in the report's absence note."""


@dataclass(frozen=True)
class ProviderRequest:
    """What a report asks a provider for (dates are Beijing-time calendar days)."""

    kind: str  # report type: daily | episode | assessment
    date: date  # the report day
    start: date  # analysis period (episode / assessment); = date for the daily report
    end: date
    cities: tuple[str, ...]  # city adcodes, e.g. ("450100", …)
    lang: str = "zh"
    repository: Any = None  # console.store.repository.Repository (may be None in tests)


# --------------------------------------------------------------------------- result types
@dataclass
class QuantileSeries:
    """Hourly forecast quantiles of one variable for one city (arrays aligned with ``times``)."""

    times: pd.DatetimeIndex  # hour-ending Beijing time, naive
    p10: np.ndarray
    p50: np.ndarray
    p90: np.ndarray
    variable: str = "AQI"  # or "PM2.5" (µg/m3)


@dataclass
class OutlookDay:
    """Daily outlook of one city for D+1..D+3: AQI range and level (1..6) with the primary pollutant."""

    city: str  # adcode
    day: date
    aqi_low: float
    aqi_high: float
    level: int  # most likely level 1..6
    primary: str = ""  # e.g. "PM2.5"
    probability_polluted: float | None = None  # P(daily AQI > 100), 0..1
    aqi_median: float | None = None  # the median daily AQI (the headline; the level is its category)


@dataclass
class ForecastResult:
    """What the forecast provider returns."""

    model: str  # e.g. "HGB quantile v1"
    issued: pd.Timestamp  # issue time (Beijing)
    series: dict[str, QuantileSeries] = field(default_factory=dict)  # city adcode → quantiles
    outlook: list[OutlookDay] = field(default_factory=list)
    version: str = ""  # model / rule version recorded in the provenance section
    notes: str = ""
    model_id: str = ""  # the model's version id alone (e.g. "a2bb6ecc724c")
    trained: tuple[str, str] = ("", "")  # first and last training day


@dataclass
class SourceFactor:
    """One factor of a source apportionment with its share of the modelled PM2.5 (0..1)."""

    name_zh: str
    name_en: str
    share: float


@dataclass
class SourcesResult:
    """What the source-apportionment provider returns."""

    method: str  # e.g. "PMF (robust, 6 factors)"
    factors: list[SourceFactor]
    period: tuple[date, date] | None = None
    city: str | None = None  # adcode the shares refer to (None = region)
    version: str = ""
    notes: str = ""


@dataclass
class WarningRow:
    """Recommended and issued warning level for one city (0 none, 1 yellow/III, 2 orange/II, 3 red/I)."""

    city: str
    recommended: int
    issued: int | None = None
    evidence: str = ""  # e.g. "预报AQI>200持续48小时"


@dataclass
class WarningsResult:
    """What the warnings provider returns."""

    scheme: str  # e.g. "guangxi-2024"
    scheme_version: str
    rows: list[WarningRow] = field(default_factory=list)
    notes: str = ""


@dataclass
class Measure:
    """One recommended or active control measure."""

    city: str  # adcode or "" for province-wide
    sector: str  # e.g. "工业" / "industry"
    text: str
    level: int = 0  # warning level it belongs to
    reduction_target: str = ""  # e.g. "SO2/NOx/PM/VOCs ≥10%"
    status: str = ""  # recommended | active | lifted


@dataclass
class MeasuresResult:
    """What the measures provider returns."""

    catalogue_version: str
    measures: list[Measure] = field(default_factory=list)
    notes: str = ""


RESULT_TYPES = {"forecast": ForecastResult, "sources": SourcesResult, "warnings": WarningsResult,
                "measures": MeasuresResult}
Provider = Callable[[ProviderRequest], Any]

_registry: dict[str, Provider] = {}
_discovered = False


def register_provider(kind: str, fn: Provider) -> None:
    """Register (or replace) the provider of one analysis kind."""
    if kind not in KINDS:
        raise ValueError(f"unknown provider kind {kind!r} (known: {', '.join(KINDS)})")
    _registry[kind] = fn
    _memo.clear()


def unregister_provider(kind: str) -> None:
    """Remove a provider (tests, plug-in reload)."""
    _registry.pop(kind, None)
    _memo.clear()


def forget_answers() -> None:
    """Drop remembered answers (a provider's inputs changed, e.g. a weather forecast was loaded)."""
    _memo.clear()


def discover() -> None:
    """Import the known provider modules once; missing modules are silently skipped."""
    global _discovered
    if _discovered:
        return
    _discovered = True
    names = list(KNOWN_MODULES)
    try:  # installed plug-ins: [project.entry-points."lantian.report_providers"] name = "package.module"
        from importlib.metadata import entry_points

        names += [ep.value.split(":")[0] for ep in entry_points(group=ENTRY_POINT_GROUP)]
    except Exception:  # pragma: no cover - broken metadata must not break the report
        log.exception("reading %s entry points failed", ENTRY_POINT_GROUP)
    for name in names:
        try:
            importlib.import_module(name)
        except ImportError:
            continue
        except Exception:  # a broken plug-in must not break the report
            log.exception("report provider module %s failed to import", name)


def get_provider(kind: str) -> Provider | None:
    """The registered provider of ``kind`` (after discovery), or None."""
    discover()
    return _registry.get(kind)


_memo: dict[tuple, tuple[float, tuple[Any, str | None]]] = {}
MEMO_SECONDS = 60.0


def run_provider(kind: str, request: ProviderRequest) -> tuple[Any, str | None]:
    """Ask the provider of ``kind``; returns (result, None) or (None, reason it is absent).

    Answers are remembered for a minute per (provider, request): one report asks for the forecast in
    its forecast section and again through the warnings provider, and must not pay for it twice.
    """
    import time

    fn = get_provider(kind)
    try:
        key = (kind, id(fn), request)
        hit = _memo.get(key)
    except TypeError:  # an unhashable request (e.g. a test double): no memo
        key, hit = None, None
    if hit is not None and time.monotonic() - hit[0] < MEMO_SECONDS:
        return hit[1]
    out = _run_provider(fn, kind, request)
    if key is not None:
        if len(_memo) > 16:
            _memo.clear()
        _memo[key] = (time.monotonic(), out)
    return out


def _run_provider(fn: Provider | None, kind: str, request: ProviderRequest) -> tuple[Any, str | None]:
    if fn is None:
        return None, "no_provider"
    try:
        res = fn(request)
    except ProviderUnavailable as exc:
        return None, str(exc) or "empty"
    except Exception as exc:  # report the failure in the text rather than losing the whole report
        log.exception("report provider %s failed", kind)
        return None, f"error: {exc.__class__.__name__}: {exc}"
    if res is None:
        return None, "empty"
    if not isinstance(res, RESULT_TYPES[kind]):
        return None, f"error: provider returned {type(res).__name__}, expected {RESULT_TYPES[kind].__name__}"
    return res, None
