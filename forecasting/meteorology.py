"""Weather-forecast fields (NetCDF/GRIB opened with xarray by the console) → site meteorology.

Accepts the common layouts:
* gridded ``(time, lat, lon)`` with ``time`` the valid time;
* cfgrib style ``(step, latitude, longitude)`` with a scalar reference ``time`` and ``valid_time``;
* projected or rotated grids ``(time, y, x)`` with 2-D ``latitude``/``longitude`` (nearest point);
* already per site ``(site, time)``.
Variable names of ERA5/GFS/WRF-post outputs are mapped to TEMP/DEWP/PRES/RAIN/WS/WD with unit
conversion (K → °C, Pa → hPa, m → mm, u/v → speed/direction).  The result is hourly (linear
interpolation in time for 3-hourly products; precipitation spread evenly) on the sites' valid times.
"""
from __future__ import annotations

import numpy as np
import pandas as pd
import xarray as xr

ALIASES = {
    "TEMP": ("TEMP", "t2m", "2t", "T2", "tmp2m", "TMP_2maboveground", "air_temperature", "temperature"),
    "DEWP": ("DEWP", "d2m", "2d", "dpt2m", "DPT_2maboveground", "dew_point_temperature", "dewpoint"),
    "PRES": ("PRES", "sp", "msl", "prmsl", "PRMSL_meansealevel", "PSFC", "surface_air_pressure", "air_pressure"),
    "RAIN": ("RAIN", "tp", "apcp", "APCP_surface", "precipitation", "precip", "RAINNC"),
    "U": ("u10", "10u", "U10", "UGRD_10maboveground", "eastward_wind"),
    "V": ("v10", "10v", "V10", "VGRD_10maboveground", "northward_wind"),
    "WS": ("WS", "ws", "wind_speed", "si10", "10si"),
    "WD": ("WD", "wd", "wind_from_direction", "wdir10"),
    "RH": ("RH", "r2", "2r", "rh2m", "RH2", "relative_humidity"),
}


def field_names() -> set[str]:
    """Every variable name site meteorology recognises (to decode only those from a GRIB file)."""
    return {n for names in ALIASES.values() for n in names}


def dew_point(temp_c, rh_percent):
    """Dew point (°C) from temperature (°C) and relative humidity (%), Magnus formula (Alduchov & Eskridge
    1996: a = 17.625, b = 243.04 °C; within 0.4 °C for −40…50 °C)."""
    a, b = 17.625, 243.04
    gamma = np.log(np.clip(rh_percent, 1e-3, 100.0) / 100.0) + a * temp_c / (b + temp_c)
    return b * gamma / (a - gamma)


class MeteorologyError(ValueError):
    """Fields cannot be used (no recognised variables, no coordinates for the sites …)."""


def _find(ds: xr.Dataset, key: str) -> xr.DataArray | None:
    for name in ALIASES[key]:
        if name in ds.data_vars:
            return ds[name]
    return None


def _valid_time_axis(da: xr.DataArray) -> xr.DataArray:
    if "step" in da.dims:
        if "valid_time" in da.coords:
            da = da.assign_coords(step=da["valid_time"].values.reshape(-1)).rename(step="vtime")
        else:
            ref = pd.Timestamp(np.asarray(da["time"].values).reshape(-1)[0])
            da = da.assign_coords(step=ref + pd.to_timedelta(da["step"].values)).rename(step="vtime")
        if "time" in da.dims:
            da = da.isel(time=-1)
        return da.drop_vars([c for c in ("time", "valid_time") if c in da.coords]).rename(vtime="time")
    return da


def _at_sites(da: xr.DataArray, sites, lon, lat) -> xr.DataArray:
    if "site" in da.dims:
        return da.reindex(site=sites)
    if lon is not None and lat is not None and _curvilinear(da):
        return _nearest_on_2d_grid(da, sites, np.asarray(lon, float), np.asarray(lat, float))
    lat_name = next((n for n in ("latitude", "lat", "y") if n in da.dims), None)
    lon_name = next((n for n in ("longitude", "lon", "x") if n in da.dims), None)
    if lat_name is None or lon_name is None:
        raise MeteorologyError("fields have neither a 'site' dimension nor latitude/longitude")
    if lon is None or lat is None or np.any(~np.isfinite(np.asarray(lon, float))):
        raise MeteorologyError("the sites have no lon/lat coordinates to pick grid points")
    lon = np.asarray(lon, float)
    glon = da[lon_name].values
    if glon.max() > 180 and lon.min() < 0:
        lon = np.mod(lon, 360)
    pts = da.sel({lat_name: xr.DataArray(np.asarray(lat, float), dims="site"),
                  lon_name: xr.DataArray(lon, dims="site")}, method="nearest")
    return pts.drop_vars([lat_name, lon_name], errors="ignore").assign_coords(site=list(sites))


def _curvilinear(da: xr.DataArray) -> bool:
    return any(n in da.coords and da[n].ndim == 2 for n in ("latitude", "lat"))


def _nearest_on_2d_grid(da: xr.DataArray, sites, lon: np.ndarray, lat: np.ndarray) -> xr.DataArray:
    """Nearest grid point on a projected/rotated grid with 2-D latitude/longitude (great-circle distance)."""
    la = da["latitude" if "latitude" in da.coords else "lat"]
    lo = da["longitude" if "longitude" in da.coords else "lon"]
    ydim, xdim = la.dims
    glat, glon = np.radians(la.values), np.radians(lo.values)
    picks = []
    for x, y in zip(np.radians(lon), np.radians(lat)):
        d = np.sin((glat - y) / 2) ** 2 + np.cos(glat) * np.cos(y) * np.sin((glon - x) / 2) ** 2
        picks.append(np.unravel_index(np.nanargmin(d), d.shape))
    iy = xr.DataArray([p[0] for p in picks], dims="site")
    ix = xr.DataArray([p[1] for p in picks], dims="site")
    pts = da.isel({ydim: iy, xdim: ix})
    return pts.drop_vars([c for c in pts.coords if c not in ("time", "site")]).assign_coords(site=list(sites))


def site_meteorology(fields: xr.Dataset, sites, lon=None, lat=None) -> xr.Dataset:
    """Hourly TEMP/DEWP/PRES/RAIN/WS/WD per site from weather-forecast fields (valid times)."""
    out = {}
    for key in ("TEMP", "DEWP", "PRES", "RAIN", "U", "V", "WS", "WD", "RH"):
        da = _find(fields, key)
        if da is None:
            continue
        da = _at_sites(_valid_time_axis(da), sites, lon, lat).astype(float)
        units = str(da.attrs.get("units", "")).lower()
        if key in ("TEMP", "DEWP") and (units in ("k", "kelvin") or float(da.mean()) > 150):
            da = da - 273.15
        if key == "PRES" and (units == "pa" or float(da.mean()) > 2000):
            da = da / 100.0
        if key == "RAIN" and units == "m":
            da = da * 1000.0
        out[key] = da.transpose("site", "time")
    if "WS" not in out and "U" in out and "V" in out:
        u, v = out["U"], out["V"]
        out["WS"] = np.hypot(u, v)
        out["WD"] = np.mod(np.degrees(np.arctan2(-u, -v)), 360)
    out.pop("U", None), out.pop("V", None)
    if "DEWP" not in out and "RH" in out and "TEMP" in out:   # GFS has 2 m relative humidity, not dew point
        out["DEWP"] = dew_point(out["TEMP"], out["RH"])
    out.pop("RH", None)
    need = {"TEMP", "DEWP", "PRES", "WS", "WD"}
    if not need <= set(out):
        raise MeteorologyError(f"weather fields lack {sorted(need - set(out))} (have {sorted(fields.data_vars)})")
    ds = xr.Dataset(out)
    t = pd.DatetimeIndex(ds["time"].values)
    if t.tz is not None:  # pragma: no cover — xarray decodes to naive datetimes
        t = t.tz_convert("Asia/Shanghai").tz_localize(None)
    hourly = pd.date_range(t.min(), t.max(), freq="h")
    ds = ds.assign_coords(time=t)
    if len(hourly) != len(t):
        rain = ds["RAIN"] if "RAIN" in ds else None
        ds = ds.drop_vars("RAIN", errors="ignore").interp(time=hourly)
        if rain is not None:  # accumulations per step → spread evenly over the hours of the step
            step_h = max(1, int(np.median(np.diff(t.values).astype("timedelta64[h]").astype(int))))
            ds["RAIN"] = (rain / step_h).reindex(time=hourly, method="bfill")
    ds.attrs.update(kind="weather forecast at sites", first_valid=str(hourly[0]), last_valid=str(hourly[-1]),
                    **{k: fields.attrs[k] for k in ("source", "runs") if k in fields.attrs})
    return ds


def to_beijing_time(fields: xr.Dataset, utc: bool = True) -> xr.Dataset:
    """Shift a UTC time axis to naive Beijing time (UTC+8), as every product dataset uses."""
    if not utc:
        return fields
    for name in ("time", "valid_time"):
        if name in fields.coords and np.issubdtype(fields[name].dtype, np.datetime64):
            fields = fields.assign_coords({name: fields[name] + np.timedelta64(8, "h")})
    return fields
