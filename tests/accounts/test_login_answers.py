"""The login form tells nobody which user names exist or which account is locked, and it slows
down one name guessed from one address instead of locking out everyone behind that address."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from questionnaire.accounts import service, throttle
from questionnaire.accounts.models import AuditEvent, OfficeUser
from questionnaire.extensions import redis_store
from questionnaire.kernel.sqltypes import utcnow
from tests.fixtures.accounts import PASSWORD

# The throttle lives in Redis: fakeredis and the real server must agree.
pytestmark = pytest.mark.both_backends


def attempt(client, username, password, address="203.0.113.10"):
    return client.post("/office/login", data={"username": username, "password": password},
                       environ_base={"REMOTE_ADDR": address})


def _answer(response, username):
    """What the visitor learns: status, headers that matter and the page without the echoed name."""
    page = response.get_data(as_text=True).replace(f'value="{username}"', 'value=""')
    return response.status_code, response.headers.get("Retry-After"), page


@pytest.fixture
def hash_checks(monkeypatch):
    """Counts password hash checks: the login's cost, and so its time, per path."""
    calls = []
    real = service.check_password_hash

    def counting(pwhash, password):
        calls.append(pwhash.split(":")[0])
        return real(pwhash, password)

    monkeypatch.setattr(service, "check_password_hash", counting)
    return calls


def test_unknown_name_wrong_password_and_locked_account_answer_alike(client, accounts, db_session, hash_checks):
    locked = db_session.get(OfficeUser, accounts.k1)
    locked.locked_until = utcnow() + timedelta(minutes=10)
    db_session.commit()

    unknown = attempt(client, "no-such-office", PASSWORD, "203.0.113.1")
    wrong = attempt(client, "k2", "wrong-password", "203.0.113.2")
    right_but_locked = attempt(client, "k1", PASSWORD, "203.0.113.3")

    assert _answer(unknown, "no-such-office") == _answer(wrong, "k2") == _answer(right_but_locked, "k1")
    assert unknown.status_code == 401 and "用户名或密码错误" in unknown.get_data(as_text=True)
    assert "锁定" not in right_but_locked.get_data(as_text=True)
    # One hash check of the same method on every path: the same timing class.
    assert len(hash_checks) == 3 and len(set(hash_checks)) == 1
    # The audit log, not the visitor, learns what happened.
    actions = db_session.scalars(select(AuditEvent.action).order_by(AuditEvent.id)).all()
    assert actions == ["login_failed", "login_failed", "login_refused_locked"]


def test_a_real_and_an_unknown_name_meet_the_same_sequence_of_answers(client, accounts):
    real = [attempt(client, "k1", "nope-nope", "203.0.113.4") for _ in range(7)]
    unknown = [attempt(client, "ghost", "nope-nope", "203.0.113.5") for _ in range(7)]
    assert [_answer(r, "k1") for r in real] == [_answer(r, "ghost") for r in unknown]
    assert [r.status_code for r in real] == [401] * 5 + [429, 429]
    assert real[5].headers["Retry-After"] == "2" and "秒后再试" in real[5].get_data(as_text=True)


def test_one_persons_failures_do_not_slow_colleagues_behind_the_same_address(client, accounts):
    office_nat = "198.51.100.77"
    for _ in range(12):  # far past what the old per-address backstop allowed
        attempt(client, "k1", "typo-typo", office_nat)
    for n in range(40):  # and a spray over many names from the same address
        attempt(client, f"ghost{n}", "typo-typo", office_nat)
    assert attempt(client, "k1", PASSWORD, office_nat).status_code == 429  # the guessed name waits
    colleague = attempt(client, "k2", PASSWORD, office_nat)
    assert colleague.status_code == 302  # another name at the same address is not slowed at all


def test_the_wait_grows_with_each_failure_and_passes(clean_app, accounts):
    assert [throttle.wait_after(n) for n in range(1, 12)] == [0, 0, 0, 0, 2, 4, 8, 16, 32, 64, 128]
    assert throttle.wait_after(40) == throttle.MAX_WAIT_SECONDS
    pair = throttle.LoginThrottle(redis_store.client(clean_app), "sq:office:login-throttle:test")
    for _ in range(5):
        pair.note_failure(now=1000.0)
    assert pair.retry_after(now=1000.5) == 2
    assert pair.retry_after(now=1002.0) == 0  # slowed down, never locked out


def test_a_successful_login_clears_the_pairs_failures(client, accounts):
    for _ in range(3):
        attempt(client, "k2", "typo-typo")
    assert attempt(client, "k2", PASSWORD).status_code == 302
    client.post("/office/logout")
    for _ in range(4):
        assert attempt(client, "k2", "typo-typo").status_code == 401  # counting starts again
