"""Console panels (self-contained QWidgets docked by the main window)."""
