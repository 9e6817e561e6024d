"""Seasonal prior of exceedance odds, for the months a model has not seen in training.

A model trained on a short record learns how often moderate days turn into polluted ones *in the months it saw*.
The Guangxi demo record starts in December: models trained on the winter forecast spring with winter's odds, and
their P(PM2.5 > 75 µg/m³) in February–June is worse than the base rate (benchmarks/README-forecast.md).

An independent year of daily city means carries what the record cannot: how the odds of tomorrow's exceedance,
*given today's level*, change from month to month. Per pollutant, threshold and lead (1–3 days) a logistic
regression of "the daily mean ``k`` days ahead exceeds c" on today's log daily mean (and its square) and the month of
the target day gives month effects on the log-odds. A forecast for a month its model did not see in training at that
site has its exceedance odds shifted by the month's effect minus the mean effect of the months it did see; the
quantiles follow through the same knot remap as the running correction (:mod:`forecasting.recent_correction`).
Months seen in training are left alone: the model learnt those itself.

Rules as data: the fitted table lives in ``resources/forecast/`` with its version and source, and each forecast
records the version it used. ``lantian forecast prior`` fits one from a user's own year of daily data.
"""
from __future__ import annotations

import json
import os
import tempfile
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources
from pathlib import Path

import numpy as np
import pandas as pd

LEADS = (1, 2, 3)                      # days ahead; horizons beyond 72 h use the 3-day effects
DEFAULT_RESOURCE = "seasonal_prior_guangxi.json"
#: event days a threshold needs for its own effects: ten per parameter of the regression (2 + 12 months)
MIN_EVENTS = 140


@dataclass
class SeasonalPrior:
    """Month effects on the log-odds of ``daily mean > c`` per pollutant, threshold and lead day."""

    version: str
    source: str
    sites: list[str]
    #: pollutant → threshold (µg/m³ as text) → 3 leads × 12 months of log-odds effects (centred per lead)
    effects: dict[str, dict[str, list[list[float]]]]
    #: pollutant → threshold → event days behind it, and which threshold's effects it uses when it had too few
    events: dict[str, dict[str, int]] = field(default_factory=dict)
    borrowed: dict[str, dict[str, str]] = field(default_factory=dict)
    #: other names of the sites (adcode, full name …) → the name in ``sites``
    aliases: dict[str, str] = field(default_factory=dict)

    # ------------------------------------------------------------------ fitting
    @classmethod
    def fit(cls, daily: pd.DataFrame, thresholds: dict[str, list[float]], version: str, source: str,
            min_events: int = MIN_EVENTS, C: float = 1.0) -> "SeasonalPrior":
        """Fit from daily means: ``daily`` has columns ``site``, ``date`` and one column per pollutant of
        ``thresholds`` (``{pollutant: [c1 < c2 < …]}``). A threshold with fewer than ``min_events`` event days
        takes the effects of the next lower one; a pollutant whose lowest threshold has too few gets none.
        ``C``: inverse strength of the L2 penalty of scikit-learn's logistic regression."""
        from sklearn.linear_model import LogisticRegression

        d = daily.assign(date=pd.to_datetime(daily["date"]).dt.floor("D")).sort_values(["site", "date"])
        effects: dict[str, dict[str, list[list[float]]]] = {}
        events: dict[str, dict[str, int]] = {}
        borrowed: dict[str, dict[str, str]] = {}
        for pol, cs in thresholds.items():
            if pol not in d:
                continue
            wide = d.pivot_table(index="date", columns="site", values=pol)
            wide = wide.reindex(pd.date_range(wide.index.min(), wide.index.max(), freq="D"))
            today = wide.to_numpy(float)
            eff_p: dict[str, list[list[float]]] = {}
            for c in sorted(cs):
                key = _key(c)
                n_ev = int(np.nansum(today > c))
                events.setdefault(pol, {})[key] = n_ev
                if n_ev < min_events:
                    if eff_p:                                   # the next lower threshold's effects
                        lower = list(eff_p)[-1]
                        eff_p[key] = eff_p[lower]
                        borrowed.setdefault(pol, {})[key] = borrowed.get(pol, {}).get(lower, lower)
                    continue
                per_lead = []
                for k in LEADS:
                    x, y = today[:-k].ravel(), today[k:].ravel()
                    month = np.repeat(wide.index[k:].month.to_numpy(), today.shape[1])
                    ok = np.isfinite(x) & np.isfinite(y)
                    lx = np.log1p(np.maximum(x[ok], 0))
                    X = np.column_stack([lx, lx ** 2] + [(month[ok] == m).astype(float) for m in range(1, 13)])
                    lr = LogisticRegression(C=C, max_iter=5000).fit(X, y[ok] > c)
                    b = lr.coef_[0][2:]
                    per_lead.append([round(float(v), 4) for v in b - b.mean()])
                eff_p[key] = per_lead
            if eff_p:
                effects[pol] = eff_p
        return cls(version, source, sorted(str(s) for s in d["site"].unique()), effects, events, borrowed)

    # ------------------------------------------------------------------ use
    def shifts(self, target: str, knots, sites, valid_times, horizons, seen_months: dict[str, set[int]]
               ) -> np.ndarray | None:
        """Log-odds shifts ``(n, len(knots))`` of forecast rows (``sites``, ``valid_times``, ``horizons`` of
        length n) at the concentration ``knots``, or None when this prior moves none of them (nothing for
        ``target``, or every row's month seen in training).

        A row gets ``effect(valid month) − mean effect(months seen at its site)`` of the lead day nearest to
        ``h / 24`` (1–3; a daily forecast of D+1 from 23:00 is ``h = 25``), scaled by ``min(1, h / 24)`` below a
        day; 0 where its site is not in the prior, where the valid month was seen in training, or where the site has
        no training months. A knot uses the effects of the largest fitted threshold at or below it (0 below the
        lowest). Sites are matched by name or alias (:meth:`canonical`)."""
        table = self.effects.get(target)
        if not table:
            return None
        fitted = sorted(float(k) for k in table)
        sites = np.asarray(sites).astype(str)
        seen_months = {self.canonical(k): v for k, v in seen_months.items()}
        sites = np.array([self.canonical(x) for x in sites]) if len(sites) else sites
        vm = pd.DatetimeIndex(valid_times).month.to_numpy()
        h = np.asarray(horizons, float)
        lead = np.clip(np.rint(h / 24).astype(int), 1, len(LEADS)) - 1
        weight = np.minimum(1.0, h / 24.0)
        out = np.zeros((len(sites), len(knots)))
        known = set(self.sites)
        for s in np.unique(sites):
            seen = sorted(seen_months.get(s, set()))
            if s not in known or not seen:
                continue
            rows = np.flatnonzero((sites == s) & ~np.isin(vm, seen))
            if not len(rows):
                continue
            for j, c in enumerate(knots):
                below = [t for t in fitted if t <= float(c) + 1e-9]
                if not below:
                    continue
                eff = np.asarray(table[_key(below[-1])], float)               # (lead, 12)
                base = eff[:, [m - 1 for m in seen]].mean(axis=1)             # (lead,)
                out[rows, j] = (eff[lead[rows], vm[rows] - 1] - base[lead[rows]]) * weight[rows]
        return out if out.any() else None

    def record(self, target: str, seen: dict[str, set[int]], valid_times) -> dict:
        """What a forecast of ``target`` took from this prior (for ``forecast_info.json``)."""
        if target not in self.effects:
            return {"used": False, "reason": f"the prior has no effects for {target}"}
        vm = sorted(set(pd.DatetimeIndex(valid_times).month))
        seen = {self.canonical(k): v for k, v in seen.items()}
        sites = [s for s in seen if s in self.sites]
        if not sites:
            return {"used": False, "reason": "none of the forecast's sites is in the prior"}
        unseen = sorted({m for s in sites for m in vm if m not in seen[s]})
        if not unseen:
            return {"used": False, "reason": "every valid month was seen in training"}
        return {"used": True, "unseen_months": unseen, "thresholds": sorted(self.effects[target], key=float),
                "borrowed": self.borrowed.get(target, {})}

    def canonical(self, site) -> str:
        """The prior's name of ``site`` (an alias such as the adcode resolved; unknown sites unchanged)."""
        return self.aliases.get(str(site), str(site))

    # ------------------------------------------------------------------ storage
    def to_dict(self) -> dict:
        return dict(format="lantian-seasonal-prior/1", version=self.version, source=self.source, sites=self.sites,
                    leads=list(LEADS), effects=self.effects, events=self.events, borrowed=self.borrowed,
                    aliases=self.aliases)

    @classmethod
    def from_dict(cls, d: dict) -> "SeasonalPrior":
        if d.get("format") != "lantian-seasonal-prior/1":
            raise ValueError(f"not a seasonal prior table (format {d.get('format')!r})")
        return cls(d["version"], d["source"], list(d["sites"]), d["effects"], d.get("events", {}),
                   d.get("borrowed", {}), d.get("aliases", {}))

    def save(self, path) -> Path:
        """Write atomically (a temporary file in the same folder, then rename)."""
        path = Path(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, suffix=".tmp")
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            json.dump(self.to_dict(), f, ensure_ascii=False, indent=1)
        os.chmod(tmp, 0o644)                 # mkstemp creates 0600; a rules file is readable like any other
        os.replace(tmp, path)
        return path

    @classmethod
    def load(cls, path) -> "SeasonalPrior":
        return cls.from_dict(json.loads(Path(path).read_text(encoding="utf-8")))


@lru_cache(maxsize=1)
def default_prior() -> SeasonalPrior:
    """The prior shipped in ``resources/forecast`` (fitted on the 14 Guangxi cities' daily means of 2017; cached,
    treat as read-only)."""
    text = resources.files("resources.forecast").joinpath(DEFAULT_RESOURCE).read_text(encoding="utf-8")
    return SeasonalPrior.from_dict(json.loads(text))


def seen_months(model) -> dict[str, set[int]]:
    """Per site, the months (1–12) a fitted model saw in training: those its climatology table has values for
    (at least ten observations at some hour of the month)."""
    clim = model.climatology
    if clim is None:
        return {}
    return {s: {m + 1 for m in range(12) if np.isfinite(clim.table[i, m]).any()} for i, s in enumerate(clim.sites)}


def _key(c: float) -> str:
    return f"{float(c):g}"
