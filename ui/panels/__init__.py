"""Console panels (dock widgets): map, ranking, time series, clock bar; command panels (alarms, warnings,
timeline, handover, mode banner); analysis panels (sources, forecasts, briefings).  They only show what
the core computes."""
