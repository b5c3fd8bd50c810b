"""Accounts for the tree in one action (initial passwords shown once, changed at first login),
password reset, disabling, last login."""

from __future__ import annotations

import re

from sqlalchemy import select

from questionnaire.accounts.models import AuditEvent, OfficeUser
from tests.fixtures.accounts import login


def issued(html: str) -> dict[str, str]:
    return dict(re.findall(r"<td><code>([^<]+)</code></td><td><code class=\"password\">([^<]+)</code>", html))


def test_accounts_for_every_county_and_city_unit_in_one_action(login_as, db_session):
    client = login_as("admin")
    page = client.post("/office/admin/accounts/bulk", data={"kind": ["county", "city_unit"]}).get_data(as_text=True)
    passwords = issued(page)
    # k1, k2 and u1 exist already for K1, K2 and U1: nothing to create for them.
    assert passwords == {}
    assert "所有单位都已有账号" in page
    page = client.post("/office/admin/accounts/bulk", data={"kind": ["township"]}).get_data(as_text=True)
    passwords = issued(page)
    assert set(passwords) == {"unit-K1T2", "unit-K2T1"}  # K1T1 has its account (k1t1)
    assert "密码只显示这一次" in page and "http://survey.test/office/login" in page
    again = client.post("/office/admin/accounts/bulk", data={"kind": ["township"]}).get_data(as_text=True)
    assert issued(again) == {}
    user = db_session.scalar(select(OfficeUser).where(OfficeUser.username == "unit-K2T1"))
    assert user.must_change_password and user.role == "unit" and user.display_name == "三镇"
    event = db_session.scalars(select(AuditEvent).where(AuditEvent.action == "create_accounts")).all()[-1]
    assert passwords["unit-K2T1"] not in str(event.detail)


def test_a_new_account_must_change_its_password_before_anything_else(login_as, client, db_session):
    admin = login_as("admin")
    password = issued(admin.post("/office/admin/accounts/bulk", data={"kind": ["township"]})
                      .get_data(as_text=True))["unit-K2T1"]
    client.post("/office/logout")
    assert login(client, "unit-K2T1", password).status_code == 302
    assert client.get("/office/").headers["Location"].endswith("/office/account/password")
    assert client.get("/dashboard/api/campaigns/1/figures", headers={"Accept": "application/json"}).status_code == 403
    refused = client.post("/office/account/password", data={"current": password, "new": "short", "repeat": "short"})
    assert refused.status_code == 422 and "新密码至少 8 位" in refused.get_data(as_text=True)
    done = client.post("/office/account/password", data={"current": password, "new": "my-own-secret-1",
                                                          "repeat": "my-own-secret-1"})
    assert done.status_code == 302
    assert client.get("/office/", follow_redirects=False).status_code in (200, 302)
    assert not client.get("/office/").headers.get("Location", "").endswith("/account/password")
    db_session.expire_all()
    assert not db_session.scalar(select(OfficeUser).where(OfficeUser.username == "unit-K2T1")).must_change_password


def test_a_reset_password_replaces_the_old_one_and_must_be_changed(login_as, client, accounts, db_session):
    admin = login_as("admin")
    page = admin.post(f"/office/admin/accounts/{accounts.k2}/reset").get_data(as_text=True)
    new = issued(page)["k2"]
    client.post("/office/logout")
    assert login(client, "k2").status_code == 401  # the old password no longer works
    assert login(client, "k2", new).status_code == 302
    assert client.get("/office/").headers["Location"].endswith("/office/account/password")


def test_a_disabled_account_cannot_log_in_and_the_list_shows_last_login(login_as, client, accounts, db_session):
    login_as("k1")
    admin = login_as("admin")
    page = admin.get("/office/admin/accounts").get_data(as_text=True)
    k1_row = page.split("<code>k1</code>", 1)[1].split("</tr>", 1)[0]
    assert "从未登录" not in k1_row and re.search(r"\d{4}-\d\d-\d\d \d\d:\d\d", k1_row)
    assert "从未登录" in page.split("<code>k2</code>", 1)[1].split("</tr>", 1)[0]
    response = admin.post(f"/office/admin/accounts/{accounts.k1}/active", data={"active": "0"}, follow_redirects=True)
    assert "账号 k1（甲县）已停用" in response.get_data(as_text=True)
    refused = admin.post(f"/office/admin/accounts/{accounts.admin}/active", data={"active": "0"})
    assert refused.status_code == 422 and "不能停用自己" in refused.get_data(as_text=True)
    client.post("/office/logout")
    assert login(client, "k1").status_code == 401
