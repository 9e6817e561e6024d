"""Self-contained command panels (QWidgets) that the main window docks: alarms, warnings, timeline,
handover dialog and the LIVE/REPLAY/DRILL mode banner.  They only show what the core computes."""
