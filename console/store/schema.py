"""SQLAlchemy 2 models of the store.

Observations are keyed by site × variable × hour with integer keys, so that any variable — the six
criteria pollutants, published moving means and AQI, meteorology, speciation — fits without a
schema change; see :class:`ObservationBlock` for the physical layout.
"""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import (BigInteger, Boolean, DateTime, Float, ForeignKey, Integer, LargeBinary, String, Text,
                        UniqueConstraint)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

#: observation quality flags (bit mask)
FLAG_OK, FLAG_SUSPECT, FLAG_CORRECTED = 0, 1, 2


class Base(DeclarativeBase):
    """Declarative base of all Lantian tables."""


class Region(Base):
    """A province-level region."""

    __tablename__ = "region"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    code: Mapped[str] = mapped_column(String(12), unique=True)
    name_zh: Mapped[str] = mapped_column(String(64))
    name_en: Mapped[str] = mapped_column(String(64), default="")


class City(Base):
    """A prefecture-level city."""

    __tablename__ = "city"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    code: Mapped[str] = mapped_column(String(12), unique=True)
    name_zh: Mapped[str] = mapped_column(String(64))
    short_zh: Mapped[str] = mapped_column(String(32), default="")
    name_en: Mapped[str] = mapped_column(String(64), default="")
    region_id: Mapped[int | None] = mapped_column(ForeignKey("region.id"))
    lon: Mapped[float | None] = mapped_column(Float)
    lat: Mapped[float | None] = mapped_column(Float)
    in_focus: Mapped[bool] = mapped_column(Boolean, default=False)
    region: Mapped[Region | None] = relationship()


class Station(Base):
    """A site observations belong to: a monitoring station, a city-level aggregate or a user's site."""

    __tablename__ = "station"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    code: Mapped[str] = mapped_column(String(64), unique=True)
    kind: Mapped[str] = mapped_column(String(16), default="station")  # station | city | user
    name_zh: Mapped[str] = mapped_column(String(128), default="")
    name_en: Mapped[str] = mapped_column(String(128), default="")
    city_id: Mapped[int | None] = mapped_column(ForeignKey("city.id"))
    lon: Mapped[float | None] = mapped_column(Float)
    lat: Mapped[float | None] = mapped_column(Float)
    background: Mapped[bool] = mapped_column(Boolean, default=False)
    city: Mapped[City | None] = relationship()


class Variable(Base):
    """An observed quantity (PM2.5, PM2.5_24h, AQI, TEMP …) with its canonical unit."""

    __tablename__ = "variable"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    code: Mapped[str] = mapped_column(String(32), unique=True)
    unit: Mapped[str] = mapped_column(String(16), default="")
    long_name: Mapped[str] = mapped_column(String(128), default="")


class Dataset(Base):
    """One loaded file: what, from where, when, checksum and the outcome."""

    __tablename__ = "dataset"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    path: Mapped[str] = mapped_column(Text)
    format: Mapped[str] = mapped_column(String(32))
    sha256: Mapped[str] = mapped_column(String(64), index=True)
    size_bytes: Mapped[int] = mapped_column(BigInteger, default=0)
    encoding: Mapped[str] = mapped_column(String(16), default="utf-8")
    rows_read: Mapped[int] = mapped_column(Integer, default=0)
    rows_rejected: Mapped[int] = mapped_column(Integer, default=0)
    values_new: Mapped[int] = mapped_column(BigInteger, default=0)
    values_changed: Mapped[int] = mapped_column(BigInteger, default=0)
    problems: Mapped[int] = mapped_column(Integer, default=0)
    first_time: Mapped[datetime | None] = mapped_column(DateTime)
    last_time: Mapped[datetime | None] = mapped_column(DateTime)
    loaded_at: Mapped[datetime] = mapped_column(DateTime)
    source: Mapped[str] = mapped_column(String(32), default="file")  # file | feed | demo


class ObservationBlock(Base):
    """Observations of one site, variable and (Beijing) calendar day: 24 hourly values in one row.

    Logically the store holds site × variable × hour values with a quality flag each; physically a
    day of one series is one row (``vals``: 24 little-endian float64, NaN = missing; ``flags``: 24
    uint8 quality flags), which makes bulk loads and range reads an order of magnitude faster than
    a row per value while staying portable between SQLite and PostgreSQL.  ``day`` counts days since
    1970-01-01 (Beijing date of the hour-ending label); hour h of the block is the label ``day + h``.
    """

    __tablename__ = "observation_block"
    station_id: Mapped[int] = mapped_column(ForeignKey("station.id"), primary_key=True)
    variable_id: Mapped[int] = mapped_column(ForeignKey("variable.id"), primary_key=True)
    day: Mapped[int] = mapped_column(Integer, primary_key=True)
    vals: Mapped[bytes] = mapped_column(LargeBinary)
    flags: Mapped[bytes] = mapped_column(LargeBinary)
    dataset_id: Mapped[int] = mapped_column(ForeignKey("dataset.id"))
    __table_args__ = ({"sqlite_with_rowid": False},)


class IngestLog(Base):
    """Every rejected row/value and every warning of a load, with its reason."""

    __tablename__ = "ingest_log"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    dataset_id: Mapped[int] = mapped_column(ForeignKey("dataset.id"), index=True)
    path: Mapped[str] = mapped_column(Text)
    line: Mapped[int | None] = mapped_column(Integer)
    field: Mapped[str | None] = mapped_column(String(64))
    value: Mapped[str | None] = mapped_column(Text)
    reason: Mapped[str] = mapped_column(Text)
    severity: Mapped[str] = mapped_column(String(16), default="rejected")


class Meta(Base):
    """Key/value facts about the store (e.g. that the demo was loaded)."""

    __tablename__ = "meta"
    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    value: Mapped[str] = mapped_column(Text)
    __table_args__ = (UniqueConstraint("key"),)
