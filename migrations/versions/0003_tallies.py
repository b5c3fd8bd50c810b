"""Tally tables maintained by the RQ tally worker.

Revision ID: 0003_tallies
Revises: 0001_core
"""
from alembic import op
import sqlalchemy as sa

revision = "0003_tallies"
down_revision = "0001_core"
branch_labels = None
depends_on = None



def upgrade():
    op.create_table(
        "tally_entries",
        sa.Column("campaign_id", sa.Integer(), nullable=False),
        sa.Column("entry_point_id", sa.Integer(), nullable=False),
        sa.Column("flags", sa.Integer(), nullable=False),
        sa.Column("responses", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(["campaign_id"], ["campaigns.id"], name=op.f("fk_tally_entries_campaign_id_campaigns")),
        sa.ForeignKeyConstraint(["entry_point_id"], ["entry_points.id"], name=op.f("fk_tally_entries_entry_point_id_entry_points")),
        sa.PrimaryKeyConstraint("campaign_id", "entry_point_id", "flags", name=op.f("pk_tally_entries")),
    )
    op.create_table(
        "tally_answers",
        sa.Column("campaign_id", sa.Integer(), nullable=False),
        sa.Column("entry_point_id", sa.Integer(), nullable=False),
        sa.Column("flags", sa.Integer(), nullable=False),
        sa.Column("question_id", sa.String(length=32), nullable=False),
        sa.Column("value", sa.String(length=32), nullable=False),
        sa.Column("responses", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(["campaign_id"], ["campaigns.id"], name=op.f("fk_tally_answers_campaign_id_campaigns")),
        sa.ForeignKeyConstraint(["entry_point_id"], ["entry_points.id"], name=op.f("fk_tally_answers_entry_point_id_entry_points")),
        sa.PrimaryKeyConstraint("campaign_id", "entry_point_id", "flags", "question_id", "value", name=op.f("pk_tally_answers")),
    )
    op.create_table(
        "tally_hours",
        sa.Column("campaign_id", sa.Integer(), nullable=False),
        sa.Column("owner_unit_id", sa.Integer(), nullable=False),
        sa.Column("flags", sa.Integer(), nullable=False),
        sa.Column("hour", sa.BigInteger(), nullable=False),
        sa.Column("responses", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(["campaign_id"], ["campaigns.id"], name=op.f("fk_tally_hours_campaign_id_campaigns")),
        sa.ForeignKeyConstraint(["owner_unit_id"], ["org_units.id"], name=op.f("fk_tally_hours_owner_unit_id_org_units")),
        sa.PrimaryKeyConstraint("campaign_id", "owner_unit_id", "flags", "hour", name=op.f("pk_tally_hours")),
    )
    op.create_table(
        "tally_state",
        sa.Column("campaign_id", sa.Integer(), nullable=False),
        sa.Column("applied_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("recounted_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("rows_counted", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(["campaign_id"], ["campaigns.id"], name=op.f("fk_tally_state_campaign_id_campaigns")),
        sa.PrimaryKeyConstraint("campaign_id", name=op.f("pk_tally_state")),
    )
    op.create_table(
        "burst_windows",
        sa.Column("campaign_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(length=32), nullable=False),
        sa.Column("window_seconds", sa.Integer(), nullable=False),
        sa.Column("window_index", sa.BigInteger(), nullable=False),
        sa.Column("responses", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(["campaign_id"], ["campaigns.id"], name=op.f("fk_burst_windows_campaign_id_campaigns")),
        sa.PrimaryKeyConstraint("campaign_id", "kind", "key", "window_seconds", "window_index", name=op.f("pk_burst_windows")),
    )
    # Burst checks count rows per IP hash / entry point within a time window: one index
    # range scan per (key, window).
    with op.batch_alter_table("responses") as batch_op:
        batch_op.create_index("ix_responses_campaign_ip_created", ["campaign_id", "ip_hash", "created_at"])
        batch_op.create_index("ix_responses_entry_created", ["entry_point_id", "created_at"])


def downgrade():
    with op.batch_alter_table("responses") as batch_op:
        batch_op.drop_index("ix_responses_entry_created")
        batch_op.drop_index("ix_responses_campaign_ip_created")
    for name in ("burst_windows", "tally_state", "tally_hours", "tally_answers", "tally_entries"):
        op.drop_table(name)
