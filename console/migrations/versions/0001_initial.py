"""Initial store: regions, cities, stations, variables, datasets, observation blocks, ingest log, meta.

Revision ID: 0001
Revises:
"""
import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table("region",
                    sa.Column("id", sa.Integer, primary_key=True),
                    sa.Column("code", sa.String(12), unique=True, nullable=False),
                    sa.Column("name_zh", sa.String(64), nullable=False),
                    sa.Column("name_en", sa.String(64), nullable=False))
    op.create_table("city",
                    sa.Column("id", sa.Integer, primary_key=True),
                    sa.Column("code", sa.String(12), unique=True, nullable=False),
                    sa.Column("name_zh", sa.String(64), nullable=False),
                    sa.Column("short_zh", sa.String(32), nullable=False),
                    sa.Column("name_en", sa.String(64), nullable=False),
                    sa.Column("region_id", sa.Integer, sa.ForeignKey("region.id")),
                    sa.Column("lon", sa.Float), sa.Column("lat", sa.Float),
                    sa.Column("in_focus", sa.Boolean, nullable=False))
    op.create_table("station",
                    sa.Column("id", sa.Integer, primary_key=True),
                    sa.Column("code", sa.String(64), unique=True, nullable=False),
                    sa.Column("kind", sa.String(16), nullable=False),
                    sa.Column("name_zh", sa.String(128), nullable=False),
                    sa.Column("name_en", sa.String(128), nullable=False),
                    sa.Column("city_id", sa.Integer, sa.ForeignKey("city.id")),
                    sa.Column("lon", sa.Float), sa.Column("lat", sa.Float),
                    sa.Column("background", sa.Boolean, nullable=False))
    op.create_table("variable",
                    sa.Column("id", sa.Integer, primary_key=True),
                    sa.Column("code", sa.String(32), unique=True, nullable=False),
                    sa.Column("unit", sa.String(16), nullable=False),
                    sa.Column("long_name", sa.String(128), nullable=False))
    op.create_table("dataset",
                    sa.Column("id", sa.Integer, primary_key=True),
                    sa.Column("path", sa.Text, nullable=False),
                    sa.Column("format", sa.String(32), nullable=False),
                    sa.Column("sha256", sa.String(64), nullable=False, index=True),
                    sa.Column("size_bytes", sa.BigInteger, nullable=False),
                    sa.Column("encoding", sa.String(16), nullable=False),
                    sa.Column("rows_read", sa.Integer, nullable=False),
                    sa.Column("rows_rejected", sa.Integer, nullable=False),
                    sa.Column("values_new", sa.BigInteger, nullable=False),
                    sa.Column("values_changed", sa.BigInteger, nullable=False),
                    sa.Column("problems", sa.Integer, nullable=False),
                    sa.Column("first_time", sa.DateTime), sa.Column("last_time", sa.DateTime),
                    sa.Column("loaded_at", sa.DateTime, nullable=False),
                    sa.Column("source", sa.String(32), nullable=False))
    op.create_table("observation_block",
                    sa.Column("station_id", sa.Integer, sa.ForeignKey("station.id"), primary_key=True),
                    sa.Column("variable_id", sa.Integer, sa.ForeignKey("variable.id"), primary_key=True),
                    sa.Column("day", sa.Integer, primary_key=True),
                    sa.Column("vals", sa.LargeBinary, nullable=False),
                    sa.Column("flags", sa.LargeBinary, nullable=False),
                    sa.Column("dataset_id", sa.Integer, sa.ForeignKey("dataset.id"), nullable=False),
                    sqlite_with_rowid=False)
    op.create_table("ingest_log",
                    sa.Column("id", sa.Integer, primary_key=True),
                    sa.Column("dataset_id", sa.Integer, sa.ForeignKey("dataset.id"), nullable=False, index=True),
                    sa.Column("path", sa.Text, nullable=False),
                    sa.Column("line", sa.Integer), sa.Column("field", sa.String(64)), sa.Column("value", sa.Text),
                    sa.Column("reason", sa.Text, nullable=False),
                    sa.Column("severity", sa.String(16), nullable=False))
    op.create_table("meta",
                    sa.Column("key", sa.String(64), primary_key=True),
                    sa.Column("value", sa.Text, nullable=False))


def downgrade() -> None:
    for table in ("meta", "ingest_log", "observation_block", "dataset", "variable", "station", "city", "region"):
        op.drop_table(table)
