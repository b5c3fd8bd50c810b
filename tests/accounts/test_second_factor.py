"""TOTP second factor: enrolment by QR, login with password + code, recovery codes, replay,
accounts that must enrol, and the secret encrypted at rest."""

from __future__ import annotations

import re

import pyotp
import pytest
from sqlalchemy import select

from questionnaire.accounts import totp
from questionnaire.accounts.models import AuditEvent, OfficeUser, RecoveryCode
from questionnaire.kernel import crypto
from questionnaire.settings import SettingsError, config_from_env
from tests.fixtures.accounts import login


def enrol(client) -> tuple[str, list[str]]:
    """Enrol the logged-in account as a person would: read the key off the page, type the code."""
    page = client.get("/office/account/second-factor").get_data(as_text=True)
    secret = re.search(r'id="totp-secret">([A-Z2-7 ]+)<', page).group(1).replace(" ", "")
    done = client.post("/office/account/second-factor", data={"code": pyotp.TOTP(secret).now()})
    assert done.status_code == 200, done.get_data(as_text=True)
    codes = re.findall(r"<li>([A-Z0-9]{4}(?:-[A-Z0-9]{4}){3})</li>", done.get_data(as_text=True))
    return secret, codes


def code_after(secret, last_step):
    """A valid code of a later time step than the one enrolment used (each step works once)."""
    return pyotp.TOTP(secret).at((last_step + 1) * totp.STEP_SECONDS)


@pytest.fixture
def enrolled_k1(client, accounts):
    login(client, "k1")
    secret, codes = enrol(client)
    client.post("/office/logout")
    return secret, codes


def test_enrolment_shows_a_qr_code_from_our_own_route(client, accounts):
    login(client, "k1")
    page = client.get("/office/account/second-factor").get_data(as_text=True)
    assert 'src="/office/account/second-factor/qr.svg"' in page and "http" not in page.split("<main")[1]
    qr = client.get("/office/account/second-factor/qr.svg")
    assert qr.status_code == 200 and qr.mimetype == "image/svg+xml" and qr.headers["Cache-Control"] == "no-store"


def test_a_wrong_first_code_does_not_enable_it(client, accounts, db_session):
    login(client, "k1")
    client.get("/office/account/second-factor")
    refused = client.post("/office/account/second-factor", data={"code": "000000"})
    assert refused.status_code == 422 and "验证码不正确" in refused.get_data(as_text=True)
    db_session.expire_all()
    assert db_session.get(OfficeUser, accounts.k1).totp_secret is None


def test_enrolment_stores_the_secret_encrypted_and_ten_hashed_recovery_codes(client, accounts, db_session, clean_app):
    login(client, "k1")
    secret, codes = enrol(client)
    db_session.expire_all()
    user = db_session.get(OfficeUser, accounts.k1)
    assert secret not in user.totp_secret and user.totp_pending_secret is None
    assert crypto.decrypt(clean_app.config["FIELD_ENCRYPTION_KEY"], user.totp_secret) == secret
    assert len(codes) == 10 == len(set(codes))
    stored = db_session.scalars(select(RecoveryCode.code_hash).where(RecoveryCode.user_id == user.id)).all()
    assert sorted(stored) == sorted(totp.recovery_code_hash(c) for c in codes)
    assert not any(c.replace("-", "") in h for c in codes for h in stored)
    assert "totp_enabled" in db_session.scalars(select(AuditEvent.action)).all()


def test_login_needs_the_password_then_the_code(client, enrolled_k1, db_session, accounts):
    secret, _ = enrolled_k1
    response = login(client, "k1")
    assert response.status_code == 302 and "/office/login/code" in response.headers["Location"]
    assert client.get("/office/", follow_redirects=True).request.path == "/office/login"  # not logged in yet
    assert client.post("/office/login/code", data={"code": "123456"}).status_code == 401
    last_step = db_session.get(OfficeUser, accounts.k1).totp_last_step
    ok = client.post("/office/login/code", data={"code": code_after(secret, last_step)})
    assert ok.status_code == 302
    assert client.get("/office/", follow_redirects=True).request.path != "/office/login"
    detail = db_session.scalars(select(AuditEvent.detail).where(AuditEvent.action == "login")
                                .order_by(AuditEvent.id.desc())).first()
    assert detail == {"factor": "totp"}


def test_a_code_works_only_once(client, enrolled_k1, db_session, accounts, monkeypatch):
    secret, _ = enrolled_k1
    step = db_session.get(OfficeUser, accounts.k1).totp_last_step + 1
    monkeypatch.setattr(totp.time, "time", lambda: step * totp.STEP_SECONDS + 1)
    code = pyotp.TOTP(secret).at(step * totp.STEP_SECONDS)
    login(client, "k1")
    assert client.post("/office/login/code", data={"code": code}).status_code == 302
    client.post("/office/logout")
    login(client, "k1")
    assert client.post("/office/login/code", data={"code": code}).status_code == 401


def test_a_recovery_code_stands_in_once(client, enrolled_k1):
    _, codes = enrolled_k1
    login(client, "k1")
    assert client.post("/office/login/code", data={"code": codes[3].lower()}).status_code == 302
    client.post("/office/logout")
    login(client, "k1")
    assert client.post("/office/login/code", data={"code": codes[3]}).status_code == 401


def test_wrong_codes_lock_the_account_like_wrong_passwords(client, enrolled_k1, db_session, accounts):
    login(client, "k1")
    for _ in range(5):
        client.post("/office/login/code", data={"code": "999999"})
    db_session.expire_all()
    assert db_session.get(OfficeUser, accounts.k1).locked_until is not None


def test_the_code_step_expires_and_is_not_a_login(client, enrolled_k1, monkeypatch):
    login(client, "k1")
    with client.session_transaction() as sess:
        user_part, _, started = sess["_pending_login"].rpartition(":")
        sess["_pending_login"] = f"{user_part}:{int(started) - 600}"
    assert client.get("/office/login/code").headers["Location"].endswith("/office/login")


def test_roles_that_require_it_are_sent_to_enrol_first(client, accounts, clean_app):
    clean_app.config["REQUIRE_TOTP_FOR_ROLES"] = ("admin", "county")
    try:
        first = login(client, "k1")
        assert first.headers["Location"].endswith("/office/account/second-factor")
        blocked = client.get("/dashboard/")
        assert blocked.status_code == 302 and blocked.headers["Location"].endswith("/office/account/second-factor")
        assert "必须先启用两步验证" in client.get("/office/account/second-factor").get_data(as_text=True)
        assert client.get("/dashboard/api/campaigns/1/figures", headers={"Accept": "application/json"}).status_code \
            == 403
        enrol(client)
        assert client.get("/dashboard/", follow_redirects=True).request.path.startswith("/dashboard")
        client.post("/office/logout")
        unit = login(client, "u1")  # unit accounts are not in the list: password alone
        assert unit.status_code == 302 and not unit.headers["Location"].endswith("/second-factor")
    finally:
        clean_app.config["REQUIRE_TOTP_FOR_ROLES"] = ()


def test_enrolling_ends_the_accounts_other_sessions(clean_app, accounts):
    laptop, phone = clean_app.test_client(), clean_app.test_client()
    login(laptop, "k1"), login(phone, "k1")
    enrol(laptop)
    assert phone.get("/office/", follow_redirects=True).request.path == "/office/login"
    assert laptop.get("/office/", follow_redirects=True).request.path != "/office/login"


def test_development_requires_it_of_nobody_unless_configured(tmp_path):
    assert config_from_env({}, str(tmp_path))["REQUIRE_TOTP_FOR_ROLES"] == ()
    configured = config_from_env({"REQUIRE_TOTP_FOR_ROLES": "admin,county,unit"}, str(tmp_path))
    assert configured["REQUIRE_TOTP_FOR_ROLES"] == ("admin", "county", "unit")
    with pytest.raises(SettingsError, match="unknown roles"):
        config_from_env({"REQUIRE_TOTP_FOR_ROLES": "admin,boss"}, str(tmp_path))


def test_an_admin_resets_a_lost_second_factor_from_the_terminal(client, enrolled_k1, runner, db_session, accounts):
    result = runner.invoke(args=["reset-second-factor", "k1"])
    assert result.exit_code == 0, result.output
    db_session.expire_all()
    user = db_session.get(OfficeUser, accounts.k1)
    assert user.totp_secret is None and db_session.scalar(
        select(RecoveryCode.id).where(RecoveryCode.user_id == user.id)) is None
    assert login(client, "k1").status_code == 302  # password alone again, until it enrols anew
    assert client.get("/office/", follow_redirects=True).request.path != "/office/login"
    assert "totp_reset" in db_session.scalars(select(AuditEvent.action)).all()
    assert runner.invoke(args=["reset-second-factor", "nobody"]).exit_code == 1
