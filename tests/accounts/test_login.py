"""Office login: hashed passwords, lockout, CSRF, logout, session holds only the user id."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from questionnaire.accounts.models import AuditEvent, OfficeUser
from tests.fixtures.accounts import PASSWORD, login


def test_office_pages_require_login(client, accounts):
    response = client.get("/office/")
    assert response.status_code == 302
    assert "/office/login" in response.headers["Location"]


@pytest.mark.usefixtures("shipped_password_hashing")
def test_password_is_stored_hashed_and_login_is_audited(client, accounts, db_session):
    user = db_session.get(OfficeUser, accounts.k1)
    assert PASSWORD not in user.password_hash and user.password_hash.startswith("scrypt:")
    response = login(client, "k1")
    assert response.status_code == 302
    assert client.get("/office/", follow_redirects=True).status_code == 200
    actions = db_session.scalars(select(AuditEvent.action).where(AuditEvent.user_id == accounts.k1)).all()
    assert "login" in actions


def test_wrong_password_is_refused_with_a_chinese_message(client, accounts):
    response = login(client, "k1", "wrong-password")
    assert response.status_code == 401
    assert "用户名或密码错误" in response.get_data(as_text=True)


def test_five_failures_lock_the_account_even_for_the_right_password(client, accounts, db_session):
    for _ in range(5):
        assert login(client, "k1", "nope-nope").status_code == 401
    db_session.expire_all()
    assert db_session.get(OfficeUser, accounts.k1).locked_until is not None
    other_address = {"REMOTE_ADDR": "198.51.100.9"}  # past the per-address throttle: the lock itself refuses
    locked = client.post("/office/login", data={"username": "k1", "password": PASSWORD}, environ_base=other_address)
    assert locked.status_code == 401
    assert client.get("/office/").status_code == 302  # not logged in
    actions = db_session.scalars(select(AuditEvent.action).where(AuditEvent.user_id == accounts.k1)).all()
    assert actions.count("login_failed") == 5 and "login_refused_locked" in actions


def test_session_cookie_holds_only_the_user_id_and_its_epoch(client, accounts):
    login(client, "k2")
    with client.session_transaction() as sess:
        assert sess["_user_id"] == f"{accounts.k2}:0"
        assert set(sess.keys()) <= {"_user_id", "_fresh", "_permanent", "csrf_token", "_flashes"}
        assert sess.permanent


def test_office_session_expires(client, accounts, clean_app):
    assert clean_app.permanent_session_lifetime.total_seconds() == 30 * 60


def test_logout_ends_the_session(client, accounts):
    login(client, "k1")
    client.post("/office/logout")
    assert client.get("/office/").status_code == 302


def test_a_cookie_copied_before_logout_no_longer_works(clean_app, accounts):
    staff, thief = clean_app.test_client(), clean_app.test_client()
    login(staff, "k1")
    copied = staff.get_cookie("session").value
    thief.set_cookie("session", copied)
    assert _lands_on(thief, "/office/") != "/office/login"  # the copy works while the session lives
    staff.post("/office/logout")
    assert _lands_on(thief, "/office/") == "/office/login"
    assert _lands_on(thief, "/dashboard/") == "/office/login"


def test_logging_in_again_after_logout_works(client, accounts):
    login(client, "k1")
    client.post("/office/logout")
    assert login(client, "k1").status_code == 302
    assert _lands_on(client, "/office/") != "/office/login"


def _lands_on(client, url):
    response = client.get(url, follow_redirects=True)
    assert response.status_code == 200
    return response.request.path


def test_login_redirect_ignores_foreign_next(client, accounts):
    response = client.post("/office/login?next=https://evil.example/x",
                           data={"username": "k1", "password": PASSWORD})
    assert response.headers["Location"].endswith("/office/")


def test_post_without_csrf_token_is_refused_when_csrf_is_on(client, accounts, clean_app):
    clean_app.config["WTF_CSRF_ENABLED"] = True
    try:
        response = client.post("/office/login", data={"username": "k1", "password": PASSWORD})
        assert response.status_code == 400
        assert "页面已过期" in response.get_data(as_text=True)
        page = client.get("/office/login").get_data(as_text=True)
        token = page.split('name="csrf_token" value="')[1].split('"')[0]
        ok = client.post("/office/login", data={"username": "k1", "password": PASSWORD, "csrf_token": token})
        assert ok.status_code == 302
    finally:
        clean_app.config["WTF_CSRF_ENABLED"] = False


def test_cli_creates_accounts(runner, campaign, db_session):
    result = runner.invoke(args=["create-user", "k9", "--role", "county", "--unit", "K2"])
    assert result.exit_code == 0, result.output
    assert "password:" in result.output
    created = db_session.scalar(select(OfficeUser).where(OfficeUser.username == "k9"))
    assert created.org_unit_id == campaign.units["K2"].id
    bad = runner.invoke(args=["create-user", "k8", "--role", "county", "--unit", "K1T1", "--password", "x" * 10])
    assert bad.exit_code == 1 and "不是县区" in bad.output
