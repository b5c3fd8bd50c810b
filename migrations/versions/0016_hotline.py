"""12345 hotline work-order checks (12345热线工单核查), and the phone queue's partial indexes.

Phone: the fresh-case index becomes partial (status = 'fresh', by draw order) and a partial
index on the working cases serves the held-case lookup and the left-open tier of the one-statement
claim (queue.claim_next).

Revision ID: 0016_hotline
Revises: 0014_rectification
"""
from alembic import op
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql

import questionnaire.kernel.sqltypes

revision = "0016_hotline"
down_revision = "0014_rectification"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('phone_cases', schema=None) as batch_op:
        batch_op.drop_index('ix_phone_cases_fresh')
        batch_op.create_index('ix_phone_cases_fresh', ['campaign_id', 'draw_order'], unique=False,
                              postgresql_where=sa.text("status = 'fresh'"), sqlite_where=sa.text("status = 'fresh'"))
        batch_op.create_index('ix_phone_cases_working', ['campaign_id', 'assigned_to', 'claimed_at'], unique=False,
                              postgresql_where=sa.text("status = 'working'"),
                              sqlite_where=sa.text("status = 'working'"))
    _hotline_upgrade()


def downgrade():
    _hotline_downgrade()
    with op.batch_alter_table('phone_cases', schema=None) as batch_op:
        batch_op.drop_index('ix_phone_cases_working')
        batch_op.drop_index('ix_phone_cases_fresh')
        batch_op.create_index('ix_phone_cases_fresh', ['campaign_id', 'status', 'draw_order'], unique=False)


def _hotline_upgrade():
    pass


def _hotline_downgrade():
    pass
