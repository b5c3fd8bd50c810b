"""On PostgreSQL the application connects as a runtime role that cannot rewrite the audit log:
no UPDATE, DELETE or TRUNCATE on audit_events; the retention purge goes through the SECURITY
DEFINER function, which removes only rows older than 180 days."""

from __future__ import annotations

from datetime import timedelta

import psycopg
import pytest
from sqlalchemy import insert, select, text
from sqlalchemy.engine import make_url

from questionnaire.accounts.models import AuditEvent
from questionnaire.extensions import db
from questionnaire.kernel.sqltypes import utcnow
from tests.conftest import REAL_DATABASE_URL

pytestmark = pytest.mark.real_only

# Roles are cluster-wide: a name of this test's own, removed afterwards.
RUNTIME_ROLE = "sq_test_runtime_accountsec"


@pytest.fixture
def runtime(clean_app, runner):
    """A connection as the runtime role, granted by `flask audit grant-runtime` (trust auth on 127.0.0.1)."""
    with db.engine.begin() as conn:
        conn.execute(text(f"DROP ROLE IF EXISTS {RUNTIME_ROLE}"))
        conn.execute(text(f"CREATE ROLE {RUNTIME_ROLE} LOGIN"))
    granted = runner.invoke(args=["audit", "grant-runtime", RUNTIME_ROLE])
    assert granted.exit_code == 0, granted.output
    url = make_url(REAL_DATABASE_URL).set(drivername="postgresql", username=RUNTIME_ROLE, password=None)
    conn = psycopg.connect(url.render_as_string(hide_password=False), autocommit=True)
    yield conn
    conn.close()
    db.session.remove()
    with db.engine.begin() as admin:
        admin.execute(text(f"DROP OWNED BY {RUNTIME_ROLE}"))
        admin.execute(text(f"DROP ROLE {RUNTIME_ROLE}"))


def _old_event(days: int, action: str) -> None:
    db.session.execute(insert(AuditEvent).values(at=utcnow() - timedelta(days=days), action=action,
                                                 target="", detail={}))
    db.session.commit()


def _actions() -> list[str]:
    db.session.rollback()
    return db.session.scalars(select(AuditEvent.action).order_by(AuditEvent.id)).all()


def test_the_runtime_role_appends_and_reads_but_cannot_rewrite(runtime):
    assert runtime.execute("SELECT current_user").fetchone()[0] == RUNTIME_ROLE
    runtime.execute("INSERT INTO audit_events (at, action, target, detail) VALUES (now(), 'login', '', '{}')")
    assert runtime.execute("SELECT count(*) FROM audit_events").fetchone()[0] == 1
    for statement in ("UPDATE audit_events SET action = 'nothing'",
                      "DELETE FROM audit_events",
                      "TRUNCATE audit_events"):
        with pytest.raises(psycopg.errors.InsufficientPrivilege, match="permission denied"):
            runtime.execute(statement)
    assert _actions() == ["login"]


def test_the_runtime_role_cannot_delete_even_expired_rows_directly(runtime):
    _old_event(400, "expired")
    with pytest.raises(psycopg.errors.InsufficientPrivilege):
        runtime.execute("DELETE FROM audit_events WHERE at < now() - interval '365 days'")
    assert _actions() == ["expired"]


def test_the_runtime_role_purges_only_through_the_function(runtime):
    _old_event(400, "expired"), _old_event(181, "just_expired"), _old_event(179, "kept")
    with pytest.raises(psycopg.errors.RaiseException, match="at least 180 days"):
        runtime.execute("SELECT purge_audit_events(30)")
    assert runtime.execute("SELECT purge_audit_events(180)").fetchone()[0] == 2
    assert _actions() == ["kept"]


def test_the_runtime_role_keeps_every_other_right_the_app_needs(runtime, accounts):
    runtime.execute("UPDATE office_users SET failed_logins = 1 WHERE username = 'k1'")
    runtime.execute("DELETE FROM office_recovery_codes")
    assert runtime.execute("SELECT count(*) FROM responses").fetchone()[0] == 0
    with pytest.raises(psycopg.errors.InsufficientPrivilege):
        runtime.execute("UPDATE alembic_version SET version_num = 'x'")

