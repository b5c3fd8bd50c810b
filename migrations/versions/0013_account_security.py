"""Office account security: revocable sessions, a TOTP second factor with recovery codes, and an
append-only audit log.

* `office_users.session_epoch` is part of the session's user id; logout bumps it, so a cookie
  copied before the logout no longer loads its user.
* `office_users.totp_*` hold the encrypted TOTP secret (and the pending one during enrolment);
  `office_recovery_codes` the hashed one-time recovery codes.
* `audit_events` becomes append-only for whoever connects, the table owner included: a trigger
  refuses every UPDATE and the DELETE of any row younger than the retention floor (180 days),
  and on PostgreSQL TRUNCATE too. The retention purge deletes only older rows, which the
  trigger lets through. On PostgreSQL `purge_audit_events(days)` is a SECURITY DEFINER function
  so that a runtime role holding no DELETE on the table can still run the purge (and nothing
  else); `flask audit grant-runtime ROLE` grants that role what the app needs and nothing more
  on the audit log (see the README's production section).

Revision ID: 0013_account_security
Revises: 0012_phone
"""
from alembic import op
import sqlalchemy as sa


revision = "0013_account_security"
down_revision = "0012_phone"
branch_labels = None
depends_on = None

RETENTION_FLOOR_DAYS = 180

PG_UPGRADE = [
    f"""
    CREATE FUNCTION audit_events_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      IF TG_OP = 'DELETE' AND OLD.at < now() - interval '{RETENTION_FLOOR_DAYS} days' THEN
        RETURN OLD;
      END IF;
      RAISE EXCEPTION 'audit_events is append-only: % refused', TG_OP
        USING ERRCODE = 'insufficient_privilege';
    END $$
    """,
    """
    CREATE TRIGGER audit_events_append_only BEFORE UPDATE OR DELETE ON audit_events
    FOR EACH ROW EXECUTE FUNCTION audit_events_append_only()
    """,
    """
    CREATE TRIGGER audit_events_no_truncate BEFORE TRUNCATE ON audit_events
    FOR EACH STATEMENT EXECUTE FUNCTION audit_events_append_only()
    """,
    # Runs with its owner's rights: the runtime role gets EXECUTE on it, never DELETE on the table.
    # search_path is pinned (FROM CURRENT: the migrating schema) so callers cannot redirect it.
    f"""
    CREATE FUNCTION purge_audit_events(older_than_days integer) RETURNS bigint
    LANGUAGE plpgsql SECURITY DEFINER SET search_path FROM CURRENT AS $$
    DECLARE removed bigint;
    BEGIN
      IF older_than_days IS NULL OR older_than_days < {RETENTION_FLOOR_DAYS} THEN
        RAISE EXCEPTION 'audit events are kept at least {RETENTION_FLOOR_DAYS} days';
      END IF;
      DELETE FROM audit_events WHERE at < now() - make_interval(days => older_than_days);
      GET DIAGNOSTICS removed = ROW_COUNT;
      RETURN removed;
    END $$
    """,
    "REVOKE ALL ON FUNCTION purge_audit_events(integer) FROM PUBLIC",
]
PG_DOWNGRADE = [
    "DROP FUNCTION IF EXISTS purge_audit_events(integer)",
    "DROP TRIGGER IF EXISTS audit_events_no_truncate ON audit_events",
    "DROP TRIGGER IF EXISTS audit_events_append_only ON audit_events",
    "DROP FUNCTION IF EXISTS audit_events_append_only()",
]
# SQLite stores UTC datetimes as 'YYYY-MM-DD HH:MM:SS.ffffff' text, which sorts like time.
SQLITE_UPGRADE = [
    """
    CREATE TRIGGER audit_events_no_update BEFORE UPDATE ON audit_events
    BEGIN SELECT RAISE(ABORT, 'audit_events is append-only: UPDATE refused'); END
    """,
    f"""
    CREATE TRIGGER audit_events_no_early_delete BEFORE DELETE ON audit_events
    WHEN OLD.at >= strftime('%Y-%m-%d %H:%M:%f', 'now', '-{RETENTION_FLOOR_DAYS} days')
    BEGIN SELECT RAISE(ABORT, 'audit_events is append-only: DELETE refused'); END
    """,
]
SQLITE_DOWNGRADE = [
    "DROP TRIGGER IF EXISTS audit_events_no_early_delete",
    "DROP TRIGGER IF EXISTS audit_events_no_update",
]


def _is_postgres() -> bool:
    return op.get_bind().dialect.name == "postgresql"


def upgrade():
    with op.batch_alter_table("office_users") as batch:
        batch.add_column(sa.Column("session_epoch", sa.Integer(), nullable=False, server_default="0"))
        batch.add_column(sa.Column("totp_secret", sa.String(255), nullable=True))
        batch.add_column(sa.Column("totp_pending_secret", sa.String(255), nullable=True))
        batch.add_column(sa.Column("totp_enabled_at", sa.DateTime(timezone=True), nullable=True))
        batch.add_column(sa.Column("totp_last_step", sa.BigInteger(), nullable=True))
    op.create_table(
        "office_recovery_codes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("code_hash", sa.String(64), nullable=False),
        sa.Column("used_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["user_id"], ["office_users.id"], ondelete="CASCADE",
                                name=op.f("fk_office_recovery_codes_user_id_office_users")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_office_recovery_codes")),
        sa.UniqueConstraint("user_id", "code_hash", name=op.f("uq_office_recovery_codes_user_id_code_hash")),
    )
    op.create_index(op.f("ix_office_recovery_codes_user_id"), "office_recovery_codes", ["user_id"])
    for statement in PG_UPGRADE if _is_postgres() else SQLITE_UPGRADE:
        op.execute(statement)


def downgrade():
    for statement in PG_DOWNGRADE if _is_postgres() else SQLITE_DOWNGRADE:
        op.execute(statement)
    op.drop_index(op.f("ix_office_recovery_codes_user_id"), table_name="office_recovery_codes")
    op.drop_table("office_recovery_codes")
    with op.batch_alter_table("office_users") as batch:
        for column in ("totp_last_step", "totp_enabled_at", "totp_pending_secret", "totp_secret", "session_epoch"):
            batch.drop_column(column)
