"""Office administration in the browser: an account can be told to change its password at its
next login (accounts created in bulk, or whose password the office reset).

Revision ID: 0017_admin
Revises: 0016_free_text
"""
from alembic import op
import sqlalchemy as sa

revision = "0017_admin"
down_revision = "0016_free_text"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("office_users") as batch:
        batch.add_column(sa.Column("must_change_password", sa.Boolean(), nullable=False, server_default=sa.false()))


def downgrade():
    with op.batch_alter_table("office_users") as batch:
        batch.drop_column("must_change_password")
