"""Writing loads into the store (one transaction each) and reading any subset back as xarray."""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime, timezone
from importlib import resources
from pathlib import Path
from typing import Callable, Iterable, Sequence

import numpy as np
import pandas as pd
import xarray as xr
from sqlalchemy import func, select, text

from console.errors import LantianError, RowProblem
from console.ingest.common import UNITS, ReadResult, SiteInfo, annotate
from console.store.db import Store
from console.store.schema import FLAG_CORRECTED, City, Dataset, IngestLog, ObservationBlock, Region, Station, Variable

BEIJING_OFFSET = np.timedelta64(8, "h")
CHUNK = 50_000


@dataclass
class IngestReport:
    """Outcome of loading one file."""

    path: str
    format: str
    dataset_id: int | None
    skipped: bool = False
    rows_read: int = 0
    rows_rejected: int = 0
    values_new: int = 0
    values_changed: int = 0
    problems: list[RowProblem] = field(default_factory=list)

    @property
    def summary(self) -> str:
        """One human line."""
        if self.skipped:
            return f"{self.path}: already loaded (dataset {self.dataset_id}); nothing changed"
        return (f"{self.path} [{self.format}]: {self.rows_read} rows read, {self.rows_rejected} rejected, "
                f"{self.values_new} new values, {self.values_changed} changed, {len(self.problems)} problems")


def day_and_hour(times: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Beijing-time labels → (days since 1970-01-01, hour of day)."""
    h = np.asarray(times, dtype="datetime64[h]").astype(np.int64)
    return h // 24, h % 24


def from_day_hour(day: np.ndarray, hour: np.ndarray | int = 0) -> np.ndarray:
    """Inverse of :func:`day_and_hour` → naive Beijing datetime64[ns]."""
    return (np.asarray(day, dtype=np.int64) * 24 + hour).astype("datetime64[h]").astype("datetime64[ns]")


class Repository:
    """Data access for observations, sites and loads on a :class:`Store`."""

    def __init__(self, store: Store):
        self.store = store

    # ------------------------------------------------------------------ reference data
    def ensure_reference(self) -> None:
        """Regions and cities from resources/reference/cities.json (idempotent)."""
        doc = json.loads(resources.files("resources.reference").joinpath("cities.json").read_text(encoding="utf-8"))
        with self.store.session.begin() as s:
            regions = {r.code: r for r in s.scalars(select(Region))}
            for r in doc["regions"]:
                if r["code"] not in regions:
                    regions[r["code"]] = Region(code=r["code"], name_zh=r["name_zh"], name_en=r["name_en"])
                    s.add(regions[r["code"]])
            s.flush()
            cities = set(s.scalars(select(City.code)))
            for c in doc["cities"]:
                if c["code"] not in cities:
                    s.add(City(code=c["code"], name_zh=c["name_zh"], short_zh=c["short_zh"], name_en=c["name_en"],
                               region_id=regions[c["province_code"]].id, lon=c["lon"], lat=c["lat"],
                               in_focus=bool(c.get("in_focus"))))

    def _upsert_sites(self, s, sites: Iterable[SiteInfo]) -> dict[str, int]:
        city_ids = dict(s.execute(select(City.code, City.id)).all())
        existing = {st.code: st for st in s.scalars(select(Station))}
        for info in sites:
            st = existing.get(info.code)
            if st is None:
                st = Station(code=info.code, kind=info.kind, name_zh=info.name_zh or info.code,
                             name_en=info.name_en or "", background=info.background)
                s.add(st)
                existing[info.code] = st
            # fill in what this file knows better, never erase what is known
            if info.name_zh and (not st.name_zh or st.name_zh == st.code):
                st.name_zh = info.name_zh
            if info.name_en and not st.name_en:
                st.name_en = info.name_en
            if info.lon is not None and info.lat is not None:
                st.lon, st.lat = info.lon, info.lat
            if info.city_code and info.city_code in city_ids:
                st.city_id = city_ids[info.city_code]
            if info.background:
                st.background = True
        s.flush()
        return {code: st.id for code, st in existing.items()}

    def _variable_ids(self, s, names: Iterable[str]) -> dict[str, int]:
        have = dict(s.execute(select(Variable.code, Variable.id)).all())
        for n in names:
            if n not in have:
                v = Variable(code=n, unit=UNITS.get(n.split("_")[0], ""), long_name=n)
                s.add(v)
                s.flush()
                have[n] = v.id
        return have

    # ------------------------------------------------------------------ loading
    def find_loaded(self, sha256: str) -> int | None:
        """Dataset id of an earlier load of the same bytes, if any."""
        with self.store.session() as s:
            return s.scalar(select(Dataset.id).where(Dataset.sha256 == sha256).limit(1))

    def ingest(self, result: ReadResult, source: str = "file",
               progress: Callable[[int, int], None] | None = None) -> IngestReport:
        """Write one read file into the store in a single transaction (all or nothing).

        The same bytes loaded twice change nothing; a newer file that corrects values updates them
        (flagged *corrected*); missing hours are never written, so gaps stay missing.
        """
        report = IngestReport(result.path, result.format, None, rows_read=result.rows_read,
                              rows_rejected=result.rows_rejected, problems=list(result.problems))
        earlier = self.find_loaded(result.sha256) if result.sha256 else None
        if earlier is not None:
            report.dataset_id, report.skipped = earlier, True
            return report
        self.ensure_reference()
        ds = result.dataset
        with self.store.session.begin() as s:
            site_ids = self._upsert_sites(s, result.sites.values())
            path = Path(result.path)
            times = ds["time"].values if "time" in ds.coords and ds.sizes.get("time", 0) else np.array([], "datetime64[ns]")
            dset = Dataset(path=str(path.resolve()) if path.exists() else str(path), format=result.format,
                           sha256=result.sha256, size_bytes=path.stat().st_size if path.exists() else 0,
                           encoding=result.encoding, rows_read=result.rows_read, rows_rejected=result.rows_rejected,
                           problems=len(result.problems), loaded_at=datetime.now(timezone.utc).replace(tzinfo=None),
                           first_time=pd.Timestamp(times.min()).to_pydatetime() if len(times) else None,
                           last_time=pd.Timestamp(times.max()).to_pydatetime() if len(times) else None,
                           source=source)
            s.add(dset)
            s.flush()
            report.dataset_id = dset.id
            if not result.stations_only and len(times):
                var_ids = self._variable_ids(s, list(ds.data_vars))
                new, changed = self._write_blocks(s, ds, site_ids, var_ids, dset.id, progress)
                report.values_new, report.values_changed = new, changed
                dset.values_new, dset.values_changed = new, changed
            if result.problems:
                s.execute(IngestLog.__table__.insert(), [
                    dict(dataset_id=dset.id, path=p.path, line=p.line, field=p.field, value=p.value, reason=p.reason,
                         severity=p.severity) for p in result.problems])
        return report

    def _write_blocks(self, s, ds: xr.Dataset, site_ids: dict[str, int], var_ids: dict[str, int], dataset_id: int,
                      progress) -> tuple[int, int]:
        """Merge a site × time Dataset into the day blocks; returns (new values, changed values)."""
        ds = ds.transpose("site", "time")
        st = np.array([site_ids[str(c)] for c in ds["site"].values], dtype=np.int64)
        day, hour = day_and_hour(ds["time"].values)
        d0, d1 = int(day.min()), int(day.max())
        nd = d1 - d0 + 1
        conn = s.connection()
        sql_in = ",".join(str(int(x)) for x in st)
        new_total = changed_total = 0
        names = list(ds.data_vars)
        for k, name in enumerate(names):
            vid = var_ids[name]
            grid = np.full((len(st), nd, 24), np.nan)
            grid[:, day - d0, hour] = np.asarray(ds[name].values, dtype=float)
            have = ~np.isnan(grid)
            if not have.any():
                continue
            old = np.full_like(grid, np.nan)
            oflags = np.zeros(grid.shape, dtype=np.uint8)
            exists = np.zeros((len(st), nd), dtype=bool)
            pos = {int(x): i for i, x in enumerate(st)}
            rows = conn.execute(text(f"SELECT station_id, day, vals, flags FROM observation_block WHERE variable_id = :v "
                                     f"AND day BETWEEN :a AND :b AND station_id IN ({sql_in})"),
                                {"v": vid, "a": d0, "b": d1}).all()
            for sid, dd, vals, fl in rows:
                i, j = pos[int(sid)], int(dd) - d0
                old[i, j] = np.frombuffer(vals, dtype="<f8")
                oflags[i, j] = np.frombuffer(fl, dtype=np.uint8)
                exists[i, j] = True
            is_new = have & np.isnan(old)
            is_changed = have & ~np.isnan(old) & (grid != old)
            merged = np.where(have, grid, old)
            flags = oflags | (is_changed.astype(np.uint8) * FLAG_CORRECTED)
            touched = (is_new | is_changed).any(axis=2)
            ii, jj = np.nonzero(touched)
            vals_rows = np.ascontiguousarray(merged[ii, jj].astype("<f8"))
            flag_rows = np.ascontiguousarray(flags[ii, jj])
            sid, dday, ex = st[ii].tolist(), (d0 + jj).tolist(), exists[ii, jj]
            rows_ = [(sid[k], vid, dday[k], vals_rows[k].tobytes(), flag_rows[k].tobytes(), dataset_id)
                     for k in range(len(ii))]
            self._execute_many(conn, "INSERT INTO observation_block (station_id, variable_id, day, vals, flags, dataset_id) "
                                     "VALUES ({p}, {p}, {p}, {p}, {p}, {p})", [r for r, e in zip(rows_, ex) if not e])
            self._execute_many(conn, "UPDATE observation_block SET vals = {p}, flags = {p}, dataset_id = {p} "
                                     "WHERE station_id = {p} AND variable_id = {p} AND day = {p}",
                               [(r[3], r[4], r[5], r[0], r[1], r[2]) for r, e in zip(rows_, ex) if e])
            new_total += int(is_new.sum())
            changed_total += int(is_changed.sum())
            if progress:
                progress(k + 1, len(names))
        return new_total, changed_total

    def _execute_many(self, conn, sql: str, rows: list[tuple]) -> None:
        """executemany on the raw DBAPI cursor of the session's connection (same transaction).

        SQLAlchemy's per-row parameter handling costs more than the database work for bulk loads.
        """
        if not rows:
            return
        dbapi = conn.connection.driver_connection
        if self.store.dialect == "sqlite":
            dbapi.executemany(sql.format(p="?"), rows)
        else:
            import psycopg2

            with dbapi.cursor() as cur:
                cur.executemany(sql.format(p="%s"),
                                [tuple(psycopg2.Binary(x) if isinstance(x, bytes) else x for x in r) for r in rows])

    # ------------------------------------------------------------------ reading
    def sites(self, kind: str | None = None) -> pd.DataFrame:
        """All sites with names, city and coordinates."""
        with self.store.session() as s:
            q = select(Station.code, Station.kind, Station.name_zh, Station.name_en, Station.lon, Station.lat,
                       Station.background, City.code.label("city_code"), City.name_zh.label("city_zh"),
                       City.name_en.label("city_en")).outerjoin(City, Station.city_id == City.id)
            if kind:
                q = q.where(Station.kind == kind)
            return pd.DataFrame(s.execute(q.order_by(Station.code)).all(),
                                columns=["code", "kind", "name_zh", "name_en", "lon", "lat", "background",
                                         "city_code", "city_zh", "city_en"])

    def cities(self, focus_only: bool = False) -> pd.DataFrame:
        """Known cities (code, names, centre)."""
        with self.store.session() as s:
            q = select(City.code, City.name_zh, City.short_zh, City.name_en, City.lon, City.lat, City.in_focus)
            if focus_only:
                q = q.where(City.in_focus.is_(True))
            return pd.DataFrame(s.execute(q.order_by(City.code)).all(),
                                columns=["code", "name_zh", "short_zh", "name_en", "lon", "lat", "in_focus"])

    def time_range(self, kind: str | None = None) -> tuple[pd.Timestamp, pd.Timestamp] | None:
        """First and last hour (Beijing) with any observation."""
        with self.store.session() as s:
            q = select(func.min(ObservationBlock.day), func.max(ObservationBlock.day))
            if kind:
                q = q.join(Station, Station.id == ObservationBlock.station_id).where(Station.kind == kind)
            a, b = s.execute(q).one()
            if a is None:
                return None
            ends = []
            for d in (a, b):
                qq = select(ObservationBlock.vals).where(ObservationBlock.day == d)
                if kind:
                    qq = qq.join(Station, Station.id == ObservationBlock.station_id).where(Station.kind == kind)
                hours = [np.flatnonzero(~np.isnan(np.frombuffer(v, "<f8"))) for v in s.scalars(qq)]
                hours = [h for h in hours if len(h)]
                ends.append(min(h[0] for h in hours) if d == a else max(h[-1] for h in hours))
        return pd.Timestamp(from_day_hour(a, ends[0])), pd.Timestamp(from_day_hour(b, ends[1]))

    def load(self, sites: Sequence[str] | None = None, variables: Sequence[str] | None = None,
             start: str | pd.Timestamp | None = None, end: str | pd.Timestamp | None = None,
             kind: str | None = None, flags: bool = False) -> xr.Dataset:
        """Any subset as an ``xarray.Dataset`` (site × time, regular hourly, Beijing time, CF attributes).

        ``sites`` are site codes or Chinese/English names; ``start``/``end`` are inclusive Beijing times.
        Hours with no value are NaN (gaps stay missing).  ``flags=True`` adds ``<var>_flag`` variables.
        """
        with self.store.session() as s:
            st_q = select(Station.id, Station.code, Station.name_zh, Station.name_en, Station.lon, Station.lat,
                          Station.kind, City.name_zh).outerjoin(City, Station.city_id == City.id)
            if kind:
                st_q = st_q.where(Station.kind == kind)
            st_rows = s.execute(st_q.order_by(Station.code)).all()
            if sites is not None:
                want = {str(x) for x in sites}
                st_rows = [r for r in st_rows if {r[1], r[2], r[3]} & want]
                found = {r[1] for r in st_rows} | {r[2] for r in st_rows} | {r[3] for r in st_rows}
                unknown = sorted(want - found)
                if unknown:
                    raise LantianError(f"unknown site(s): {', '.join(unknown)}")
            var_rows = s.execute(select(Variable.id, Variable.code, Variable.unit).order_by(Variable.id)).all()
            if variables is not None:
                known = {r[1] for r in var_rows}
                missing = [v for v in variables if v not in known]
                if missing:
                    raise LantianError(f"unknown variable(s): {', '.join(missing)} (known: {', '.join(sorted(known))})")
                order = {v: i for i, v in enumerate(variables)}
                var_rows = sorted([r for r in var_rows if r[1] in order], key=lambda r: order[r[1]])
            conds, params = [], {}
            if start is not None:
                conds.append("day >= :a")
                params["a"] = int(day_and_hour(np.array([pd.Timestamp(start).to_datetime64()]))[0][0])
            if end is not None:
                conds.append("day <= :b")
                params["b"] = int(day_and_hour(np.array([pd.Timestamp(end).to_datetime64()]))[0][0])
            if st_rows and var_rows:
                conds.append(f"station_id IN ({','.join(str(r[0]) for r in st_rows)})")
                conds.append(f"variable_id IN ({','.join(str(r[0]) for r in var_rows)})")
                blocks = s.execute(text("SELECT station_id, variable_id, day, vals, flags FROM observation_block WHERE "
                                        + " AND ".join(conds)), params).all()
            else:
                blocks = []
        days = np.array([b[2] for b in blocks], dtype=np.int64)
        if start is not None:
            t0 = pd.Timestamp(start)
        elif len(days):
            t0 = pd.Timestamp(from_day_hour(days.min()))
        else:
            t0 = None
        if end is not None:
            t1 = pd.Timestamp(end)
        elif len(days):
            t1 = pd.Timestamp(from_day_hour(days.max(), 23))
        else:
            t1 = None
        times = pd.date_range(t0.ceil("h"), t1.floor("h"), freq="h") if t0 is not None and t1 >= t0 else pd.DatetimeIndex([])
        site_pos = {r[0]: i for i, r in enumerate(st_rows)}
        code_of = {r[0]: r[1] for r in var_rows}
        first_day = int(day_and_hour(times.values[:1])[0][0]) if len(times) else 0
        h0 = int(day_and_hour(times.values[:1])[1][0]) if len(times) else 0
        ndays = (len(times) + h0 + 23) // 24 + 1
        grids = {code: np.full((len(st_rows), ndays * 24), np.nan) for _, code, _ in var_rows}
        fgrids = {code: np.zeros((len(st_rows), ndays * 24), dtype=np.int16) for _, code, _ in var_rows} if flags else {}
        for sid, vid, dd, vals, fl in blocks:
            off = (int(dd) - first_day) * 24
            if off < 0 or off >= ndays * 24:
                continue
            grids[code_of[vid]][site_pos[sid], off:off + 24] = np.frombuffer(vals, "<f8")
            if flags:
                fgrids[code_of[vid]][site_pos[sid], off:off + 24] = np.frombuffer(fl, np.uint8)
        data = {}
        for _, code, _ in var_rows:
            data[code] = grids[code][:, h0:h0 + len(times)]
            if flags:
                data[f"{code}_flag"] = fgrids[code][:, h0:h0 + len(times)]
        ds = xr.Dataset({k: (("site", "time"), v) for k, v in data.items()},
                        coords={"site": np.array([r[1] for r in st_rows], dtype=object), "time": times.values,
                                "name_zh": ("site", np.array([r[2] for r in st_rows], dtype=object)),
                                "name_en": ("site", np.array([r[3] for r in st_rows], dtype=object)),
                                "lon": ("site", np.array([np.nan if r[4] is None else r[4] for r in st_rows], float)),
                                "lat": ("site", np.array([np.nan if r[5] is None else r[5] for r in st_rows], float)),
                                "kind": ("site", np.array([r[6] for r in st_rows], dtype=object)),
                                "city": ("site", np.array([r[7] or "" for r in st_rows], dtype=object))})
        for vid, code, unit in var_rows:
            ds[code].attrs.update(units=unit, long_name=code)
        ds["lon"].attrs.update(units="degrees_east", standard_name="longitude")
        ds["lat"].attrs.update(units="degrees_north", standard_name="latitude")
        ds.attrs.update(source=f"Lantian store {self.store.display_url}")
        return annotate(ds)

    def datasets(self) -> pd.DataFrame:
        """All loads, newest first."""
        with self.store.session() as s:
            rows = s.execute(select(Dataset.id, Dataset.format, Dataset.path, Dataset.loaded_at, Dataset.rows_read,
                                    Dataset.rows_rejected, Dataset.values_new, Dataset.values_changed,
                                    Dataset.first_time, Dataset.last_time, Dataset.source)
                             .order_by(Dataset.id.desc())).all()
        return pd.DataFrame(rows, columns=["id", "format", "path", "loaded_at", "rows_read", "rows_rejected",
                                           "values_new", "values_changed", "first_time", "last_time", "source"])

    def ingest_log(self, dataset_id: int | None = None) -> pd.DataFrame:
        """Rejected rows and warnings (of one load, or of all)."""
        with self.store.session() as s:
            q = select(IngestLog.dataset_id, IngestLog.path, IngestLog.line, IngestLog.field, IngestLog.value,
                       IngestLog.reason, IngestLog.severity).order_by(IngestLog.id)
            if dataset_id is not None:
                q = q.where(IngestLog.dataset_id == dataset_id)
            return pd.DataFrame(s.execute(q).all(),
                                columns=["dataset_id", "path", "line", "field", "value", "reason", "severity"])

    def counts(self) -> dict[str, int]:
        """Row counts of the main tables."""
        with self.store.session() as s:
            return {name: int(s.scalar(select(func.count()).select_from(tbl)))
                    for name, tbl in (("stations", Station), ("cities", City), ("variables", Variable),
                                      ("datasets", Dataset), ("observation_blocks", ObservationBlock),
                                      ("ingest_log", IngestLog))}
