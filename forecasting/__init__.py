"""Short-term probabilistic air-quality forecasts (pure numpy/pandas/xarray/scikit-learn, no Qt).

Modules: ``features`` (leakage-free design matrices), ``baselines`` (persistence, climatology
site × month × hour), ``models`` (direct multi-horizon HistGradientBoosting + quantile spread models),
``calibration`` (normalised split-conformal residuals in log space, isotonic exceedance maps),
``probabilistic`` (thresholds, derived AQI, category probabilities), ``daily`` (daily statistics and
the D+1…D+3 outlook), ``backtest`` (rolling origin), ``metrics``, ``meteorology`` (weather-forecast
fields → site meteorology), ``store`` (safe save/load with skops), ``system`` (the full forecast
system used by the CLI and the console).
"""
