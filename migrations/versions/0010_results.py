"""The evaluation result: versioned scoring schemes, office-entered external figures,
publications of results and objections to preliminary results.

Revision ID: 0010_results
Revises: 0009_answer_scope
"""
from alembic import op
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql

revision = "0010_results"
down_revision = "0009_answer_scope"
branch_labels = None
depends_on = None

JSONDoc = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")
UTC = sa.DateTime(timezone=True)


def _fk(table, column, referred):
    return sa.ForeignKeyConstraint([column], [f"{referred}.id"], name=op.f(f"fk_{table}_{column}_{referred}"))


def upgrade():
    op.create_table(
        "scoring_schemes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("campaign_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("scheme", JSONDoc, nullable=False),
        sa.Column("reason", sa.String(500), nullable=False),
        sa.Column("created_by", sa.Integer(), nullable=True),
        sa.Column("created_at", UTC, nullable=False),
        _fk("scoring_schemes", "campaign_id", "campaigns"),
        _fk("scoring_schemes", "created_by", "office_users"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_scoring_schemes")),
        sa.UniqueConstraint("campaign_id", "kind", "version", name=op.f("uq_scoring_schemes_campaign_id_kind_version")),
    )
    op.create_table(
        "result_external_values",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("campaign_id", sa.Integer(), nullable=False),
        sa.Column("unit_id", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(64), nullable=False),
        sa.Column("value", JSONDoc, nullable=False),
        sa.Column("source", sa.String(500), nullable=False),
        sa.Column("entered_by", sa.Integer(), nullable=True),
        sa.Column("entered_at", UTC, nullable=False),
        _fk("result_external_values", "campaign_id", "campaigns"),
        _fk("result_external_values", "unit_id", "org_units"),
        _fk("result_external_values", "entered_by", "office_users"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_result_external_values")),
        sa.UniqueConstraint("campaign_id", "unit_id", "key",
                            name=op.f("uq_result_external_values_campaign_id_unit_id_key")),
    )
    op.create_table(
        "result_publications",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("campaign_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("stage", sa.String(16), nullable=False),
        sa.Column("scheme_id", sa.Integer(), nullable=False),
        sa.Column("results", JSONDoc, nullable=False),
        sa.Column("objections_until", UTC, nullable=True),
        sa.Column("published_by", sa.Integer(), nullable=True),
        sa.Column("published_at", UTC, nullable=False),
        _fk("result_publications", "campaign_id", "campaigns"),
        _fk("result_publications", "scheme_id", "scoring_schemes"),
        _fk("result_publications", "published_by", "office_users"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_result_publications")),
        sa.CheckConstraint("stage IN ('preliminary', 'final')", name=op.f("ck_result_publications_stage")),
    )
    op.create_table(
        "result_objections",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("publication_id", sa.Integer(), nullable=False),
        sa.Column("unit_id", sa.Integer(), nullable=False),
        sa.Column("text", sa.String(2000), nullable=False),
        sa.Column("filed_by", sa.Integer(), nullable=True),
        sa.Column("filed_at", UTC, nullable=False),
        sa.Column("answer", sa.String(2000), nullable=True),
        sa.Column("answered_by", sa.Integer(), nullable=True),
        sa.Column("answered_at", UTC, nullable=True),
        _fk("result_objections", "publication_id", "result_publications"),
        _fk("result_objections", "unit_id", "org_units"),
        _fk("result_objections", "filed_by", "office_users"),
        _fk("result_objections", "answered_by", "office_users"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_result_objections")),
    )
    op.create_index(op.f("ix_result_objections_publication_id"), "result_objections", ["publication_id"])


def downgrade():
    op.drop_index(op.f("ix_result_objections_publication_id"), table_name="result_objections")
    op.drop_table("result_objections")
    op.drop_table("result_publications")
    op.drop_table("result_external_values")
    op.drop_table("scoring_schemes")
