"""12345 hotline work-order checks (12345热线工单核查), and the phone queue's partial indexes.

Hotline: work orders (callers' numbers and names encrypted, numbers also as keyed HMAC), the alias
table of 承办单位 names, saved column mappings per source, the draw, each sampled order's check
and the entities' appeals. Phone cases gain a kind (interview / callback): a 12345 callback case
has no frame number and carries its own encrypted number and the order's context.

Phone: the fresh-case index becomes partial (status = 'fresh', by draw order) and a partial
index on the working cases serves the held-case lookup and the left-open tier of the one-statement
claim (queue.claim_next).

Revision ID: 0018_hotline
Revises: 0017_admin
"""
from alembic import op
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql

import questionnaire.kernel.sqltypes

revision = "0018_hotline"
down_revision = "0017_admin"
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
    op.create_table('hotline_column_mappings',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('source', sa.String(length=64), nullable=False),
    sa.Column('columns', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'), nullable=False),
    sa.Column('updated_at', questionnaire.kernel.sqltypes.UTCDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_hotline_column_mappings')),
    sa.UniqueConstraint('source', name=op.f('uq_hotline_column_mappings_source'))
    )
    op.create_table('hotline_orders',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('campaign_id', sa.Integer(), nullable=False),
    sa.Column('order_no', sa.String(length=64), nullable=False),
    sa.Column('row_no', sa.Integer(), nullable=False),
    sa.Column('received_at', questionnaire.kernel.sqltypes.UTCDateTime(timezone=True), nullable=False),
    sa.Column('channel', sa.String(length=16), nullable=False),
    sa.Column('order_type', sa.String(length=16), nullable=False),
    sa.Column('summary', sa.Text(), nullable=False),
    sa.Column('county', sa.String(length=64), nullable=False),
    sa.Column('township', sa.String(length=64), nullable=False),
    sa.Column('handler_name', sa.String(length=200), nullable=False),
    sa.Column('org_unit_id', sa.Integer(), nullable=True),
    sa.Column('deadline_at', questionnaire.kernel.sqltypes.UTCDateTime(timezone=True), nullable=True),
    sa.Column('extended_deadline_at', questionnaire.kernel.sqltypes.UTCDateTime(timezone=True), nullable=True),
    sa.Column('closed_at', questionnaire.kernel.sqltypes.UTCDateTime(timezone=True), nullable=True),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('reply', sa.Text(), nullable=False),
    sa.Column('confidential', sa.Boolean(), nullable=False),
    sa.Column('callback_allowed', sa.Boolean(), nullable=False),
    sa.Column('phone_hmac', sa.String(length=64), nullable=True),
    sa.Column('phone_cipher', sa.Text(), nullable=True),
    sa.Column('caller_name_cipher', sa.Text(), nullable=True),
    sa.Column('imported_at', questionnaire.kernel.sqltypes.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['campaign_id'], ['campaigns.id'], name=op.f('fk_hotline_orders_campaign_id_campaigns')),
    sa.ForeignKeyConstraint(['org_unit_id'], ['org_units.id'], name=op.f('fk_hotline_orders_org_unit_id_org_units')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_hotline_orders')),
    sa.UniqueConstraint('campaign_id', 'order_no', name=op.f('uq_hotline_orders_campaign_id_order_no'))
    )
    with op.batch_alter_table('hotline_orders', schema=None) as batch_op:
        batch_op.create_index('ix_hotline_orders_entity', ['campaign_id', 'org_unit_id'], unique=False)
        batch_op.create_index('ix_hotline_orders_unmapped', ['campaign_id', 'handler_name'], unique=False)

    op.create_table('hotline_aliases',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('org_unit_id', sa.Integer(), nullable=False),
    sa.Column('created_by', sa.Integer(), nullable=True),
    sa.Column('created_at', questionnaire.kernel.sqltypes.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['created_by'], ['office_users.id'], name=op.f('fk_hotline_aliases_created_by_office_users')),
    sa.ForeignKeyConstraint(['org_unit_id'], ['org_units.id'], name=op.f('fk_hotline_aliases_org_unit_id_org_units')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_hotline_aliases')),
    sa.UniqueConstraint('name', name=op.f('uq_hotline_aliases_name'))
    )
    op.create_table('hotline_checks',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('campaign_id', sa.Integer(), nullable=False),
    sa.Column('order_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('org_unit_id', sa.Integer(), nullable=False),
    sa.Column('draw_order', sa.Integer(), nullable=False),
    sa.Column('source', sa.String(length=16), nullable=True),
    sa.Column('contact', sa.String(length=16), nullable=True),
    sa.Column('reached', sa.Boolean(), nullable=True),
    sa.Column('perceived_on_time', sa.String(length=8), nullable=True),
    sa.Column('resolution', sa.String(length=8), nullable=True),
    sa.Column('satisfaction', sa.String(length=4), nullable=True),
    sa.Column('suggestion', sa.String(length=500), nullable=False),
    sa.Column('recording_no', sa.String(length=64), nullable=False),
    sa.Column('called_at', questionnaire.kernel.sqltypes.UTCDateTime(timezone=True), nullable=True),
    sa.Column('response_id', sa.BigInteger(), nullable=True),
    sa.Column('phone_case_id', sa.BigInteger(), nullable=True),
    sa.ForeignKeyConstraint(['campaign_id'], ['campaigns.id'], name=op.f('fk_hotline_checks_campaign_id_campaigns')),
    sa.ForeignKeyConstraint(['order_id'], ['hotline_orders.id'], name=op.f('fk_hotline_checks_order_id_hotline_orders')),
    sa.ForeignKeyConstraint(['org_unit_id'], ['org_units.id'], name=op.f('fk_hotline_checks_org_unit_id_org_units')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_hotline_checks')),
    sa.UniqueConstraint('order_id', name=op.f('uq_hotline_checks_order_id'))
    )
    with op.batch_alter_table('hotline_checks', schema=None) as batch_op:
        batch_op.create_index('ix_hotline_checks_entity', ['campaign_id', 'org_unit_id'], unique=False)

    op.create_table('hotline_draws',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('campaign_id', sa.Integer(), nullable=False),
    sa.Column('seed', sa.String(length=64), nullable=False),
    sa.Column('allocation', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'), nullable=False),
    sa.Column('drawn', sa.Integer(), nullable=False),
    sa.Column('drawn_by', sa.Integer(), nullable=True),
    sa.Column('drawn_at', questionnaire.kernel.sqltypes.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['campaign_id'], ['campaigns.id'], name=op.f('fk_hotline_draws_campaign_id_campaigns')),
    sa.ForeignKeyConstraint(['drawn_by'], ['office_users.id'], name=op.f('fk_hotline_draws_drawn_by_office_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_hotline_draws')),
    sa.UniqueConstraint('campaign_id', name=op.f('uq_hotline_draws_campaign_id'))
    )
    op.create_table('hotline_appeals',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('check_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('rate', sa.String(length=16), nullable=False),
    sa.Column('category', sa.String(length=16), nullable=False),
    sa.Column('reason', sa.String(length=1000), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('decision_reason', sa.String(length=500), nullable=False),
    sa.Column('filed_by', sa.Integer(), nullable=False),
    sa.Column('filed_at', questionnaire.kernel.sqltypes.UTCDateTime(timezone=True), nullable=False),
    sa.Column('decided_by', sa.Integer(), nullable=True),
    sa.Column('decided_at', questionnaire.kernel.sqltypes.UTCDateTime(timezone=True), nullable=True),
    sa.CheckConstraint("status IN ('pending', 'approved', 'refused')", name=op.f('ck_hotline_appeals_status')),
    sa.ForeignKeyConstraint(['check_id'], ['hotline_checks.id'], name=op.f('fk_hotline_appeals_check_id_hotline_checks')),
    sa.ForeignKeyConstraint(['decided_by'], ['office_users.id'], name=op.f('fk_hotline_appeals_decided_by_office_users')),
    sa.ForeignKeyConstraint(['filed_by'], ['office_users.id'], name=op.f('fk_hotline_appeals_filed_by_office_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_hotline_appeals')),
    sa.UniqueConstraint('check_id', 'rate', name=op.f('uq_hotline_appeals_check_id_rate'))
    )
    with op.batch_alter_table('phone_cases', schema=None) as batch_op:
        batch_op.add_column(sa.Column('kind', sa.String(length=16), server_default='interview', nullable=False))
        batch_op.add_column(sa.Column('phone_cipher', sa.Text(), nullable=True))
        batch_op.add_column(sa.Column('context', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'), nullable=True))
        batch_op.alter_column('frame_number_id',
               existing_type=sa.BigInteger().with_variant(sa.Integer(), 'sqlite'),
               nullable=True)
        batch_op.create_check_constraint('kind', "kind IN ('interview', 'callback')")


def _hotline_downgrade():
    with op.batch_alter_table('phone_cases', schema=None) as batch_op:
        batch_op.alter_column('frame_number_id',
               existing_type=sa.BigInteger().with_variant(sa.Integer(), 'sqlite'),
               nullable=False)
        batch_op.drop_constraint(op.f('ck_phone_cases_kind'), type_='check')
        batch_op.drop_column('context')
        batch_op.drop_column('phone_cipher')
        batch_op.drop_column('kind')

    op.drop_table('hotline_appeals')
    op.drop_table('hotline_draws')
    with op.batch_alter_table('hotline_checks', schema=None) as batch_op:
        batch_op.drop_index('ix_hotline_checks_entity')

    op.drop_table('hotline_checks')
    op.drop_table('hotline_aliases')
    with op.batch_alter_table('hotline_orders', schema=None) as batch_op:
        batch_op.drop_index('ix_hotline_orders_unmapped')
        batch_op.drop_index('ix_hotline_orders_entity')

    op.drop_table('hotline_orders')
    op.drop_table('hotline_column_mappings')
