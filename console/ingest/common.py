"""Shared machinery of the file readers: decoding, CSV parsing with row-level problems, units, time."""
from __future__ import annotations

import csv
import hashlib
import io
import json
import re
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources
from pathlib import Path

import numpy as np
import pandas as pd
import xarray as xr

from console.errors import InputError, RowProblem

POLLUTANTS = ("SO2", "NO2", "PM10", "PM2.5", "CO", "O3")
#: canonical units of every variable the store knows (CO in mg/m³ as the national network publishes)
UNITS = {"SO2": "ug/m3", "NO2": "ug/m3", "PM10": "ug/m3", "PM2.5": "ug/m3", "O3": "ug/m3", "CO": "mg/m3",
         "TEMP": "degC", "DEWP": "degC", "PRES": "hPa", "RAIN": "mm", "WS": "m/s", "WD": "degree", "RH": "%",
         "AQI": "1"}
TIMEZONE = "Asia/Shanghai"
UTC_OFFSET_HOURS = 8


@dataclass
class SiteInfo:
    """Descriptive metadata of one site (a monitoring station or a city-level aggregate)."""

    code: str
    kind: str  # station | city | user
    name_zh: str = ""
    name_en: str = ""
    city_code: str | None = None
    city_zh: str = ""
    lon: float | None = None
    lat: float | None = None
    background: bool = False


@dataclass
class ReadResult:
    """What a reader made of one file: a site × time Dataset plus everything it had to reject."""

    path: str
    format: str
    dataset: xr.Dataset
    sites: dict[str, SiteInfo]
    problems: list[RowProblem] = field(default_factory=list)
    rows_read: int = 0
    rows_rejected: int = 0
    encoding: str = "utf-8"
    sha256: str = ""
    stations_only: bool = False  # a station list: metadata, no observations

    @property
    def n_values(self) -> int:
        """Number of non-missing observation values."""
        return int(sum(int(v.notnull().sum()) for v in self.dataset.data_vars.values()))


# ------------------------------------------------------------------ files and text

def file_sha256(path: Path) -> str:
    """Checksum that identifies a loaded file (re-loading the same bytes changes nothing)."""
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def read_text(path: Path) -> tuple[str, str]:
    """Decode a text file: UTF-8 (with or without BOM), else GB18030/GBK (common for Chinese exports).

    Binary files (NUL bytes) are refused with a clear message.
    """
    raw = path.read_bytes() if path.suffix != ".gz" else _gunzip(path)
    if b"\x00" in raw[:4096]:
        raise InputError(path, "binary file, not a text/CSV file (is it NetCDF, Excel or an archive?)")
    for enc in ("utf-8-sig", "gb18030"):
        try:
            return raw.decode(enc), ("utf-8" if enc == "utf-8-sig" else "gbk")
        except UnicodeDecodeError:
            continue
    raise InputError(path, "cannot decode the file as UTF-8 or GBK text")


def _gunzip(path: Path) -> bytes:
    import gzip

    try:
        with gzip.open(path, "rb") as fh:
            return fh.read()
    except (OSError, EOFError) as exc:
        raise InputError(path, f"damaged gzip file ({exc})") from None


def sniff_delimiter(header: str) -> str:
    """Tab if the header is tab separated, otherwise comma."""
    return "\t" if header.count("\t") > header.count(",") else ","


def first_line(text: str) -> str:
    """The header line, without copying the rest of a large text."""
    end = text.find("\n")
    return text if end < 0 else text[:end]


@dataclass
class Table:
    """A parsed CSV: string cells plus the 1-based file line of each row."""

    header: list[str]
    frame: pd.DataFrame  # all str
    lines: np.ndarray
    problems: list[RowProblem]


def parse_csv(path: Path, text: str, required: list[str] | None = None, delimiter: str | None = None,
              text_columns: tuple[str, ...] = ()) -> Table:
    """Parse CSV text strictly: every row keeps its file line number; short/long rows are reported.

    Numeric columns are parsed by pandas' C parser (fast path); a column holding a non-numeric cell
    stays text and is checked cell by cell in :func:`to_numbers`.  Rows with too few fields (a
    truncated file) or too many are rejected with a problem each, never padded silently.  Fully
    empty rows (trailing blank lines) are ignored.
    """
    import warnings

    header_line = first_line(text)
    if not header_line.strip():
        raise InputError(path, "empty file (no header line)", line=1)
    delim = delimiter or sniff_delimiter(header_line)
    problems: list[RowProblem] = []
    header_cols = [c.strip().strip('"') for c in header_line.rstrip("\r").split(delim)]
    dtypes = {c: str for c in header_cols if c in text_columns}
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            frame = pd.read_csv(io.StringIO(text), sep=delim, dtype=dtypes or None, keep_default_na=False,
                                na_values=[""], skip_blank_lines=False, on_bad_lines="warn", engine="c",
                                skipinitialspace=True, low_memory=False)
        except (pd.errors.ParserError, csv.Error, ValueError) as exc:
            raise InputError(path, f"unparseable CSV ({exc})") from None
    header = [str(h).strip() for h in frame.columns]
    frame.columns = header
    if required:
        missing = [c for c in required if c not in header]
        if missing:
            raise InputError(path, f"header lacks column(s) {', '.join(missing)}; found: {', '.join(header[:12])}"
                                   + (" …" if len(header) > 12 else ""), line=1)
    n = len(header)
    lines = np.arange(len(frame), dtype=np.int64) + 2  # data row i sits on file line i + 2
    for w in caught:
        for m in re.finditer(r"Skipping line (\d+): expected (\d+) fields, saw (\d+)", str(w.message)):
            problems.append(RowProblem(str(path), int(m.group(1)), None, None,
                                       f"row has {m.group(3)} fields, header has {m.group(2)}"))
    if any("Skipping line" in str(w.message) for w in caught):
        lines = _line_numbers_after_skips(lines, problems)
    fields, blank = _field_counts(text, delim, n, len(frame), skipped={p.line for p in problems})
    short = (fields < n) & ~blank
    if short.any():
        ends_cleanly = text.endswith("\n") or text.endswith("\r")
        last = len(frame) - 1 - int(np.argmax(~blank[::-1])) if (~blank).any() else -1
        for i in np.flatnonzero(short):
            reason = (f"truncated row: {fields[i]} of {n} fields (the file ends mid-row)" if i == last and not ends_cleanly
                      else f"row has {fields[i]} fields, header has {n}")
            problems.append(RowProblem(str(path), int(lines[i]), None, None, reason))
    keep = ~(blank | short)
    if not keep.all():
        frame, lines = frame.loc[keep].reset_index(drop=True), lines[keep]
    return Table(header, frame, lines, problems)


def _field_counts(text: str, delim: str, n: int, nrows: int, skipped: set[int]) -> tuple[np.ndarray, np.ndarray]:
    """Fields per parsed row and blank-row mask.

    Fast path: when no quotes are present and the delimiter count equals (n-1) × non-blank lines with
    nothing skipped, every row is complete; otherwise count per line.
    """
    if '"' not in text and not skipped and "\n\n" not in text:
        # count without copying the text: data lines and delimiters after the header
        newlines = text.count("\n")
        nlines = newlines if not text.endswith("\n") else newlines - 1
        if nlines == nrows and text.count(delim) - (n - 1) == (n - 1) * nrows:
            return np.full(nrows, n), np.zeros(nrows, dtype=bool)
    raw_lines = pd.Series(text.splitlines()[1:], dtype=object)
    raw_lines = raw_lines[~raw_lines.index.isin([ln - 2 for ln in skipped])].reset_index(drop=True)
    fields = raw_lines.str.replace(r'"[^"]*"', "", regex=True).str.count(re.escape(delim)).to_numpy() + 1
    blank = (raw_lines.str.strip() == "").to_numpy()
    return fields[:nrows], blank[:nrows]


def _line_numbers_after_skips(lines: np.ndarray, problems: list[RowProblem]) -> np.ndarray:
    """Shift row→line numbers past the lines pandas skipped for having too many fields."""
    skipped = sorted(p.line for p in problems)
    out = lines.copy()
    for s in skipped:
        out[out >= s] += 1
    return out


def to_numbers(path: Path, table: Table, column: str, *, allow_negative: bool = False,
               na_tokens: tuple[str, ...] = ("", "NA", "NaN", "nan", "-", "—", "null", "NULL", "None")) -> np.ndarray:
    """Convert one column to floats; bad cells become NaN and are reported with line and column."""
    col = table.frame[column]
    if pd.api.types.is_numeric_dtype(col.dtype):
        num = col.to_numpy(dtype=float, copy=True)
        raw = None
    else:
        raw = col.to_numpy(dtype=object)
        cells = pd.Series(raw, dtype=object).astype(str).str.strip()
        is_na = (cells.isin(na_tokens) | col.isna()).to_numpy()
        num = pd.to_numeric(cells.where(~is_na), errors="coerce").to_numpy(dtype=float, copy=True)
        for i in np.flatnonzero(np.isnan(num) & ~is_na):
            table.problems.append(RowProblem(str(path), int(table.lines[i]), column, cells.iloc[i], "not a number"))
    if not allow_negative:
        neg = np.flatnonzero(num < 0)
        for i in neg:
            table.problems.append(RowProblem(str(path), int(table.lines[i]), column,
                                             str(num[i] if raw is None else raw[i]), "negative concentration"))
        num[neg] = np.nan
    inf = np.flatnonzero(np.isinf(num))
    for i in inf:
        table.problems.append(RowProblem(str(path), int(table.lines[i]), column, str(num[i]), "not a finite number"))
    num[inf] = np.nan
    return num


def _factorized(values: pd.Series, parse) -> np.ndarray:
    """Apply ``parse`` to the distinct values only (dates, names repeat thousands of times)."""
    codes, uniques = pd.factorize(values, use_na_sentinel=False)
    return np.asarray(parse(pd.Series(uniques, dtype=object)))[codes]


def stripped_text(table: Table, column: str) -> np.ndarray:
    """A text column with surrounding blanks removed (computed on distinct values)."""
    return _factorized(table.frame[column], lambda u: u.astype(str).str.strip().to_numpy(dtype=object))


def parse_hours(path: Path, table: Table, date_col: str, hour_col: str) -> np.ndarray:
    """National layout: ``date`` YYYYMMDD + ``hour`` 0..23 → datetime64 (Beijing, hour-ending); NaT if invalid."""
    def parse_day(u: pd.Series) -> np.ndarray:
        txt = u.astype(str).str.strip().str.replace(r"\.0$", "", regex=True)
        return pd.to_datetime(txt, format="%Y%m%d", errors="coerce").to_numpy(dtype="datetime64[ns]")

    def parse_hour(u: pd.Series) -> np.ndarray:
        h = pd.to_numeric(u.astype(str).str.strip(), errors="coerce").to_numpy(dtype=float)
        return np.where((h >= 0) & (h <= 23) & (h % 1 == 0), h, np.nan)

    day = _factorized(table.frame[date_col], parse_day)
    h = _factorized(table.frame[hour_col], parse_hour)
    bad_day = np.isnat(day)
    bad_hour = np.isnan(h)
    for i in np.flatnonzero(bad_day):
        table.problems.append(RowProblem(str(path), int(table.lines[i]), date_col, str(table.frame[date_col].iloc[i]),
                                         "impossible date (expected YYYYMMDD)"))
    for i in np.flatnonzero(bad_hour & ~bad_day):
        table.problems.append(RowProblem(str(path), int(table.lines[i]), hour_col, str(table.frame[hour_col].iloc[i]),
                                         "impossible hour (expected 0..23)"))
    t = day + (np.where(bad_hour, 0, h) * 3600).astype("timedelta64[s]")
    t[bad_hour] = np.datetime64("NaT")
    return t.astype("datetime64[ns]")


def parse_timestamps(path: Path, table: Table, column: str, fmt: str | None = None) -> np.ndarray:
    """A single timestamp column (ISO 8601 or ``fmt``) → naive Beijing datetime64; invalid → NaT + problem."""
    s = table.frame[column].astype(str).str.strip()
    t = pd.to_datetime(s, format=fmt, errors="coerce") if fmt else pd.to_datetime(s, format="ISO8601", errors="coerce")
    if getattr(t.dt, "tz", None) is not None:
        t = t.dt.tz_convert(TIMEZONE).dt.tz_localize(None)
    bad = t.isna().to_numpy()
    for i in np.flatnonzero(bad):
        table.problems.append(RowProblem(str(path), int(table.lines[i]), column, s.iloc[i], "impossible or unreadable time"))
    return t.to_numpy().astype("datetime64[ns]")


# ------------------------------------------------------------------ reference data

@lru_cache(maxsize=None)
def city_table() -> dict[str, dict]:
    """Known cities keyed by every name form (全称, 简称, English, adcode)."""
    doc = json.loads(resources.files("resources.reference").joinpath("cities.json").read_text(encoding="utf-8"))
    out: dict[str, dict] = {}
    for c in doc["cities"]:
        for key in (c["code"], c["name_zh"], c["short_zh"], c["name_en"], c["name_en"].lower()):
            out[key] = c
    return out


def city_site(name: str) -> SiteInfo:
    """SiteInfo of a city-level aggregate; unknown cities keep their name as code."""
    c = city_table().get(name.strip())
    if c is None:
        return SiteInfo(code=name.strip(), kind="city", name_zh=name.strip(), city_zh=name.strip())
    return SiteInfo(code=c["code"], kind="city", name_zh=c["name_zh"], name_en=c["name_en"], city_code=c["code"],
                    city_zh=c["name_zh"], lon=c["lon"], lat=c["lat"])


# ------------------------------------------------------------------ assembling datasets

def long_to_dataset(site: np.ndarray, time: np.ndarray, values: dict[str, np.ndarray],
                    path: Path, table: Table | None = None) -> xr.Dataset:
    """Scatter long rows into a site × time Dataset; duplicated site-hours keep the last row (reported)."""
    ok = ~pd.isna(time)
    site, time = site[ok], np.asarray(time[ok], dtype="datetime64[ns]")
    lines = table.lines[ok] if table is not None else None
    s_idx, s_codes = pd.factorize(site.astype(str), sort=True)
    s_codes = np.asarray(s_codes)
    t_codes, t_idx = np.unique(time, return_inverse=True)
    key = s_idx.astype(np.int64) * max(len(t_codes), 1) + t_idx
    order = np.arange(len(key))
    # last occurrence of each key wins; earlier duplicates are reported
    _, last_pos = np.unique(key[::-1], return_index=True)
    keep = np.zeros(len(key), dtype=bool)
    keep[len(key) - 1 - last_pos] = True
    if table is not None and not keep.all():
        for i in order[~keep]:
            table.problems.append(RowProblem(str(path), int(lines[i]), None, None,
                                             f"duplicate of a later row for {site[i]} at {pd.Timestamp(time[i])}; "
                                             "later row kept", severity="warning"))
    data = {}
    for name, v in values.items():
        arr = np.full((len(s_codes), len(t_codes)), np.nan)
        arr[s_idx[keep], t_idx[keep]] = np.asarray(v, dtype=float)[ok][keep]
        data[name] = (("site", "time"), arr)
    ds = xr.Dataset(data, coords={"site": s_codes.astype(object), "time": t_codes})
    return annotate(ds)


def annotate(ds: xr.Dataset) -> xr.Dataset:
    """CF-style attributes: units, long names, time zone and labelling convention."""
    for name, var in ds.data_vars.items():
        base = name.split("_")[0]
        if base in UNITS:
            var.attrs.setdefault("units", UNITS[base])
        var.attrs.setdefault("long_name", name)
    if "time" in ds.coords:
        ds["time"].attrs.update(long_name="end of the averaging hour (hour-ending label)",
                                time_zone=TIMEZONE, utc_offset="+08:00")
    ds.attrs.setdefault("Conventions", "CF-1.8")
    return ds
