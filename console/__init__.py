"""Lantian application core: store, ingest, live feed, episode command, reports and the CLI (no QtWidgets)."""
