"""Alembic environment: runs on the connection Lantian passes in (no alembic.ini needed)."""
from alembic import context

from console.store.schema import Base

config = context.config
connection = config.attributes.get("connection")
context.configure(connection=connection, target_metadata=Base.metadata, render_as_batch=True)
with context.begin_transaction():
    context.run_migrations()
