"""Leaner response rows for the submit path: one foreign key, no unused indexes.

Every INSERT into `responses` checked five foreign keys (a key-share lock on the parent row
each, measured at a third of PostgreSQL's CPU per insert) and maintained ten indexes. The
entry point alone says which campaign, questionnaire and units an answer belongs to; the
row keeps copies of those ids for grouping without a join, written by the one submit path
from the entry point it resolved. So `entry_point_id` keeps its foreign key and the four
copies drop theirs. `ix_responses_entry_point_id` duplicated the prefix of
(entry_point_id, id); nothing reads responses by `created_at` alone.

Revision ID: 0005_lean_responses
Revises: 0004_unit_targets
"""
from alembic import op
import sqlalchemy as sa

revision = "0005_lean_responses"
down_revision = "0004_unit_targets"
branch_labels = None
depends_on = None

COPIED_KEYS = (  # constraint name, column, parent table
    ("fk_responses_campaign_id_campaigns", "campaign_id", "campaigns"),
    ("fk_responses_questionnaire_id_questionnaires", "questionnaire_id", "questionnaires"),
    ("fk_responses_evaluated_unit_id_org_units", "evaluated_unit_id", "org_units"),
    ("fk_responses_poster_unit_id_org_units", "poster_unit_id", "org_units"),
)


def upgrade():
    with op.batch_alter_table("responses") as batch_op:
        for name, _, _ in COPIED_KEYS:
            batch_op.drop_constraint(name, type_="foreignkey")
        batch_op.drop_index("ix_responses_entry_point_id")
        batch_op.drop_index("ix_responses_created_at")


def downgrade():
    with op.batch_alter_table("responses") as batch_op:
        batch_op.create_index("ix_responses_created_at", ["created_at"])
        batch_op.create_index("ix_responses_entry_point_id", ["entry_point_id"])
        for name, column, parent in COPIED_KEYS:
            batch_op.create_foreign_key(name, parent, [column], ["id"])
