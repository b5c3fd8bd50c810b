"""An outage seen outside the submit path is a clear 503, never a 500 (no server processes needed:
the failing lookup is simulated; tests/faults/test_postgres_restart.py does it for real)."""

from __future__ import annotations

import contextvars

import pytest
import redis
from sqlalchemy.exc import OperationalError

from questionnaire.intake.points import EntryCatalog


@pytest.fixture
def database_down(monkeypatch):
    def refuse(self, session, code):
        raise OperationalError("SELECT ...", {}, Exception("connection refused"))

    monkeypatch.setattr(EntryCatalog, "resolve", refuse)


def test_api_entry_lookup_during_a_database_outage_is_a_503_json_body(client, campaign, database_down):
    response = client.post(f"/api/v1/entries/{campaign.codes['K1']}/responses",
                           json={"submission_id": "0b6f1f0e-1a6e-4c55-9d0f-4cfb7a0d1c11", "answers": {}})
    assert response.status_code == 503
    assert response.get_json()["error"]["code"] == "service_unavailable"
    assert response.headers["Retry-After"] == "5"


def test_survey_page_during_a_database_outage_is_the_chinese_503_page(client, campaign, database_down):
    response = client.get(f"/s/{campaign.codes['K1']}")
    assert response.status_code == 503
    page = response.get_data(as_text=True)
    assert "尚未保存" in page and "提交成功，感谢" not in page


def test_redis_unreachable_outside_the_fast_path_is_a_503(client, campaign, monkeypatch):
    def refuse(self, session, code):
        raise redis.ConnectionError("Error 111 connecting to 127.0.0.1:6379. Connection refused.")

    monkeypatch.setattr(EntryCatalog, "resolve", refuse)
    assert client.get(f"/api/v1/entries/{campaign.codes['K1']}").status_code == 503


def test_a_real_bug_is_still_a_500(client, campaign, monkeypatch):
    def broken(self, session, code):
        raise KeyError("not an outage")

    monkeypatch.setattr(EntryCatalog, "resolve", broken)
    assert client.get(f"/api/v1/entries/{campaign.codes['K1']}").status_code == 500


@pytest.mark.both_backends  # PostgreSQL has its own writer
def test_a_commit_whose_answer_was_lost_is_a_503_and_the_retry_gets_the_same_receipt(client, campaign, monkeypatch):
    """The one way a 503 can follow a commit: the database committed but the connection died
    before it said so, and the store's own retry on a fresh connection died too. The client
    retries with the same submission_id and gets the receipt."""
    from sqlalchemy import func, select

    from questionnaire.extensions import db
    from questionnaire.intake.models import Response
    from questionnaire.intake.writer import DatabaseUnavailable, writer_for

    writer = writer_for(db.engine)
    real_insert = writer.insert

    def commit_then_lose_the_answer(row):
        real_insert(row)
        raise DatabaseUnavailable(lost=True)

    monkeypatch.setattr(writer, "insert", commit_then_lose_the_answer)
    url = f"/api/v1/entries/{campaign.codes['K1']}/responses"
    body = {"submission_id": "5d0c6a53-3c1e-4bb4-9d0b-6f1f8a2c7e10",
            "answers": {"gov": "5", "security": "4", "transport": "3"}}

    lost = client.post(url, json=body)
    assert lost.status_code == 503 and lost.get_json()["error"]["code"] == "service_unavailable"
    monkeypatch.undo()
    retried = client.post(url, json=body)
    assert retried.status_code == 200
    assert retried.get_json()["status"] == "replayed"
    assert retried.get_json()["submission_id"] == body["submission_id"]
    assert db.session.scalar(select(func.count()).select_from(Response)) == 1


@pytest.mark.real_only
def test_a_connection_killed_before_the_session_is_released_does_not_turn_the_answer_into_a_500(
        client, campaign, monkeypatch):
    """PostgreSQL terminates the request's session connection (as a fast shutdown does) after
    the work is done: the answer already built is sent, the dead connection is thrown away."""
    from sqlalchemy import text

    from questionnaire.extensions import db

    engine = db.engine
    real_rollback = engine.dialect.do_rollback
    terminated = []

    def rollback_after_the_server_killed_the_connection(dbapi_connection):
        if not terminated:
            terminated.append(dbapi_connection.driver_connection.info.backend_pid)
            with engine.connect() as admin:
                admin.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": terminated[0]})
        real_rollback(dbapi_connection)

    def get_as_in_production(url):
        # A fresh context, as in a gunicorn thread: the request pushes (and tears down) its own
        # app context instead of sharing the fixture's, so the session is released at its end.
        return contextvars.Context().run(client.get, url)

    url = f"/api/v1/entries/{campaign.codes['K1']}"  # the entry lookup goes through db.session
    monkeypatch.setattr(engine.dialect, "do_rollback", rollback_after_the_server_killed_the_connection)
    response = get_as_in_production(url)
    assert len(terminated) == 1
    assert response.status_code == 200 and response.get_json()["code"] == campaign.codes["K1"]
    assert get_as_in_production(url).status_code == 200
    # The dead connection went back to the pool as invalidated, not left checked out.
    assert engine.pool.checkedout() <= 1  # the fixture's own session at most
