"""Hourly tallies per channel: `tally_hours` gains `channel` in its key, so a one-channel
dashboard draws its own time series.

Every hour row stored so far is a QR answer's (0007 added the other channels, but no release
had an intake for them), so existing rows get channel 'qr'. The owner of an hour is now the
evaluated county or city unit; for QR codes that is the county of the poster or the city unit
itself, as before, so existing rows keep their owner.

PostgreSQL adds the column with a constant default (no table rewrite) and swaps the primary
key; SQLite rebuilds the table through Alembic's batch mode. The downgrade sums the channels
back into one row per owner, flag set and hour.

Revision ID: 0008_hour_channel
Revises: 0007_collection_points
"""
from alembic import op
import sqlalchemy as sa

revision = "0008_hour_channel"
down_revision = "0007_collection_points"
branch_labels = None
depends_on = None

OLD_KEY = ["campaign_id", "owner_unit_id", "flags", "hour"]
NEW_KEY = ["campaign_id", "owner_unit_id", "channel", "flags", "hour"]


def upgrade():
    with op.batch_alter_table("tally_hours") as batch:
        batch.add_column(sa.Column("channel", sa.String(16), nullable=False, server_default="qr"))
        batch.drop_constraint("pk_tally_hours", type_="primary")
        batch.create_primary_key("pk_tally_hours", NEW_KEY)
    # Every writer names its channel from now on.
    with op.batch_alter_table("tally_hours") as batch:
        batch.alter_column("channel", server_default=None)


def downgrade():
    op.execute(
        "CREATE TABLE tally_hours_summed AS SELECT campaign_id, owner_unit_id, flags, hour, "
        "SUM(responses) AS responses FROM tally_hours GROUP BY campaign_id, owner_unit_id, flags, hour"
    )
    op.execute("DELETE FROM tally_hours")
    with op.batch_alter_table("tally_hours") as batch:
        batch.drop_constraint("pk_tally_hours", type_="primary")
        batch.drop_column("channel")
        batch.create_primary_key("pk_tally_hours", OLD_KEY)
    op.execute(
        "INSERT INTO tally_hours (campaign_id, owner_unit_id, flags, hour, responses) "
        "SELECT campaign_id, owner_unit_id, flags, hour, responses FROM tally_hours_summed"
    )
    op.drop_table("tally_hours_summed")
