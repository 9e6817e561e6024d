"""Short-term air-quality forecasts: features, models, calibration, backtests, metrics (no Qt, no SQL)."""
