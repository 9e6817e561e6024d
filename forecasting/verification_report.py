"""A readable verification report (Markdown) of a backtest's metrics: what `forecast backtest` writes
next to ``metrics.json`` so a forecaster can read, paste or print the scores without tooling."""
from __future__ import annotations


def _f(x, fmt: str = "{:.3f}") -> str:
    return "–" if x is None else fmt.format(x)


def backtest_markdown(metrics: dict, title: str = "Forecast verification") -> str:
    """Per-horizon scores, exceedance scores with reliability tables, daily categories and per-site
    scores of :func:`forecasting.backtest.evaluate` output (plus ``setup``/``timing``/``models``)."""
    s, t = metrics.get("setup", {}), metrics.get("timing", {})
    out = [f"# {title}: {s.get('target', '')} ({s.get('stat', '')})", ""]
    out += [f"- Training data from {s.get('train_start', '?')}, training end {s.get('train_end', '?')}, "
            f"test end {s.get('test_end', '?')}; refit: {s.get('refit', 'none')}; origins: {len(t.get('origins', []))}",
            f"- Meteorology: {s.get('met_note', '')}",
            f"- {t.get('n_forecasts', 0)} forecasts; fit {t.get('fit_seconds', '?')} s, predict {t.get('predict_seconds', '?')} s"]
    rc = s.get("recent_correction")
    if rc:
        out.append(f"- Exceedance odds corrected from the forecasts verified in the last {rc['window_days']} days "
                   f"(refreshed at 00:00; {rc['prior_cases']:g} pseudo-cases; thresholds with fewer than "
                   f"{rc['min_events']} events take the next lower one's factor)")
    sp = s.get("seasonal_prior")
    if sp:
        used = [o for o in sp.get("origins", []) if o.get("used")]
        months = sorted({m for o in used for m in o["unseen_months"]})
        out.append(f"- Seasonal prior {sp['version']}: exceedance odds of the months a model had not seen in training "
                   + (f"shifted (months {', '.join(map(str, months))}; {len(used)} of {len(sp['origins'])} origins)"
                      if used else f"— nothing shifted ({sp['origins'][0]['reason'] if sp.get('origins') else ''})"))
    for m in metrics.get("models", [])[:1]:
        pool = m.get("exceedance_pool")
        if pool:
            w = ", ".join(f"{c:g}: {wt:.1f}" for c, wt in zip(pool["thresholds"], pool["weights"]))
            out.append(f"- Exceedance classifiers pooled at (concentration: weight) {w}")
    out.append("")
    byh = metrics.get("by_horizon", {})
    out += ["## Scores per horizon", "",
            "| h | n | RMSE | MAE | R² | persistence RMSE | climatology RMSE | skill vs persistence | "
            "skill vs climatology | cover 80 % | CRPS |", "|" + "---|" * 11]
    for h, b in byh.items():
        out.append(f"| {h} | {b['n']} | {_f(b['point']['rmse'], '{:.2f}')} | {_f(b['point']['mae'], '{:.2f}')} | "
                   f"{_f(b['point']['r2'])} | {_f(b['persistence']['rmse'], '{:.2f}')} | "
                   f"{_f(b['climatology']['rmse'], '{:.2f}')} | {_f(b['skill_vs_persistence'])} | "
                   f"{_f(b['skill_vs_climatology'])} | {_f(b['coverage_80'])} | {_f(b['crps'], '{:.2f}')} |")
    out += ["", "## Exceedances (thresholds are the AQI levels' concentrations)", "",
            "| h | AQI | concentration | base rate | Brier | Brier skill | POD | FAR | CSI | "
            "cover 80 % when observed / latest / P50 above |",
            "|" + "---|" * 10]
    for h, b in byh.items():
        for a, e in b.get("exceedance", {}).items():
            out.append(f"| {h} | {a} | {_f(e['concentration'], '{:g}')} | {_f(e['base_rate'])} | {_f(e['brier'])} | "
                       f"{_f(e['brier_skill'])} | {_f(e.get('pod'))} | {_f(e.get('far'))} | {_f(e.get('csi'))} | "
                       f"{_f(e.get('coverage_80_when_observed_above'))} / {_f(e.get('coverage_80_when_latest_above'))}"
                       f" / {_f(e.get('coverage_80_when_forecast_above'))} |")
    for h, b in byh.items():
        for a, e in b.get("exceedance", {}).items():
            rows = [r for r in e.get("reliability", []) if r["n"]]
            if not rows:
                continue
            out += ["", f"Reliability of P(AQI > {a}) at {h} h: forecast → observed (95 % interval over days; cases, days)",
                    "", f"![reliability diagram](reliability_{h}h_aqi{a}.png)", ""]
            out += [f"- [{r['bin_lo']:.1f}, {r['bin_hi']:.1f}): {r['mean_forecast']:.3f} → {r['observed_freq']:.3f}"
                    + (f" ({r['observed_lo']:.3f}–{r['observed_hi']:.3f}; {r['n']}, {r['groups']})"
                       f"{'' if r['consistent'] else ' — not reliable'}" if "observed_lo" in r else f" ({r['n']})")
                    for r in rows]
    cats = {h: b["category"] for h, b in byh.items() if "category" in b}
    if cats:
        out += ["", "## Daily category (exact / within one category)", "",
                "| h | forecast | persistence | climatology | median | most probable |", "|" + "---|" * 6]
        for h, c in cats.items():
            cell = [f"{_f(c[k]['exact'])} / {_f(c[k]['within_1'])}" if k in c else "–"
                    for k in ("point", "persistence", "climatology", "p50", "most_probable")]
            out.append(f"| {h} | " + " | ".join(cell) + " |")
    sites = metrics.get("by_site_horizon", {})
    if sites:
        out += ["", "## Per site", "", "| site | h | n | RMSE | skill vs persistence | skill vs climatology | "
                "cover 80 % | CRPS | CSI (AQI > 100) |", "|" + "---|" * 9]
        for site, hs in sites.items():
            for h, b in hs.items():
                csi = b.get("exceedance", {}).get("100", {}).get("csi")
                out.append(f"| {site} | {h} | {b['n']} | {_f(b['point']['rmse'], '{:.2f}')} | "
                           f"{_f(b['skill_vs_persistence'])} | {_f(b['skill_vs_climatology'])} | "
                           f"{_f(b['coverage_80'])} | {_f(b['crps'], '{:.2f}')} | {_f(csi)} |")
    return "\n".join(out) + "\n"
