"""Leader evaluation (领导评价): the rater roster, one invitation per rater, paper forms keyed in
twice, and the `leader_paper` channel for them.

Ratings themselves are `responses` on `leader` collection points (0007 already allows the
channel). An invitation stores a nonce and a keyed digest of its token, never the token.

Revision ID: 0011_leader
Revises: 0010_results
"""
from alembic import op
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql

revision = '0011_leader'
down_revision = '0010_results'
branch_labels = None
depends_on = None

OLD_CHANNEL_CHECK = "channel IN ('qr', 'leader', 'phone', 'hotline')"
CHANNEL_CHECK = "channel IN ('qr', 'leader', 'phone', 'hotline', 'leader_paper')"


def upgrade():
    op.create_table('leader_raters',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('campaign_id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=60), nullable=False),
    sa.Column('unit_id', sa.Integer(), nullable=False),
    sa.Column('post', sa.String(length=100), nullable=False),
    sa.Column('category', sa.String(length=20), nullable=False),
    sa.Column('scope', sa.String(length=16), nullable=False),
    sa.Column('avoid_unit_ids', sa.JSON().with_variant(postgresql.JSONB(), 'postgresql'), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint("scope IN ('counties', 'city_units', 'all')", name=op.f('ck_leader_raters_scope')),
    sa.ForeignKeyConstraint(['campaign_id'], ['campaigns.id'], name=op.f('fk_leader_raters_campaign_id_campaigns')),
    sa.ForeignKeyConstraint(['unit_id'], ['org_units.id'], name=op.f('fk_leader_raters_unit_id_org_units')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_leader_raters')),
    sa.UniqueConstraint('campaign_id', 'name', 'unit_id', name=op.f('uq_leader_raters_campaign_id_name_unit_id'))
    )
    with op.batch_alter_table('leader_raters', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_leader_raters_campaign_id'), ['campaign_id'], unique=False)

    op.create_table('leader_invitations',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('campaign_id', sa.Integer(), nullable=False),
    sa.Column('rater_id', sa.Integer(), nullable=False),
    sa.Column('nonce', sa.String(length=32), nullable=False),
    sa.Column('token_digest', sa.String(length=64), nullable=False),
    sa.Column('bound_identity', sa.String(length=64), nullable=True),
    sa.Column('opened_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('started_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('submitted_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['campaign_id'], ['campaigns.id'], name=op.f('fk_leader_invitations_campaign_id_campaigns')),
    sa.ForeignKeyConstraint(['rater_id'], ['leader_raters.id'], name=op.f('fk_leader_invitations_rater_id_leader_raters')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_leader_invitations')),
    sa.UniqueConstraint('rater_id', name=op.f('uq_leader_invitations_rater_id')),
    sa.UniqueConstraint('token_digest', name=op.f('uq_leader_invitations_token_digest'))
    )
    with op.batch_alter_table('leader_invitations', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_leader_invitations_campaign_id'), ['campaign_id'], unique=False)


    op.create_table('leader_paper_forms',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('campaign_id', sa.Integer(), nullable=False),
    sa.Column('invitation_id', sa.Integer(), nullable=False),
    sa.Column('ratee_unit_id', sa.Integer(), nullable=False),
    sa.Column('first_clerk_id', sa.Integer(), nullable=False),
    sa.Column('first_entry', sa.JSON().with_variant(postgresql.JSONB(), 'postgresql'), nullable=False),
    sa.Column('second_clerk_id', sa.Integer(), nullable=True),
    sa.Column('second_entry', sa.JSON().with_variant(postgresql.JSONB(), 'postgresql'), nullable=True),
    sa.Column('resolved', sa.JSON().with_variant(postgresql.JSONB(), 'postgresql'), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('response_id', sa.BigInteger(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['campaign_id'], ['campaigns.id'], name=op.f('fk_leader_paper_forms_campaign_id_campaigns')),
    sa.ForeignKeyConstraint(['first_clerk_id'], ['office_users.id'], name=op.f('fk_leader_paper_forms_first_clerk_id_office_users')),
    sa.ForeignKeyConstraint(['invitation_id'], ['leader_invitations.id'], name=op.f('fk_leader_paper_forms_invitation_id_leader_invitations')),
    sa.ForeignKeyConstraint(['ratee_unit_id'], ['org_units.id'], name=op.f('fk_leader_paper_forms_ratee_unit_id_org_units')),
    sa.ForeignKeyConstraint(['second_clerk_id'], ['office_users.id'], name=op.f('fk_leader_paper_forms_second_clerk_id_office_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_leader_paper_forms')),
    sa.UniqueConstraint('invitation_id', 'ratee_unit_id', name=op.f('uq_leader_paper_forms_invitation_id_ratee_unit_id'))
    )
    with op.batch_alter_table('leader_paper_forms', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_leader_paper_forms_campaign_id'), ['campaign_id'], unique=False)

    # Paper forms arrive through their own channel, leader_paper.
    with op.batch_alter_table('collection_points') as batch:
        batch.drop_constraint(op.f('ck_collection_points_channel'), type_='check')
        batch.create_check_constraint(op.f('ck_collection_points_channel'), sa.text(CHANNEL_CHECK))


def downgrade():
    # Going back would lose stored paper ratings: refuse rather than delete answers.
    if op.get_bind().execute(sa.text("SELECT 1 FROM collection_points WHERE channel = 'leader_paper'")).first():
        raise RuntimeError("leader_paper collection points exist; export and remove them before downgrading")
    with op.batch_alter_table('collection_points') as batch:
        batch.drop_constraint(op.f('ck_collection_points_channel'), type_='check')
        batch.create_check_constraint(op.f('ck_collection_points_channel'), sa.text(OLD_CHANNEL_CHECK))
    with op.batch_alter_table('leader_paper_forms', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_leader_paper_forms_campaign_id'))
    op.drop_table('leader_paper_forms')
    with op.batch_alter_table('leader_invitations', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_leader_invitations_campaign_id'))

    op.drop_table('leader_invitations')
    with op.batch_alter_table('leader_raters', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_leader_raters_campaign_id'))

    op.drop_table('leader_raters')
