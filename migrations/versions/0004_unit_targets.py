"""Per-unit response targets for the dashboard's league tables; newest-first index for suggestions.

Revision ID: 0004_unit_targets
Revises: 0003_tallies
"""
from alembic import op
import sqlalchemy as sa

revision = "0004_unit_targets"
down_revision = "0003_tallies"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "unit_targets",
        sa.Column("campaign_id", sa.Integer(), nullable=False),
        sa.Column("unit_id", sa.Integer(), nullable=False),
        sa.Column("target", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["campaign_id"], ["campaigns.id"], name=op.f("fk_unit_targets_campaign_id_campaigns")),
        sa.ForeignKeyConstraint(["unit_id"], ["org_units.id"], name=op.f("fk_unit_targets_unit_id_org_units")),
        sa.PrimaryKeyConstraint("campaign_id", "unit_id", name=op.f("pk_unit_targets")),
        sa.CheckConstraint("target > 0", name=op.f("ck_unit_targets_positive")),
    )
    # The dashboard's suggestion panel reads the newest responses of a campaign, or of each
    # entry point in a county's or unit's scope (ORDER BY id DESC LIMIT n, one index range each).
    with op.batch_alter_table("responses") as batch_op:
        batch_op.create_index("ix_responses_campaign_id_id", ["campaign_id", "id"])
        batch_op.create_index("ix_responses_entry_point_id_id", ["entry_point_id", "id"])


def downgrade():
    with op.batch_alter_table("responses") as batch_op:
        batch_op.drop_index("ix_responses_entry_point_id_id")
        batch_op.drop_index("ix_responses_campaign_id_id")
    op.drop_table("unit_targets")
