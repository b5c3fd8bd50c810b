"""Phone interviews (电话访问): sample frames and their numbers (encrypted + keyed HMAC), the
draw, cases and call attempts; office roles `interviewer` (话务员) and `supervisor` (督导).

Only new tables, plus a wider check constraint on office_users.role (SQLite rebuilds that table
through batch mode; PostgreSQL swaps the constraint).

Revision ID: 0012_phone
Revises: 0011_leader
"""
from alembic import op
import sqlalchemy as sa
from sqlalchemy import Text
from sqlalchemy.dialects import postgresql

import questionnaire.kernel.sqltypes

revision = "0012_phone"
down_revision = "0011_leader"
branch_labels = None
depends_on = None

OLD_ROLES = "role IN ('admin', 'county', 'unit')"
NEW_ROLES = "role IN ('admin', 'county', 'unit', 'interviewer', 'supervisor')"


def _roles(check: str) -> None:
    with op.batch_alter_table("office_users") as batch:
        batch.drop_constraint(op.f("ck_office_users_role"), type_="check")
        batch.create_check_constraint("role", check)


def upgrade():
    _roles(NEW_ROLES)
    op.create_table('phone_draws',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('campaign_id', sa.Integer(), nullable=False),
    sa.Column('seed', sa.String(length=64), nullable=False),
    sa.Column('allocation', sa.JSON().with_variant(postgresql.JSONB(astext_type=Text()), 'postgresql'), nullable=False),
    sa.Column('drawn', sa.Integer(), nullable=False),
    sa.Column('warnings', sa.JSON().with_variant(postgresql.JSONB(astext_type=Text()), 'postgresql'), nullable=False),
    sa.Column('drawn_by', sa.Integer(), nullable=True),
    sa.Column('drawn_at', questionnaire.kernel.sqltypes.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['campaign_id'], ['campaigns.id'], name=op.f('fk_phone_draws_campaign_id_campaigns')),
    sa.ForeignKeyConstraint(['drawn_by'], ['office_users.id'], name=op.f('fk_phone_draws_drawn_by_office_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_phone_draws')),
    sa.UniqueConstraint('campaign_id', name=op.f('uq_phone_draws_campaign_id'))
    )
    op.create_table('phone_frames',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('campaign_id', sa.Integer(), nullable=False),
    sa.Column('org_unit_id', sa.Integer(), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('filename', sa.String(length=200), nullable=False),
    sa.Column('file_sha256', sa.String(length=64), nullable=False),
    sa.Column('rows_total', sa.Integer(), nullable=False),
    sa.Column('rows_valid', sa.Integer(), nullable=False),
    sa.Column('rows_invalid', sa.Integer(), nullable=False),
    sa.Column('duplicates', sa.Integer(), nullable=False),
    sa.Column('uploaded_by', sa.Integer(), nullable=True),
    sa.Column('uploaded_at', questionnaire.kernel.sqltypes.UTCDateTime(timezone=True), nullable=False),
    sa.Column('locked_at', questionnaire.kernel.sqltypes.UTCDateTime(timezone=True), nullable=True),
    sa.CheckConstraint("status IN ('draft', 'locked')", name=op.f('ck_phone_frames_status')),
    sa.ForeignKeyConstraint(['campaign_id'], ['campaigns.id'], name=op.f('fk_phone_frames_campaign_id_campaigns')),
    sa.ForeignKeyConstraint(['org_unit_id'], ['org_units.id'], name=op.f('fk_phone_frames_org_unit_id_org_units')),
    sa.ForeignKeyConstraint(['uploaded_by'], ['office_users.id'], name=op.f('fk_phone_frames_uploaded_by_office_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_phone_frames')),
    sa.UniqueConstraint('campaign_id', 'org_unit_id', name=op.f('uq_phone_frames_campaign_id_org_unit_id'))
    )
    op.create_table('phone_frame_numbers',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('frame_id', sa.Integer(), nullable=False),
    sa.Column('row_no', sa.Integer(), nullable=False),
    sa.Column('phone_hmac', sa.String(length=64), nullable=False),
    sa.Column('phone_cipher', sa.Text(), nullable=False),
    sa.Column('sample_type', sa.String(length=32), nullable=False),
    sa.Column('township', sa.String(length=64), nullable=False),
    sa.ForeignKeyConstraint(['frame_id'], ['phone_frames.id'], name=op.f('fk_phone_frame_numbers_frame_id_phone_frames'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_phone_frame_numbers')),
    sa.UniqueConstraint('frame_id', 'phone_hmac', name=op.f('uq_phone_frame_numbers_frame_id_phone_hmac'))
    )
    with op.batch_alter_table('phone_frame_numbers', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_phone_frame_numbers_phone_hmac'), ['phone_hmac'], unique=False)

    op.create_table('phone_cases',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('campaign_id', sa.Integer(), nullable=False),
    sa.Column('frame_number_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('collection_point_id', sa.Integer(), nullable=False),
    sa.Column('evaluated_unit_id', sa.Integer(), nullable=False),
    sa.Column('phone_hmac', sa.String(length=64), nullable=False),
    sa.Column('draw_order', sa.Integer(), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('next_call_at', questionnaire.kernel.sqltypes.UTCDateTime(timezone=True), nullable=True),
    sa.Column('appointment_at', questionnaire.kernel.sqltypes.UTCDateTime(timezone=True), nullable=True),
    sa.Column('last_outcome', sa.Integer(), nullable=True),
    sa.Column('final_class', sa.String(length=8), nullable=True),
    sa.Column('assigned_to', sa.Integer(), nullable=True),
    sa.Column('claimed_at', questionnaire.kernel.sqltypes.UTCDateTime(timezone=True), nullable=True),
    sa.Column('last_called_at', questionnaire.kernel.sqltypes.UTCDateTime(timezone=True), nullable=True),
    sa.Column('release_no', sa.Integer(), nullable=False),
    sa.Column('response_id', sa.BigInteger(), nullable=True),
    sa.Column('review', sa.String(length=8), nullable=True),
    sa.Column('updated_at', questionnaire.kernel.sqltypes.UTCDateTime(timezone=True), nullable=False),
    sa.CheckConstraint("status IN ('fresh', 'retry', 'appointment', 'working', 'hold', 'final')", name=op.f('ck_phone_cases_status')),
    sa.ForeignKeyConstraint(['assigned_to'], ['office_users.id'], name=op.f('fk_phone_cases_assigned_to_office_users')),
    sa.ForeignKeyConstraint(['campaign_id'], ['campaigns.id'], name=op.f('fk_phone_cases_campaign_id_campaigns')),
    sa.ForeignKeyConstraint(['collection_point_id'], ['collection_points.id'], name=op.f('fk_phone_cases_collection_point_id_collection_points')),
    sa.ForeignKeyConstraint(['evaluated_unit_id'], ['org_units.id'], name=op.f('fk_phone_cases_evaluated_unit_id_org_units')),
    sa.ForeignKeyConstraint(['frame_number_id'], ['phone_frame_numbers.id'], name=op.f('fk_phone_cases_frame_number_id_phone_frame_numbers')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_phone_cases')),
    sa.UniqueConstraint('frame_number_id', name=op.f('uq_phone_cases_frame_number_id'))
    )
    with op.batch_alter_table('phone_cases', schema=None) as batch_op:
        batch_op.create_index('ix_phone_cases_phone', ['campaign_id', 'phone_hmac'], unique=False)
        batch_op.create_index('ix_phone_cases_fresh', ['campaign_id', 'status', 'draw_order'], unique=False)
        batch_op.create_index('ix_phone_cases_queue', ['campaign_id', 'status', 'next_call_at'], unique=False)

    op.create_table('phone_call_attempts',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('case_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('interviewer_id', sa.Integer(), nullable=False),
    sa.Column('outcome', sa.Integer(), nullable=False),
    sa.Column('started_at', questionnaire.kernel.sqltypes.UTCDateTime(timezone=True), nullable=False),
    sa.Column('ended_at', questionnaire.kernel.sqltypes.UTCDateTime(timezone=True), nullable=False),
    sa.Column('appointment_at', questionnaire.kernel.sqltypes.UTCDateTime(timezone=True), nullable=True),
    sa.Column('response_id', sa.BigInteger(), nullable=True),
    sa.Column('note', sa.String(length=200), nullable=False),
    sa.Column('review', sa.String(length=8), nullable=True),
    sa.Column('review_reason', sa.String(length=200), nullable=False),
    sa.Column('reviewed_by', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['case_id'], ['phone_cases.id'], name=op.f('fk_phone_call_attempts_case_id_phone_cases')),
    sa.ForeignKeyConstraint(['interviewer_id'], ['office_users.id'], name=op.f('fk_phone_call_attempts_interviewer_id_office_users')),
    sa.ForeignKeyConstraint(['reviewed_by'], ['office_users.id'], name=op.f('fk_phone_call_attempts_reviewed_by_office_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_phone_call_attempts'))
    )
    with op.batch_alter_table('phone_call_attempts', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_phone_call_attempts_case_id'), ['case_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_phone_call_attempts_ended_at'), ['ended_at'], unique=False)



def downgrade():
    with op.batch_alter_table('phone_call_attempts', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_phone_call_attempts_ended_at'))
        batch_op.drop_index(batch_op.f('ix_phone_call_attempts_case_id'))

    op.drop_table('phone_call_attempts')
    with op.batch_alter_table('phone_cases', schema=None) as batch_op:
        batch_op.drop_index('ix_phone_cases_queue')
        batch_op.drop_index('ix_phone_cases_fresh')
        batch_op.drop_index('ix_phone_cases_phone')

    op.drop_table('phone_cases')
    with op.batch_alter_table('phone_frame_numbers', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_phone_frame_numbers_phone_hmac'))

    op.drop_table('phone_frame_numbers')
    op.drop_table('phone_frames')
    op.drop_table('phone_draws')
    # Phone staff accounts stay (audit events name them) but can no longer sign in or see anything.
    op.execute("UPDATE office_users SET role = 'unit', org_unit_id = NULL, is_active = false "
               "WHERE role IN ('interviewer', 'supervisor')")
    _roles(OLD_ROLES)
