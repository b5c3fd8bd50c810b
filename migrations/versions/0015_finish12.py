"""Leader invitations lifecycle: revoked invitations, successors, reopened ballots (rounds).

leader_raters.succeeds_rater_id, leader_invitations.revoked_at and .round, leader_paper_forms.round
(its unique key gains the round, so a reopened ballot can be keyed in on paper again).

Revision ID: 0015_finish12
Revises: 0014_rectification
"""
from alembic import op
import sqlalchemy as sa

revision = "0015_finish12"
down_revision = "0014_rectification"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('leader_raters', schema=None) as batch_op:
        batch_op.add_column(sa.Column('succeeds_rater_id', sa.Integer(), nullable=True))
        batch_op.create_foreign_key(batch_op.f('fk_leader_raters_succeeds_rater_id_leader_raters'),
                                    'leader_raters', ['succeeds_rater_id'], ['id'])
    with op.batch_alter_table('leader_invitations', schema=None) as batch_op:
        batch_op.add_column(sa.Column('revoked_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('round', sa.Integer(), server_default='0', nullable=False))
    with op.batch_alter_table('leader_paper_forms', schema=None) as batch_op:
        batch_op.add_column(sa.Column('round', sa.Integer(), server_default='0', nullable=False))
        batch_op.drop_constraint(batch_op.f('uq_leader_paper_forms_invitation_id_ratee_unit_id'), type_='unique')
        batch_op.create_unique_constraint(batch_op.f('uq_leader_paper_forms_invitation_id_ratee_unit_id_round'),
                                          ['invitation_id', 'ratee_unit_id', 'round'])


def downgrade():
    # Going back would merge rounds of reopened ballots: refuse rather than lose which counts.
    if op.get_bind().execute(sa.text("SELECT 1 FROM leader_invitations WHERE round > 0 OR revoked_at IS NOT NULL"
                                     )).first():
        raise RuntimeError("reopened or revoked leader invitations exist; downgrading would lose their state")
    with op.batch_alter_table('leader_paper_forms', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('uq_leader_paper_forms_invitation_id_ratee_unit_id_round'), type_='unique')
        batch_op.create_unique_constraint(batch_op.f('uq_leader_paper_forms_invitation_id_ratee_unit_id'),
                                          ['invitation_id', 'ratee_unit_id'])
        batch_op.drop_column('round')
    with op.batch_alter_table('leader_invitations', schema=None) as batch_op:
        batch_op.drop_column('round')
        batch_op.drop_column('revoked_at')
    with op.batch_alter_table('leader_raters', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_leader_raters_succeeds_rater_id_leader_raters'), type_='foreignkey')
        batch_op.drop_column('succeeds_rater_id')
