"""Lantian science layer: AQI, air-quality standards, source apportionment, monitoring analytics.

Pure numpy/scipy/xarray; no Qt, no SQLAlchemy, no file formats beyond xarray objects.
"""
