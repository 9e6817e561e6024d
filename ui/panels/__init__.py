"""Console panels (dock widgets): map, ranking, time series, clock bar."""
