"""Uncounted responses live in a queue table, not in a flag on every response.

`responses.tallied` made the tally worker rewrite every stored answer once more (a new
row version and an entry in each of its indexes), and its claim had to find the
uncounted few among a million rows: on this machine's PostgreSQL, where autovacuum is
off, the claim's plan fell to a full scan (600 ms a batch at 320 k rows). The queue
`tally_pending` holds only the backlog; responses become insert-only.

Revision ID: 0006_tally_queue
Revises: 0005_lean_responses
"""
from alembic import op
import sqlalchemy as sa

revision = "0006_tally_queue"
down_revision = "0005_lean_responses"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "tally_pending",
        sa.Column("campaign_id", sa.Integer(), nullable=False),
        sa.Column("response_id", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("campaign_id", "response_id", name=op.f("pk_tally_pending")),
    )
    op.execute("INSERT INTO tally_pending (campaign_id, response_id) "
               "SELECT campaign_id, id FROM responses WHERE NOT tallied")
    with op.batch_alter_table("responses") as batch_op:
        batch_op.drop_index("ix_responses_untallied", postgresql_where=sa.text("NOT tallied"),
                            sqlite_where=sa.text("NOT tallied"))
        batch_op.drop_column("tallied")


def downgrade():
    with op.batch_alter_table("responses") as batch_op:
        batch_op.add_column(sa.Column("tallied", sa.Boolean(), nullable=False, server_default=sa.true()))
    op.execute("UPDATE responses SET tallied = false WHERE id IN (SELECT response_id FROM tally_pending)")
    with op.batch_alter_table("responses") as batch_op:
        batch_op.alter_column("tallied", server_default=sa.false())
        batch_op.create_index("ix_responses_untallied", ["id"], postgresql_where=sa.text("NOT tallied"),
                              sqlite_where=sa.text("NOT tallied"))
    op.drop_table("tally_pending")
