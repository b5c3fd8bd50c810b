"""Rectification tracking (意见建议整改): items, their tasks per responsible entity, the status
history, monthly reports, evidence files, accepted import files and the frozen year figures.

New tables only; nothing existing changes.

Revision ID: 0014_rectification
Revises: 0013_account_security
"""
from alembic import op
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql

revision = "0014_rectification"
down_revision = "0013_account_security"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('rectification_imports',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('digest', sa.String(length=64), nullable=False),
    sa.Column('filename', sa.String(length=160), nullable=False),
    sa.Column('year', sa.Integer(), nullable=False),
    sa.Column('items', sa.Integer(), nullable=False),
    sa.Column('tasks', sa.Integer(), nullable=False),
    sa.Column('imported_by', sa.Integer(), nullable=True),
    sa.Column('imported_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['imported_by'], ['office_users.id'], name=op.f('fk_rectification_imports_imported_by_office_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_rectification_imports')),
    sa.UniqueConstraint('digest', name=op.f('uq_rectification_imports_digest'))
    )
    op.create_table('rectification_years',
    sa.Column('year', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('frozen_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('frozen_by', sa.Integer(), nullable=True),
    sa.Column('figures', sa.JSON().with_variant(postgresql.JSONB(), 'postgresql'), nullable=False),
    sa.Column('carried', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['frozen_by'], ['office_users.id'], name=op.f('fk_rectification_years_frozen_by_office_users')),
    sa.PrimaryKeyConstraint('year', name=op.f('pk_rectification_years'))
    )
    op.create_table('rectification_items',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('year', sa.Integer(), nullable=False),
    sa.Column('seq', sa.Integer(), nullable=True),
    sa.Column('source', sa.String(length=16), nullable=False),
    sa.Column('batch', sa.String(length=64), nullable=False),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('subject', sa.String(length=120), nullable=False),
    sa.Column('category', sa.String(length=32), nullable=False),
    sa.Column('deadline', sa.Date(), nullable=False),
    sa.Column('note', sa.String(length=500), nullable=False),
    sa.Column('source_ref', sa.String(length=64), nullable=True),
    sa.Column('import_id', sa.Integer(), nullable=True),
    sa.Column('carried_into', sa.Integer(), nullable=True),
    sa.Column('created_by', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['created_by'], ['office_users.id'], name=op.f('fk_rectification_items_created_by_office_users')),
    sa.ForeignKeyConstraint(['import_id'], ['rectification_imports.id'], name=op.f('fk_rectification_items_import_id_rectification_imports')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_rectification_items')),
    sa.UniqueConstraint('source_ref', name=op.f('uq_rectification_items_source_ref'))
    )
    with op.batch_alter_table('rectification_items', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_rectification_items_carried_into'), ['carried_into'], unique=False)
        batch_op.create_index(batch_op.f('ix_rectification_items_import_id'), ['import_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_rectification_items_year'), ['year'], unique=False)

    op.create_table('rectification_tasks',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('item_id', sa.Integer(), nullable=False),
    sa.Column('entity_id', sa.Integer(), nullable=False),
    sa.Column('role', sa.String(length=8), nullable=False),
    sa.Column('status', sa.String(length=24), nullable=False),
    sa.Column('deadline', sa.Date(), nullable=False),
    sa.Column('assigned_on', sa.Date(), nullable=False),
    sa.Column('measures', sa.Text(), nullable=False),
    sa.Column('claimed_on', sa.Date(), nullable=True),
    sa.Column('completed_on', sa.Date(), nullable=True),
    sa.Column('closed_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('long_term_reason', sa.String(length=16), nullable=True),
    sa.Column('planned_on', sa.Date(), nullable=True),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint("role IN ('lead', 'assist')", name=op.f('ck_rectification_tasks_role')),
    sa.CheckConstraint("status IN ('assigned', 'accepted', 'in_progress', 'claimed', 'long_term_requested', 'long_term', 'closed')", name=op.f('ck_rectification_tasks_status')),
    sa.ForeignKeyConstraint(['entity_id'], ['org_units.id'], name=op.f('fk_rectification_tasks_entity_id_org_units')),
    sa.ForeignKeyConstraint(['item_id'], ['rectification_items.id'], name=op.f('fk_rectification_tasks_item_id_rectification_items')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_rectification_tasks')),
    sa.UniqueConstraint('item_id', 'entity_id', name=op.f('uq_rectification_tasks_item_id_entity_id'))
    )
    with op.batch_alter_table('rectification_tasks', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_rectification_tasks_entity_id'), ['entity_id'], unique=False)

    op.create_table('rectification_events',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('task_id', sa.Integer(), nullable=False),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=True),
    sa.Column('action', sa.String(length=32), nullable=False),
    sa.Column('from_status', sa.String(length=24), nullable=True),
    sa.Column('to_status', sa.String(length=24), nullable=True),
    sa.Column('note', sa.String(length=1000), nullable=False),
    sa.Column('detail', sa.JSON().with_variant(postgresql.JSONB(), 'postgresql'), nullable=False),
    sa.ForeignKeyConstraint(['task_id'], ['rectification_tasks.id'], name=op.f('fk_rectification_events_task_id_rectification_tasks')),
    sa.ForeignKeyConstraint(['user_id'], ['office_users.id'], name=op.f('fk_rectification_events_user_id_office_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_rectification_events'))
    )
    with op.batch_alter_table('rectification_events', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_rectification_events_task_id'), ['task_id'], unique=False)

    op.create_table('rectification_reports',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('task_id', sa.Integer(), nullable=False),
    sa.Column('year', sa.Integer(), nullable=False),
    sa.Column('month', sa.Integer(), nullable=False),
    sa.Column('progress', sa.Text(), nullable=False),
    sa.Column('reported_by', sa.Integer(), nullable=True),
    sa.Column('reported_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['reported_by'], ['office_users.id'], name=op.f('fk_rectification_reports_reported_by_office_users')),
    sa.ForeignKeyConstraint(['task_id'], ['rectification_tasks.id'], name=op.f('fk_rectification_reports_task_id_rectification_tasks')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_rectification_reports'))
    )
    with op.batch_alter_table('rectification_reports', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_rectification_reports_task_id'), ['task_id'], unique=False)

    op.create_table('rectification_evidence',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('task_id', sa.Integer(), nullable=False),
    sa.Column('report_id', sa.Integer(), nullable=True),
    sa.Column('stored_name', sa.String(length=64), nullable=False),
    sa.Column('original_name', sa.String(length=160), nullable=False),
    sa.Column('kind', sa.String(length=8), nullable=False),
    sa.Column('size', sa.BigInteger(), nullable=False),
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('uploaded_by', sa.Integer(), nullable=True),
    sa.Column('uploaded_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['report_id'], ['rectification_reports.id'], name=op.f('fk_rectification_evidence_report_id_rectification_reports')),
    sa.ForeignKeyConstraint(['task_id'], ['rectification_tasks.id'], name=op.f('fk_rectification_evidence_task_id_rectification_tasks')),
    sa.ForeignKeyConstraint(['uploaded_by'], ['office_users.id'], name=op.f('fk_rectification_evidence_uploaded_by_office_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_rectification_evidence')),
    sa.UniqueConstraint('stored_name', name=op.f('uq_rectification_evidence_stored_name'))
    )
    with op.batch_alter_table('rectification_evidence', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_rectification_evidence_task_id'), ['task_id'], unique=False)


def downgrade():
    with op.batch_alter_table('rectification_evidence', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_rectification_evidence_task_id'))

    op.drop_table('rectification_evidence')
    with op.batch_alter_table('rectification_reports', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_rectification_reports_task_id'))

    op.drop_table('rectification_reports')
    with op.batch_alter_table('rectification_events', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_rectification_events_task_id'))

    op.drop_table('rectification_events')
    with op.batch_alter_table('rectification_tasks', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_rectification_tasks_entity_id'))

    op.drop_table('rectification_tasks')
    with op.batch_alter_table('rectification_items', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_rectification_items_year'))
        batch_op.drop_index(batch_op.f('ix_rectification_items_import_id'))
        batch_op.drop_index(batch_op.f('ix_rectification_items_carried_into'))

    op.drop_table('rectification_items')
    op.drop_table('rectification_years')
    op.drop_table('rectification_imports')
