"""Collection points with a channel: every answer records its channel, the unit it evaluates
and where it was collected, as separate facts.

`entry_points` (QR codes only) becomes `collection_points` with a `channel` column; a QR entry
point is the `qr` channel's collection point and keeps its public code, which other channels
(leader evaluation, phone interviews, hotline callbacks) do not need, so `code` may be NULL.
`poster_unit_id` becomes `collected_unit_id` (for a QR code the unit whose poster it is) and
`entry_point_id` becomes `collection_point_id` in responses and tallies. Existing rows are QR
answers: they get channel 'qr'. The default is dropped afterwards so that every writer must
name its channel.

PostgreSQL renames in place (no table rewrite: renames are catalogue changes, and a column
added with a constant default is not written to existing rows), so the migration takes
moments even on a million responses. SQLite rebuilds the tables through Alembic's batch mode.

Revision ID: 0007_collection_points
Revises: 0006_tally_queue
"""
from alembic import op
import sqlalchemy as sa

revision = "0007_collection_points"
down_revision = "0006_tally_queue"
branch_labels = None
depends_on = None

CHANNEL_CHECK = "channel IN ('qr', 'leader', 'phone', 'hotline')"
PAIR = ["campaign_id", "channel", "questionnaire_id", "evaluated_unit_id", "collected_unit_id"]
OLD_PAIR = ["campaign_id", "questionnaire_id", "evaluated_unit_id", "poster_unit_id"]
# Index renames: (table after the rename, old name, new name, columns after the rename).
INDEXES = (
    ("collection_points", "ix_entry_points_campaign_id", "ix_collection_points_campaign_id", ["campaign_id"]),
    ("collection_points", "ix_entry_points_evaluated_unit_id", "ix_collection_points_evaluated_unit_id",
     ["evaluated_unit_id"]),
    ("collection_points", "ix_entry_points_poster_unit_id", "ix_collection_points_collected_unit_id",
     ["collected_unit_id"]),
    ("responses", "ix_responses_entry_created", "ix_responses_point_created", ["collection_point_id", "created_at"]),
    ("responses", "ix_responses_entry_point_id_id", "ix_responses_collection_point_id_id", ["collection_point_id", "id"]),
)
# Constraint renames on PostgreSQL (SQLite's rebuilt tables take the names the batch gives them).
CONSTRAINTS = (
    ("collection_points", "pk_entry_points", "pk_collection_points"),
    ("collection_points", "uq_entry_points_code", "uq_collection_points_code"),
    ("collection_points", "fk_entry_points_campaign_id_campaigns", "fk_collection_points_campaign_id_campaigns"),
    ("collection_points", "fk_entry_points_evaluated_unit_id_org_units",
     "fk_collection_points_evaluated_unit_id_org_units"),
    ("collection_points", "fk_entry_points_poster_unit_id_org_units", "fk_collection_points_collected_unit_id_org_units"),
    ("collection_points", "fk_entry_points_questionnaire_id_questionnaires",
     "fk_collection_points_questionnaire_id_questionnaires"),
    ("responses", "fk_responses_entry_point_id_entry_points", "fk_responses_collection_point_id_collection_points"),
    ("tally_entries", "fk_tally_entries_entry_point_id_entry_points",
     "fk_tally_entries_collection_point_id_collection_points"),
    ("tally_answers", "fk_tally_answers_entry_point_id_entry_points",
     "fk_tally_answers_collection_point_id_collection_points"),
)


def _unique_name(table: str, columns: list[str]) -> str:
    """The unique constraint over `columns` (PostgreSQL truncated the long conventional name)."""
    for uq in sa.inspect(op.get_bind()).get_unique_constraints(table):
        if uq["column_names"] == columns:
            return uq["name"]
    raise LookupError(f"no unique constraint on {table}{tuple(columns)}")


def _is_postgres() -> bool:
    return op.get_bind().dialect.name == "postgresql"


def upgrade():
    op.rename_table("entry_points", "collection_points")
    old_pair = _unique_name("collection_points", OLD_PAIR)
    pg = _is_postgres()
    qr = sa.text("'qr'")
    with op.batch_alter_table("collection_points") as batch:
        batch.add_column(sa.Column("channel", sa.String(16), nullable=False, server_default=qr))
        batch.alter_column("poster_unit_id", new_column_name="collected_unit_id", existing_type=sa.Integer(),
                           existing_nullable=False)
        batch.alter_column("code", existing_type=sa.String(16), nullable=True)
        batch.drop_constraint(old_pair, type_="unique")
        batch.create_check_constraint(op.f("ck_collection_points_channel"), sa.text(CHANNEL_CHECK))
        if not pg:
            batch.drop_constraint("uq_entry_points_code", type_="unique")
            batch.create_unique_constraint("uq_collection_points_code", ["code"])
    with op.batch_alter_table("responses") as batch:
        batch.add_column(sa.Column("channel", sa.String(16), nullable=False, server_default=qr))
        batch.alter_column("entry_point_id", new_column_name="collection_point_id", existing_type=sa.Integer(),
                           existing_nullable=False)
        batch.alter_column("poster_unit_id", new_column_name="collected_unit_id", existing_type=sa.Integer(),
                           existing_nullable=False)
    for table in ("tally_entries", "tally_answers"):
        with op.batch_alter_table(table) as batch:
            batch.alter_column("entry_point_id", new_column_name="collection_point_id", existing_type=sa.Integer(),
                               existing_nullable=False)
    _rename_indexes_and_constraints(INDEXES, CONSTRAINTS, pg)
    # Every writer names its channel from now on. (The pair's key is made here, not next to
    # the new column: SQLite's batch mode lost a constraint over a column added in the same batch.)
    for table in ("collection_points", "responses"):
        with op.batch_alter_table(table) as batch:
            batch.alter_column("channel", existing_type=sa.String(16), existing_nullable=False, server_default=None)
            if table == "collection_points":
                batch.create_unique_constraint("uq_collection_points_pair", PAIR)


def _rename_indexes_and_constraints(indexes, constraints, pg: bool) -> None:
    if pg:
        for _, old, new, _ in indexes:
            op.execute(f'ALTER INDEX "{old}" RENAME TO "{new}"')
        for table, old, new in constraints:
            op.execute(f'ALTER TABLE "{table}" RENAME CONSTRAINT "{old}" TO "{new}"')
        return
    for table, old, new, columns in indexes:
        with op.batch_alter_table(table) as batch:
            batch.drop_index(old)
            batch.create_index(new, columns)


def downgrade():
    bind = op.get_bind()
    others = bind.execute(sa.text("SELECT count(*) FROM collection_points WHERE channel <> 'qr'")).scalar()
    if others:
        raise RuntimeError(f"{others} collection points of other channels than 'qr' exist: "
                           "the schema before 0007 cannot hold them")
    pg = _is_postgres()
    reverse_indexes = tuple((t, new, old, [c.replace("collection_point_id", "entry_point_id")
                                           .replace("collected_unit_id", "poster_unit_id") for c in cols])
                            for t, old, new, cols in INDEXES)
    reverse_constraints = tuple((t, new, old) for t, old, new in CONSTRAINTS)
    with op.batch_alter_table("collection_points") as batch:
        batch.drop_constraint(op.f("ck_collection_points_channel"), type_="check")
        batch.drop_constraint("uq_collection_points_pair", type_="unique")
        batch.drop_column("channel")
        batch.alter_column("collected_unit_id", new_column_name="poster_unit_id", existing_type=sa.Integer(),
                           existing_nullable=False)
        batch.alter_column("code", existing_type=sa.String(16), nullable=False)
    with op.batch_alter_table("collection_points") as batch:  # after the rename (see upgrade)
        batch.create_unique_constraint(
            "uq_entry_points_campaign_id_questionnaire_id_evaluated__a94d" if pg
            else "uq_entry_points_campaign_id_questionnaire_id_evaluated_unit_id_poster_unit_id", OLD_PAIR)
        if not pg:
            batch.drop_constraint("uq_collection_points_code", type_="unique")
            batch.create_unique_constraint("uq_entry_points_code", ["code"])
    with op.batch_alter_table("responses") as batch:
        batch.drop_column("channel")
        batch.alter_column("collection_point_id", new_column_name="entry_point_id", existing_type=sa.Integer(),
                           existing_nullable=False)
        batch.alter_column("collected_unit_id", new_column_name="poster_unit_id", existing_type=sa.Integer(),
                           existing_nullable=False)
    for table in ("tally_entries", "tally_answers"):
        with op.batch_alter_table(table) as batch:
            batch.alter_column("collection_point_id", new_column_name="entry_point_id", existing_type=sa.Integer(),
                               existing_nullable=False)
    _rename_indexes_and_constraints(reverse_indexes, reverse_constraints, pg)
    op.rename_table("collection_points", "entry_points")
