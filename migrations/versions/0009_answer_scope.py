"""Campaign settings residents see or are ruled by: the one-answer scope, organizer, hotline.

`answer_scope` (campaigns.answer_scope): once per campaign, questionnaire or evaluated unit.
It is folded into the participant key, so no constraint changes. Existing campaigns keep
the rule they were run under, once per campaign (their stored participant keys were made
without a scope, which is exactly the campaign scope's key). `organizer` (主办单位) and
`hotline` (咨询电话) are shown on the resident pages.

A column added with a constant default is not written to existing rows on PostgreSQL
(catalogue change only); SQLite adds it in place too.

Revision ID: 0009_answer_scope
Revises: 0008_hour_channel
"""
from alembic import op
import sqlalchemy as sa

revision = "0009_answer_scope"
down_revision = "0008_hour_channel"
branch_labels = None
depends_on = None


def upgrade():
    op.add_column("campaigns", sa.Column("answer_scope", sa.String(16), nullable=False, server_default="campaign"))
    op.add_column("campaigns", sa.Column("organizer", sa.String(200), nullable=False, server_default=""))
    op.add_column("campaigns", sa.Column("hotline", sa.String(40), nullable=False, server_default=""))


def downgrade():
    with op.batch_alter_table("campaigns") as batch_op:
        batch_op.drop_column("hotline")
        batch_op.drop_column("organizer")
        batch_op.drop_column("answer_scope")
