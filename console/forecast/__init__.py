"""Console-side forecast integration (report provider). Readers/service: console.forecast_io, console.forecast_service."""
