"""The data store: SQLAlchemy models, migrations, bulk ingest and xarray views."""
from console.store.db import Store, default_url, open_store

__all__ = ["Store", "default_url", "open_store"]
