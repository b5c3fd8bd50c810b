"""Core schema: org tree, campaigns, questionnaires, entry points, responses, office users, audit log.

Revision ID: 0001_core
Revises: 
Create Date: 2026-11-21

"""
from alembic import op
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql

# revision identifiers, used by Alembic.
revision = '0001_core'
down_revision = None
branch_labels = None
depends_on = None


def upgrade():

    op.create_table('campaigns',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('slug', sa.String(length=64), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('year', sa.Integer(), nullable=False),
    sa.Column('round', sa.String(length=16), nullable=False),
    sa.Column('target_responses', sa.Integer(), nullable=False),
    sa.Column('opens_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('closes_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('settings', sa.JSON().with_variant(postgresql.JSONB(), 'postgresql'), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_campaigns')),
    sa.UniqueConstraint('slug', name=op.f('uq_campaigns_slug'))
    )
    op.create_table('org_units',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=32), nullable=False),
    sa.Column('name', sa.String(length=120), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('parent_id', sa.Integer(), nullable=True),
    sa.Column('county_id', sa.Integer(), nullable=True),
    sa.Column('sort_order', sa.Integer(), nullable=False),
    sa.CheckConstraint("kind IN ('city', 'county', 'township', 'city_unit')", name=op.f('ck_org_units_kind')),
    sa.ForeignKeyConstraint(['county_id'], ['org_units.id'], name=op.f('fk_org_units_county_id_org_units')),
    sa.ForeignKeyConstraint(['parent_id'], ['org_units.id'], name=op.f('fk_org_units_parent_id_org_units')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_org_units')),
    sa.UniqueConstraint('code', name=op.f('uq_org_units_code'))
    )
    with op.batch_alter_table('org_units', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_org_units_county_id'), ['county_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_org_units_parent_id'), ['parent_id'], unique=False)

    op.create_table('office_users',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('username', sa.String(length=64), nullable=False),
    sa.Column('password_hash', sa.String(length=256), nullable=False),
    sa.Column('display_name', sa.String(length=120), nullable=False),
    sa.Column('role', sa.String(length=16), nullable=False),
    sa.Column('org_unit_id', sa.Integer(), nullable=True),
    sa.Column('is_active', sa.Boolean(), nullable=False),
    sa.Column('failed_logins', sa.Integer(), nullable=False),
    sa.Column('locked_until', sa.DateTime(timezone=True), nullable=True),
    sa.Column('last_login_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint("role IN ('admin', 'county', 'unit')", name=op.f('ck_office_users_role')),
    sa.ForeignKeyConstraint(['org_unit_id'], ['org_units.id'], name=op.f('fk_office_users_org_unit_id_org_units')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_office_users')),
    sa.UniqueConstraint('username', name=op.f('uq_office_users_username'))
    )
    op.create_table('questionnaires',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('campaign_id', sa.Integer(), nullable=False),
    sa.Column('key', sa.String(length=64), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('definition', sa.JSON().with_variant(postgresql.JSONB(), 'postgresql'), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['campaign_id'], ['campaigns.id'], name=op.f('fk_questionnaires_campaign_id_campaigns')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_questionnaires')),
    sa.UniqueConstraint('campaign_id', 'key', name=op.f('uq_questionnaires_campaign_id_key'))
    )
    with op.batch_alter_table('questionnaires', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_questionnaires_campaign_id'), ['campaign_id'], unique=False)

    op.create_table('audit_events',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=True),
    sa.Column('action', sa.String(length=64), nullable=False),
    sa.Column('target', sa.String(length=200), nullable=False),
    sa.Column('detail', sa.JSON().with_variant(postgresql.JSONB(), 'postgresql'), nullable=False),
    sa.Column('ip_hash', sa.String(length=32), nullable=True),
    sa.ForeignKeyConstraint(['user_id'], ['office_users.id'], name=op.f('fk_audit_events_user_id_office_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_audit_events'))
    )
    with op.batch_alter_table('audit_events', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_audit_events_at'), ['at'], unique=False)

    op.create_table('entry_points',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=16), nullable=False),
    sa.Column('campaign_id', sa.Integer(), nullable=False),
    sa.Column('questionnaire_id', sa.Integer(), nullable=False),
    sa.Column('evaluated_unit_id', sa.Integer(), nullable=False),
    sa.Column('poster_unit_id', sa.Integer(), nullable=False),
    sa.Column('is_enabled', sa.Boolean(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['campaign_id'], ['campaigns.id'], name=op.f('fk_entry_points_campaign_id_campaigns')),
    sa.ForeignKeyConstraint(['evaluated_unit_id'], ['org_units.id'], name=op.f('fk_entry_points_evaluated_unit_id_org_units')),
    sa.ForeignKeyConstraint(['poster_unit_id'], ['org_units.id'], name=op.f('fk_entry_points_poster_unit_id_org_units')),
    sa.ForeignKeyConstraint(['questionnaire_id'], ['questionnaires.id'], name=op.f('fk_entry_points_questionnaire_id_questionnaires')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_entry_points')),
    sa.UniqueConstraint('campaign_id', 'questionnaire_id', 'evaluated_unit_id', 'poster_unit_id', name=op.f('uq_entry_points_campaign_id_questionnaire_id_evaluated_unit_id_poster_unit_id')),
    sa.UniqueConstraint('code', name=op.f('uq_entry_points_code'))
    )
    with op.batch_alter_table('entry_points', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_entry_points_campaign_id'), ['campaign_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_entry_points_evaluated_unit_id'), ['evaluated_unit_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_entry_points_poster_unit_id'), ['poster_unit_id'], unique=False)

    op.create_table('responses',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('campaign_id', sa.Integer(), nullable=False),
    sa.Column('questionnaire_id', sa.Integer(), nullable=False),
    sa.Column('questionnaire_version', sa.Integer(), nullable=False),
    sa.Column('entry_point_id', sa.Integer(), nullable=False),
    sa.Column('evaluated_unit_id', sa.Integer(), nullable=False),
    sa.Column('poster_unit_id', sa.Integer(), nullable=False),
    sa.Column('participant_hash', sa.String(length=64), nullable=False),
    sa.Column('identity_kind', sa.String(length=16), nullable=False),
    sa.Column('submission_id', sa.String(length=64), nullable=False),
    sa.Column('answers', sa.JSON().with_variant(postgresql.JSONB(), 'postgresql'), nullable=False),
    sa.Column('answers_digest', sa.String(length=64), nullable=False),
    sa.Column('duration_seconds', sa.Integer(), nullable=True),
    sa.Column('ip_hash', sa.String(length=32), nullable=True),
    sa.Column('user_agent_class', sa.String(length=32), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('flags', sa.Integer(), server_default='0', nullable=False),
    sa.Column('tallied', sa.Boolean(), server_default=sa.false(), nullable=False),
    sa.ForeignKeyConstraint(['campaign_id'], ['campaigns.id'], name=op.f('fk_responses_campaign_id_campaigns')),
    sa.ForeignKeyConstraint(['entry_point_id'], ['entry_points.id'], name=op.f('fk_responses_entry_point_id_entry_points')),
    sa.ForeignKeyConstraint(['evaluated_unit_id'], ['org_units.id'], name=op.f('fk_responses_evaluated_unit_id_org_units')),
    sa.ForeignKeyConstraint(['poster_unit_id'], ['org_units.id'], name=op.f('fk_responses_poster_unit_id_org_units')),
    sa.ForeignKeyConstraint(['questionnaire_id'], ['questionnaires.id'], name=op.f('fk_responses_questionnaire_id_questionnaires')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_responses')),
    sa.UniqueConstraint('campaign_id', 'participant_hash', name=op.f('uq_responses_campaign_id_participant_hash')),
    sa.UniqueConstraint('submission_id', name=op.f('uq_responses_submission_id'))
    )
    with op.batch_alter_table('responses', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_responses_created_at'), ['created_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_responses_entry_point_id'), ['entry_point_id'], unique=False)
        batch_op.create_index('ix_responses_untallied', ['id'], unique=False, postgresql_where=sa.text('NOT tallied'), sqlite_where=sa.text('NOT tallied'))




def downgrade():

    with op.batch_alter_table('responses', schema=None) as batch_op:
        batch_op.drop_index('ix_responses_untallied', postgresql_where=sa.text('NOT tallied'), sqlite_where=sa.text('NOT tallied'))
        batch_op.drop_index(batch_op.f('ix_responses_entry_point_id'))
        batch_op.drop_index(batch_op.f('ix_responses_created_at'))

    op.drop_table('responses')
    with op.batch_alter_table('entry_points', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_entry_points_poster_unit_id'))
        batch_op.drop_index(batch_op.f('ix_entry_points_evaluated_unit_id'))
        batch_op.drop_index(batch_op.f('ix_entry_points_campaign_id'))

    op.drop_table('entry_points')
    with op.batch_alter_table('audit_events', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_audit_events_at'))

    op.drop_table('audit_events')
    with op.batch_alter_table('questionnaires', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_questionnaires_campaign_id'))

    op.drop_table('questionnaires')
    op.drop_table('office_users')
    with op.batch_alter_table('org_units', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_org_units_parent_id'))
        batch_op.drop_index(batch_op.f('ix_org_units_county_id'))

    op.drop_table('org_units')
    op.drop_table('campaigns')

