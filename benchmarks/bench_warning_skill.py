"""Held-out skill of the console's warning-level recommendations: forecast model vs persistence.

For every issue day D in [--issue-start, --issue-end] and every city of the store, the script asks the product
exactly as the console does, ``console.command.schemes.recommend(repo, scheme, forecast, D)``:

* ``forecast="model"`` — the forecast model's D+1…D+3 daily outlook (median daily AQI) issued on D, with the
  bundle given by ``--model`` (exported as ``LANTIAN_FORECAST_MODEL`` before the console's forecast service starts);
* ``forecast=None`` — persistence: the observed daily AQI of D repeated for D+1…D+3;

and scores both against the "truth": the same scheme evaluated (``models.warnings.evaluate``) on the OBSERVED daily
AQI of D+1…D+3 (``console.command.observed.observed_city_aqi``), laid out as ``wmodel.persistence_forecast`` lays out
its forecast.  City-days whose observed D+1…D+3 is incomplete are left out (counted).

Optionally (``--model-23h``) a third, NON-product basis is scored: the same bundle issued at D 23:00 through the
console's forecast service (the product path issues at D 20:00, whose daily outlook rests on the 23:00 run of D−1).

The bundle must be held out: the script refuses (unless ``--allow-in-sample``) when the bundle's training period
overlaps the evaluated period [first issue day, last issue day + 3 days].

Usage (from the repository root; the product must be importable, e.g. the editable install).  Train held-out
bundles first (≈ 3 min each on one thread), then score them::

    lantian forecast train --data demo --compact --train-end 2019-01-15 --out /tmp/fwd.zip          # design (a)
    lantian forecast train --data demo --compact --train-start 2019-02-01 --out /tmp/block.zip      # design (b)
    python benchmarks/bench_warning_skill.py --home /tmp/lt_home --model /tmp/fwd.zip \
        --issue-start 2019-01-16 --issue-end 2019-06-26 --schemes all --model-23h --csv fwd.csv > fwd.md
    python benchmarks/bench_warning_skill.py --home /tmp/lt_home --model /tmp/block.zip \
        --issue-start 2018-12-08 --issue-end 2019-01-28 --schemes all --model-23h --csv block.csv > block.md

``--home`` is used as ``LANTIAN_HOME`` (store and scheme overrides); an empty store there is filled with the built-in
Guangxi demo.  ``--db URL`` names another store instead.  Output: markdown tables on stdout; per city-day rows in
``--csv``.  Results and reading: benchmarks/README-warnings.md.
"""
from __future__ import annotations

import argparse
import math
import os
import sys
import time
from pathlib import Path

LEVELS = ("none", "yellow", "orange", "red")


# --------------------------------------------------------------------------- scoring helpers

def contingency(rec: list[int], truth: list[int], at: int) -> dict:
    """Hits / misses / false alarms / correct negatives for the event "level >= at", with POD, FAR, CSI."""
    h = sum(1 for r, t in zip(rec, truth) if r >= at and t >= at)
    m = sum(1 for r, t in zip(rec, truth) if r < at and t >= at)
    f = sum(1 for r, t in zip(rec, truth) if r >= at and t < at)
    cn = len(rec) - h - m - f
    div = lambda a, b: a / b if b else float("nan")   # noqa: E731
    return dict(hits=h, misses=m, false_alarms=f, correct_negatives=cn, pod=div(h, h + m), far=div(f, h + f),
                csi=div(h, h + m + f))


def confusion(rec: list[int], truth: list[int]) -> list[list[int]]:
    """4×4 counts, rows = recommended level, columns = truth level."""
    out = [[0] * 4 for _ in range(4)]
    for r, t in zip(rec, truth):
        out[r][t] += 1
    return out


def rmse(pred, obs) -> tuple[float, int]:
    pairs = [(p, o) for p, o in zip(pred, obs)
             if p is not None and o is not None and math.isfinite(p) and math.isfinite(o)]
    if not pairs:
        return float("nan"), 0
    return math.sqrt(sum((p - o) ** 2 for p, o in pairs) / len(pairs)), len(pairs)


def fmt(x, nd=3) -> str:
    if x is None or (isinstance(x, float) and math.isnan(x)):
        return "–"
    return f"{x:.{nd}f}" if isinstance(x, float) else str(x)


# --------------------------------------------------------------------------- main

def parse_args(argv=None):
    ap = argparse.ArgumentParser(description="Held-out skill of warning-level recommendations: model vs persistence.",
                                 formatter_class=argparse.RawDescriptionHelpFormatter, epilog=__doc__)
    ap.add_argument("--model", required=True,
                    help="held-out forecast bundle (.zip) written by `lantian forecast train`")
    ap.add_argument("--issue-start", required=True, help="first issue day YYYY-MM-DD")
    ap.add_argument("--issue-end", required=True, help="last issue day YYYY-MM-DD")
    ap.add_argument("--home", default=None, help="LANTIAN_HOME to use (store + scheme overrides); default: as set")
    ap.add_argument("--db", default=None, help="database URL (default: the store in LANTIAN_HOME)")
    ap.add_argument("--schemes", default="default",
                    help="'default', 'all', or comma-separated scheme names of resources/rules/warning_schemes.json")
    ap.add_argument("--model-23h", action="store_true",
                    help="also score the bundle issued at D 23:00 via the forecast service (not the product path)")
    ap.add_argument("--allow-in-sample", action="store_true", help="do not refuse a bundle trained on the period")
    ap.add_argument("--leak-check-days", type=int, default=2,
                    help="issue days on which to re-issue from observations cut at the issue time and compare "
                         "(0: skip)")
    ap.add_argument("--csv", default=None, help="write per city-day rows here")
    ap.add_argument("--label", default="", help="title of the report")
    return ap.parse_args(argv)


def main(argv=None) -> int:
    args = parse_args(argv)
    if args.home:
        os.environ["LANTIAN_HOME"] = str(Path(args.home).resolve())
    model = Path(args.model).resolve()
    if not model.is_file():
        sys.exit(f"model bundle not found: {model}")
    os.environ["LANTIAN_FORECAST_MODEL"] = str(model)   # before the console's forecast service is created

    import numpy as np
    import pandas as pd
    import xarray as xr

    from console.command import schemes as S
    from console.command.observed import city_names, observed_city_aqi
    from console.demo import ensure_demo
    from console.reports.providers import ProviderRequest, forget_answers, run_provider
    from console.store.db import Store
    from console.store.repository import Repository
    from forecasting.system import ForecastSystem
    from models import warnings as wmodel

    d0, d1 = pd.Timestamp(args.issue_start), pd.Timestamp(args.issue_end)
    days = pd.date_range(d0, d1, freq="D")
    eval_lo, eval_hi = d0, d1 + pd.Timedelta(days=3, hours=23)

    # -- the bundle: held out?
    system = ForecastSystem.load(model)
    tr0, tr1 = pd.Timestamp(system.info["train_start"]), pd.Timestamp(system.info["train_end"])
    overlap = not (tr1 < eval_lo or tr0 > eval_hi)
    if overlap and not args.allow_in_sample:
        sys.exit(f"refused: bundle trained {tr0} … {tr1} overlaps the evaluated period {eval_lo:%Y-%m-%d} … "
                 f"{eval_hi:%Y-%m-%d} (in-sample); use --allow-in-sample to score it anyway")
    gap = (eval_lo - tr1) if tr1 < eval_lo else (tr0 - eval_hi)

    # -- the store
    store = Store(args.db)
    if ensure_demo(store):
        print(f"(loaded the built-in Guangxi demo into the empty store {store.display_url})", file=sys.stderr)
    repo = Repository(store)
    names = city_names(repo)

    doc = S.schemes()
    scheme_names = (list(doc["schemes"]) if args.schemes == "all" else [doc["default"]] if args.schemes == "default"
                    else [s.strip() for s in args.schemes.split(",") if s.strip()])
    for s in scheme_names:
        wmodel.scheme(s, doc)   # unknown name: KeyError now, not after the run

    obs = observed_city_aqi(repo).daily   # site × day, observed daily AQI (HJ 633)
    obs_days = pd.DatetimeIndex(obs["time"].values)

    def observed(site, dd):
        try:
            return float(obs.sel(site=site, time=dd).values)
        except KeyError:
            return float("nan")

    # -- the run
    from console.forecast.report_provider import _get_service   # the service the product's forecast provider uses

    rows = []   # one per (scheme, day, city)
    issued_seen, t_start = set(), time.perf_counter()
    model_fail = []
    for k, D in enumerate(days):
        forget_answers()   # the providers memoise answers for a minute: each day asks afresh
        day = D.date()
        future = pd.date_range(D + pd.Timedelta(days=1), periods=3, freq="D")
        truth_ds = xr.Dataset({"aqi": (("site", "time"), np.array([[observed(s, f) for f in future]
                                                                   for s in obs["site"].values]))},
                              coords={"site": obs["site"].values, "time": future},
                              attrs={"source": "observed", "issued": D.isoformat()})
        res, why = run_provider("forecast", ProviderRequest("daily", day, day, day, (), "en", repo))
        if res is None:
            model_fail.append((str(day), why))
            issued = None
        else:
            issued = pd.Timestamp(res.issued)
            issued_seen.add(f"{issued:%H:%M}")
            if issued.normalize() != D or issued > D + pd.Timedelta(hours=23):
                sys.exit(f"issue day {day}: forecast issued {issued}, not on the issue day")
        fc23 = None
        if args.model_23h:
            svc = _get_service()
            f23 = svc.issue(D + pd.Timedelta(hours=23)).forecast
            dly = f23.daily
            code = {str(n).removesuffix("市"): c for c, n in names.items()}
            dly = dly.assign(site=[code.get(str(s).removesuffix("市"), str(s)) for s in dly["site"]],
                             time=pd.to_datetime(dly["date"]))
            fc23 = xr.Dataset.from_dataframe(
                dly.set_index(["site", "time"])[["aqi_p50"]].rename(columns={"aqi_p50": "aqi"}))
            fc23.attrs["source"] = "forecast:model@23h"
        for sch in scheme_names:
            m_recs, m_basis = S.recommend(repo, sch, S.MODEL, str(day))
            if not m_basis.startswith("forecast model:"):
                model_fail.append((str(day), m_basis))
            p_recs, _ = S.recommend(repo, sch, None, str(day))
            t_recs = wmodel.evaluate(truth_ds, sch, doc)
            x_recs = wmodel.evaluate(fc23, sch, doc, start=future[0]) if fc23 is not None else []
            by = lambda recs: {r.city: r for r in recs}   # noqa: E731
            m_by, p_by, x_by = by(m_recs), by(p_recs), by(x_recs)
            for t in t_recs:
                c = t.city
                o = [observed(c, f) for f in future]
                m, p, x = m_by.get(c), p_by.get(c), x_by.get(c)
                row = dict(scheme=sch, issue_day=str(day), city=c, name=names.get(c, c),
                           complete=all(math.isfinite(v) for v in o),
                           truth=t.rank, obs_d1=o[0], obs_d2=o[1], obs_d3=o[2],
                           model=m.rank if m else None, persistence=p.rank if p else None,
                           model_d1=(m.forecast_aqi[0] if m and m.forecast_days
                                     and m.forecast_days[0] == str(future[0].date()) else None),
                           model_d2=m.forecast_aqi[1] if m and len(m.forecast_aqi) > 1 else None,
                           model_d3=m.forecast_aqi[2] if m and len(m.forecast_aqi) > 2 else None,
                           persistence_d1=p.forecast_aqi[0] if p else None,
                           model_days=",".join(m.forecast_days) if m else "",
                           issued=str(issued) if issued is not None else "")
                if args.model_23h:
                    row.update(model23=x.rank if x else None, model23_d1=x.forecast_aqi[0] if x else None)
                rows.append(row)
        if (k + 1) % 20 == 0:
            print(f"  {k + 1}/{len(days)} issue days, {time.perf_counter() - t_start:.0f} s", file=sys.stderr)

    df = pd.DataFrame(rows)
    if args.csv:
        df.to_csv(args.csv, index=False, float_format="%.1f")

    # -- optional leak check: re-issue from observations cut at the issue time; the outlook must not change
    leak_lines = []
    if args.leak_check_days > 0:
        from console.forecast_service import ForecastService

        city = repo.load(kind="city")
        picks = [days[int(i)] for i in np.linspace(0, len(days) - 1, args.leak_check_days).round()]
        for D in picks:
            outs = {}
            for label, cut in (("full store", None), ("cut at D 20:00", D + pd.Timedelta(hours=20)),
                               ("cut at D-1 23:00", D - pd.Timedelta(hours=1))):
                svc = ForecastService(model_path=model)
                svc.use_city_data(city if cut is None else city.sel(time=slice(None, cut)))
                daily = svc.issue(D + pd.Timedelta(hours=20)).forecast.daily
                outs[label] = daily.set_index(["site", "date"])["aqi_p50"]
            ref = outs["full store"]
            leak_lines.append(f"| {D:%Y-%m-%d} | " + " | ".join(
                f"{float(np.nanmax(np.abs(outs[k].reindex(ref.index).to_numpy() - ref.to_numpy()))):.2g}"
                for k in ("cut at D 20:00", "cut at D-1 23:00")) + " |")

    # -- the report
    bases = [("model", "model (product path, issued D 20:00)"), ("persistence", "persistence (observed AQI of D)")]
    if args.model_23h:
        bases.append(("model23", "model issued D 23:00 (service, not product path)"))
    out = []
    P = out.append
    P(f"# Warning-level skill: {args.label or model.name}\n")
    P(f"- bundle `{model.name}` (model {system.version}), trained {tr0} … {tr1}; evaluated issue days "
      f"{d0:%Y-%m-%d} … {d1:%Y-%m-%d} ({len(days)} days), targets up to {eval_hi:%Y-%m-%d}; "
      f"{'IN-SAMPLE (overlap!)' if overlap else f'gap between training and evaluated period: {gap}'}")
    P(f"- store {store.display_url}; cities: {df['city'].nunique() if len(df) else 0}; forecast issue times seen: "
      f"{', '.join(sorted(issued_seen)) or '–'} on the issue day; model unavailable on {len(model_fail)} day(s)"
      + (f" (first: {model_fail[0]})" if model_fail else ""))
    P(f"- observed days in store: {obs_days[0]:%Y-%m-%d} … {obs_days[-1]:%Y-%m-%d}; runtime "
      f"{time.perf_counter() - t_start:.0f} s\n")
    if leak_lines:
        P("Leak check (max |Δ median daily AQI| of the D 20:00 outlook vs. the full store, when the store is cut):\n")
        P("| issue day | cut at D 20:00 | cut at D−1 23:00 |\n|---|---|---|")
        out.extend(leak_lines)
        P("")

    for sch in scheme_names:
        part = df[df["scheme"] == sch]
        ok = part[part["complete"]]
        for b, _ in bases:
            ok = ok[ok[b].notna()]
        n_drop = len(part) - len(ok)
        truth = ok["truth"].astype(int).tolist()
        P(f"## Scheme `{sch}` ({doc['schemes'][sch].get('version', '')})\n")
        P(f"City-days scored: {len(ok)} (left out: {n_drop}, observed D+1…D+3 incomplete or no recommendation). "
          f"Truth ≥ yellow: {sum(t >= 1 for t in truth)}; ≥ orange: {sum(t >= 2 for t in truth)}; "
          f"red: {sum(t >= 3 for t in truth)}.\n")
        P("| basis | exact level | ≥yellow H | M | FA | POD | FAR | CSI | ≥orange H | M | FA | POD | FAR | CSI |")
        P("|---|---|---|---|---|---|---|---|---|---|---|---|---|---|")
        for b, title in bases:
            rec = ok[b].astype(int).tolist()
            exact = sum(r == t for r, t in zip(rec, truth)) / len(rec) if rec else float("nan")
            y, o = contingency(rec, truth, 1), contingency(rec, truth, 2)
            P(f"| {title} | {fmt(exact)} | {y['hits']} | {y['misses']} | {y['false_alarms']} | {fmt(y['pod'], 2)} | "
              f"{fmt(y['far'], 2)} | {fmt(y['csi'], 2)} | {o['hits']} | {o['misses']} | {o['false_alarms']} | "
              f"{fmt(o['pod'], 2)} | {fmt(o['far'], 2)} | {fmt(o['csi'], 2)} |")
        P("")
        for b, title in bases:
            cm = confusion(ok[b].astype(int).tolist(), truth)
            P(f"Confusion, {title} (rows: recommended, columns: truth):\n")
            P("| rec \\ truth | " + " | ".join(LEVELS) + " |\n|---|---|---|---|---|")
            for i, lv in enumerate(LEVELS):
                P(f"| {lv} | " + " | ".join(str(v) for v in cm[i]) + " |")
            P("")
        flag = ok[(ok["truth"] >= 1) | (ok["model"] >= 1) | (ok["persistence"] >= 1)
                  | ((ok["model23"] >= 1) if "model23" in ok else False)]
        P(f"City-days with truth or any recommendation ≥ yellow ({len(flag)}):\n")
        cols = ["issue day", "city", "truth", "model", "persistence"] + (["model@23h"] if args.model_23h else []) + \
               ["obs D+1..3", "model D+1..3", "persist."]
        P("| " + " | ".join(cols) + " |\n|" + "---|" * len(cols))
        for _, r in flag.iterrows():
            cells = [r["issue_day"], f"{r['name']} ({r['city']})", LEVELS[int(r["truth"])], LEVELS[int(r["model"])],
                     LEVELS[int(r["persistence"])]]
            if args.model_23h:
                cells.append(LEVELS[int(r["model23"])])
            cells += ["/".join(f"{v:.0f}" for v in (r["obs_d1"], r["obs_d2"], r["obs_d3"])),
                      "/".join(fmt(v, 0) for v in (r["model_d1"], r["model_d2"], r["model_d3"])),
                      fmt(r["persistence_d1"], 0)]
            P("| " + " | ".join(str(c) for c in cells) + " |")
        P("")

    # -- daily AQI accuracy (independent of the scheme)
    first = df[df["scheme"] == scheme_names[0]]
    P("## Median daily AQI vs observed daily AQI\n")
    P("| basis | lead | n | RMSE | bias (fc−obs) |\n|---|---|---|---|---|")
    acc = [("model (D 20:00, product)", "model", ("model_d1", "model_d2", "model_d3")),
           ("persistence", "persistence", ("persistence_d1", "persistence_d1", "persistence_d1"))]
    if args.model_23h:
        acc.append(("model D 23:00", "model23", ("model23_d1",)))
    for title, _, cols in acc:
        for lead, col in enumerate(cols, 1):
            pr = first[col].astype(float).tolist()
            ob = first[f"obs_d{lead}"].astype(float).tolist()
            e, n = rmse(pr, ob)
            bias = np.nanmean(np.array(pr, float) - np.array(ob, float))
            P(f"| {title} | D+{lead} | {n} | {fmt(e, 1)} | {fmt(float(bias), 1)} |")
    P("")
    print("\n".join(out))
    return 0


if __name__ == "__main__":
    sys.exit(main())
