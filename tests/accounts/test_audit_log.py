"""The audit log is append-only for the application and kept at least 180 days; QR downloads
are audited like poster downloads."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, insert, select, text
from sqlalchemy.exc import DBAPIError

from questionnaire.accounts import audit_log
from questionnaire.accounts.models import AuditEvent
from questionnaire.extensions import db
from questionnaire.kernel.sqltypes import utcnow
from tests.org.test_office_scope_routes import _entry_id

# The triggers are written per dialect (plpgsql / SQLite RAISE).
pytestmark = pytest.mark.both_backends


def _event(days_old: int, action: str = "view_entries") -> int:
    result = db.session.execute(insert(AuditEvent).values(
        at=utcnow() - timedelta(days=days_old), action=action, target="", detail={}))
    db.session.commit()
    return result.inserted_primary_key[0]


def _actions() -> list[str]:
    db.session.rollback()
    return db.session.scalars(select(AuditEvent.action).order_by(AuditEvent.id)).all()


def test_an_audit_row_cannot_be_rewritten(clean_app):
    event = _event(1, "download_poster")
    with pytest.raises(DBAPIError, match="append-only"):
        db.session.execute(text("UPDATE audit_events SET action = 'nothing' WHERE id = :id"), {"id": event})
    assert _actions() == ["download_poster"]


def test_a_recent_audit_row_cannot_be_deleted(clean_app):
    _event(179)
    with pytest.raises(DBAPIError, match="append-only"):
        db.session.execute(text("DELETE FROM audit_events"))
    assert _actions() == ["view_entries"]


def test_the_purge_removes_only_rows_past_the_retention(clean_app):
    _event(400, "old"), _event(200, "older_than_180"), _event(100, "kept"), _event(0, "today")
    assert audit_log.purge(db.session, 180) == 2
    assert _actions() == ["kept", "today"]
    with pytest.raises(audit_log.RetentionTooShort):
        audit_log.purge(db.session, 30)
    assert _actions() == ["kept", "today"]


def test_the_purge_command_refuses_less_than_180_days(runner, clean_app):
    _event(365, "a_year_old"), _event(10, "recent")
    refused = runner.invoke(args=["audit", "purge", "--older-than-days", "179"])
    assert refused.exit_code == 1 and "至少保留 180 天" in refused.output
    assert _actions() == ["a_year_old", "recent"]
    done = runner.invoke(args=["audit", "purge", "--older-than-days", "180"])
    assert done.exit_code == 0 and "purged 1" in done.output
    assert _actions() == ["recent"]


def test_qr_downloads_are_audited_like_posters(login_as, campaign, db_session):
    client = login_as("k1")
    entry = _entry_id(db_session, "K1T1")
    assert client.get(f"/office/entries/{entry}/qr.png").status_code == 200
    assert client.get(f"/office/entries/{entry}/qr.svg").status_code == 200
    rows = db_session.execute(select(AuditEvent.action, AuditEvent.target, AuditEvent.detail)
                              .where(AuditEvent.action == "download_qr").order_by(AuditEvent.id)).all()
    code = campaign.codes["K1T1"]
    assert [(a, t, d["format"]) for a, t, d in rows] == [("download_qr", f"entry:{code}", "png"),
                                                         ("download_qr", f"entry:{code}", "svg")]
    assert db_session.scalar(select(func.count()).select_from(AuditEvent)
                             .where(AuditEvent.action == "download_qr", AuditEvent.user_id.isnot(None))) == 2
