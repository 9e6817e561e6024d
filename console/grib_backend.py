"""An xarray backend for GRIB weather-forecast files, decoded by pygrib.

``xr.open_dataset(path, engine="lantian_grib")`` opens a GRIB 1/2 file.

The product reads weather-forecast fields with xarray, NetCDF and GRIB alike: GRIB goes through this backend
(:class:`GribBackend`, registered as the ``lantian_grib`` engine in ``pyproject.toml``), which hands the file to
:func:`console.grib_fields.read_grib_fields`.  cfgrib is not used; ``console/grib_fields.py`` says why.

The backend decodes on opening (GRIB keeps no index to read from lazily; the messages must be walked anyway to
find the runs, steps and grids), so pass ``bbox`` to crop a large file to the area needed.  Backend arguments,
given to ``xr.open_dataset`` as keywords:

* ``bbox`` — (west, south, east, north) in degrees: crop every field on reading;
* ``names`` — keep only these variables (cfgrib-style names such as ``t2m`` or GRIB short names).

This module imports nothing heavy: xarray loads it whenever it lists its engines.
"""
from __future__ import annotations

import os
from pathlib import Path
from typing import Any, Iterable

from xarray.backends import BackendEntrypoint

GRIB_SUFFIXES = (".grib", ".grb", ".grib2", ".grb2", ".grib1", ".grb1")


def starts_with_grib(path: str | os.PathLike) -> bool:
    """True when the file's first bytes are ``GRIB``: GFS and ECMWF files often have no suffix
    (``gfs.t00z.pgrb2.0p25.f024``)."""
    try:
        with open(path, "rb") as f:
            return f.read(4) == b"GRIB"
    except OSError:
        return False


def is_grib(path: str | os.PathLike) -> bool:
    """A GRIB file by its suffix or by its first bytes."""
    return Path(path).suffix.lower() in GRIB_SUFFIXES or starts_with_grib(path)


class GribBackend(BackendEntrypoint):
    """Near-surface GRIB 1/2 fields as a Dataset on valid times (UTC): ``(time, latitude, longitude)``, or
    ``(time, y, x)`` with 2-D coordinates for projected and rotated grids.  Accumulations become amounts per
    interval; ensemble members are averaged; with several runs in a file the latest run wins per valid time.
    Unreadable or cut-short files raise :class:`console.errors.InputError` naming the file."""

    description = "GRIB 1/2 near-surface weather-forecast fields, decoded by pygrib (Lantian)"
    url = "https://github.com/jswhit/pygrib"
    open_dataset_parameters = ("filename_or_obj", "drop_variables", "bbox", "names")

    def open_dataset(self, filename_or_obj: Any, *, drop_variables: str | Iterable[str] | None = None,
                     bbox: tuple[float, float, float, float] | None = None,
                     names: Iterable[str] | None = None):
        """Decode ``filename_or_obj`` (a path) into an in-memory Dataset; see the class docstring."""
        from console.errors import InputError
        from console.grib_fields import read_grib_fields

        if not isinstance(filename_or_obj, (str, os.PathLike)):
            raise InputError(repr(filename_or_obj), "the GRIB backend reads files by path only")
        ds = read_grib_fields(filename_or_obj, bbox=bbox, names=names)
        if drop_variables is not None:
            drop = [drop_variables] if isinstance(drop_variables, str) else list(drop_variables)
            ds = ds.drop_vars(drop, errors="ignore")
        return ds

    def guess_can_open(self, filename_or_obj: Any) -> bool:
        """Claim paths that look like GRIB (suffix or first bytes), so that ``xr.open_dataset(path)`` finds
        this engine without being told."""
        return isinstance(filename_or_obj, (str, os.PathLike)) and is_grib(filename_or_obj)
