"""Episode command: users, audit chain, alarms, warnings, handovers, feed state.

Revision ID: 0002
Revises: 0001
"""
import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table("app_user",
                    sa.Column("id", sa.Integer, primary_key=True),
                    sa.Column("name", sa.String(64), unique=True, nullable=False),
                    sa.Column("role", sa.String(16), nullable=False),
                    sa.Column("pw_hash", sa.String(256), nullable=False),
                    sa.Column("active", sa.Integer, nullable=False),
                    sa.Column("created_at", sa.DateTime, nullable=False))
    op.create_table("audit_head",
                    sa.Column("id", sa.Integer, primary_key=True),
                    sa.Column("last_seq", sa.Integer, nullable=False),
                    sa.Column("last_hash", sa.String(64), nullable=False))
    op.execute("INSERT INTO audit_head (id, last_seq, last_hash) VALUES (1, 0, '')")
    op.create_table("audit_entry",
                    sa.Column("seq", sa.Integer, primary_key=True, autoincrement=False),
                    sa.Column("ts", sa.DateTime, nullable=False),
                    sa.Column("console_time", sa.DateTime),
                    sa.Column("user", sa.String(64), nullable=False),
                    sa.Column("role", sa.String(16), nullable=False),
                    sa.Column("action", sa.String(48), nullable=False, index=True),
                    sa.Column("subject", sa.String(128), nullable=False),
                    sa.Column("reason", sa.Text, nullable=False),
                    sa.Column("payload", sa.Text, nullable=False),
                    sa.Column("mode", sa.String(8), nullable=False),
                    sa.Column("prev_hash", sa.String(64), nullable=False),
                    sa.Column("hash", sa.String(64), nullable=False))
    op.create_table("alarm",
                    sa.Column("id", sa.Integer, primary_key=True),
                    sa.Column("source", sa.String(96), nullable=False, index=True),
                    sa.Column("condition", sa.String(64), nullable=False),
                    sa.Column("category", sa.String(16), nullable=False),
                    sa.Column("priority", sa.Integer, nullable=False),
                    sa.Column("state", sa.String(16), nullable=False, index=True),
                    sa.Column("active", sa.Integer, nullable=False),
                    sa.Column("active_key", sa.String(170), unique=True),
                    sa.Column("message", sa.Text, nullable=False),
                    sa.Column("city", sa.String(16), nullable=False),
                    sa.Column("value", sa.Float),
                    sa.Column("raised_at", sa.DateTime, nullable=False),
                    sa.Column("data_time", sa.DateTime),
                    sa.Column("cleared_at", sa.DateTime),
                    sa.Column("acked_at", sa.DateTime),
                    sa.Column("acked_by", sa.String(64)),
                    sa.Column("shelved_until", sa.DateTime),
                    sa.Column("shelved_by", sa.String(64)),
                    sa.Column("shelve_reason", sa.Text),
                    sa.Column("occurrences", sa.Integer, nullable=False))
    op.create_table("warning",
                    sa.Column("id", sa.Integer, primary_key=True),
                    sa.Column("city", sa.String(16), nullable=False, index=True),
                    sa.Column("level", sa.String(8), nullable=False),
                    sa.Column("action", sa.String(12), nullable=False),
                    sa.Column("status", sa.String(12), nullable=False, index=True),
                    sa.Column("scheme", sa.String(32), nullable=False),
                    sa.Column("scheme_version", sa.String(48), nullable=False),
                    sa.Column("evidence", sa.Text, nullable=False),
                    sa.Column("reason", sa.Text, nullable=False),
                    sa.Column("proposed_by", sa.String(64), nullable=False),
                    sa.Column("proposed_at", sa.DateTime, nullable=False),
                    sa.Column("decided_by", sa.String(64)),
                    sa.Column("decided_at", sa.DateTime),
                    sa.Column("ended_at", sa.DateTime),
                    sa.Column("replaces", sa.Integer))
    op.create_table("handover",
                    sa.Column("id", sa.Integer, primary_key=True),
                    sa.Column("created_at", sa.DateTime, nullable=False),
                    sa.Column("outgoing", sa.String(64), nullable=False),
                    sa.Column("incoming", sa.String(64)),
                    sa.Column("signed_at", sa.DateTime),
                    sa.Column("note", sa.Text, nullable=False),
                    sa.Column("items", sa.Text, nullable=False),
                    sa.Column("status", sa.String(12), nullable=False))
    op.create_table("feed_state",
                    sa.Column("source", sa.String(96), primary_key=True),
                    sa.Column("kind", sa.String(16), nullable=False),
                    sa.Column("last_attempt", sa.DateTime),
                    sa.Column("last_success", sa.DateTime),
                    sa.Column("last_new_data", sa.DateTime),
                    sa.Column("latest_hour", sa.DateTime),
                    sa.Column("stale_since", sa.DateTime),
                    sa.Column("consecutive_failures", sa.Integer, nullable=False),
                    sa.Column("next_attempt", sa.DateTime),
                    sa.Column("last_error", sa.Text, nullable=False),
                    sa.Column("deliveries", sa.Integer, nullable=False),
                    sa.Column("bad_files", sa.Text, nullable=False))


def downgrade() -> None:
    for t in ("feed_state", "handover", "warning", "alarm", "audit_entry", "audit_head", "app_user"):
        op.drop_table(t)
