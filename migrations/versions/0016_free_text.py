"""Numbers typed into free text: `responses.free_text_sealed` holds the texts as typed, encrypted,
when the submit path masked a phone or ID number in them (the `answers` hold the masked text).

A nullable column: no table rewrite on PostgreSQL. Answers stored before this revision still hold
what residents typed; masking them needs FIELD_ENCRYPTION_KEY, which a migration must not read,
so the operator runs `flask mask-free-text` once after the upgrade (README, "Personal data in
free text").

Revision ID: 0016_free_text
Revises: 0015_finish12
"""
from alembic import op
import sqlalchemy as sa

revision = "0016_free_text"
down_revision = "0015_finish12"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("responses") as batch_op:
        batch_op.add_column(sa.Column("free_text_sealed", sa.Text(), nullable=True))


def downgrade():
    with op.batch_alter_table("responses") as batch_op:
        batch_op.drop_column("free_text_sealed")
