"""The audit log's retention purge and the PostgreSQL runtime role's grants.

The log is append-only for the application (migration 0013): a trigger refuses every UPDATE
and the DELETE of any row younger than RETENTION_FLOOR_DAYS, whoever asks; on PostgreSQL the
runtime role additionally holds no UPDATE, DELETE or TRUNCATE on it, and purges through
`purge_audit_events(days)`, a SECURITY DEFINER function that deletes only older rows.
"""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import delete, text
from sqlalchemy.orm import Session

from questionnaire.accounts.models import AuditEvent
from questionnaire.kernel.dialect import is_postgres
from questionnaire.kernel.errors import ServiceError
from questionnaire.kernel.sqltypes import utcnow

# MLPS level 3 asks for at least six months of audit records; the migration's trigger holds the same floor.
RETENTION_FLOOR_DAYS = 180
ROLE_NAME_CHARS = set("abcdefghijklmnopqrstuvwxyz0123456789_")


class RetentionTooShort(ServiceError):
    status, code, message = 422, "retention_too_short", f"审计日志至少保留 {RETENTION_FLOOR_DAYS} 天"


def purge(session: Session, older_than_days: int) -> int:
    """Delete audit events older than `older_than_days` (>= 180); returns how many (commits)."""
    if older_than_days < RETENTION_FLOOR_DAYS:
        raise RetentionTooShort()
    if is_postgres(session.connection()):
        removed = session.scalar(text("SELECT purge_audit_events(:days)"), {"days": older_than_days})
    else:
        removed = session.execute(
            delete(AuditEvent).where(AuditEvent.at < utcnow() - timedelta(days=older_than_days))).rowcount
    session.commit()
    return int(removed or 0)


def runtime_role_grants(role: str, schema: str = "public") -> list[str]:
    """What the application's login role needs: everything on the data, nothing that rewrites the log.

    Run by the owner role (the one that runs migrations); the default privileges give tables
    that later migrations create the same grants, and re-running after an upgrade is harmless.
    """
    for name in (role, schema):
        if not name or set(name) - ROLE_NAME_CHARS:
            raise ServiceError("角色名和模式名只能包含小写字母、数字和下划线")
    return [
        f"GRANT USAGE ON SCHEMA {schema} TO {role}",
        f"GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA {schema} TO {role}",
        f"GRANT USAGE, SELECT, UPDATE ON ALL SEQUENCES IN SCHEMA {schema} TO {role}",
        f"ALTER DEFAULT PRIVILEGES IN SCHEMA {schema} GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO {role}",
        f"ALTER DEFAULT PRIVILEGES IN SCHEMA {schema} GRANT USAGE, SELECT, UPDATE ON SEQUENCES TO {role}",
        f"REVOKE UPDATE, DELETE, TRUNCATE ON audit_events FROM {role}",
        f"REVOKE INSERT, UPDATE, DELETE, TRUNCATE ON alembic_version FROM {role}",
        f"GRANT EXECUTE ON FUNCTION purge_audit_events(integer) TO {role}",
    ]


def grant_runtime_role(session: Session, role: str) -> None:
    if not is_postgres(session.connection()):
        raise ServiceError("只有 PostgreSQL 有数据库角色")
    schema = session.scalar(text("SELECT current_schema()"))
    for statement in runtime_role_grants(role, schema):
        session.execute(text(statement))
    session.commit()
