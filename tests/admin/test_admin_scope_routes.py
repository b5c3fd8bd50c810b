"""Every administration route is the performance office's alone: a county's and a unit's account
get 403 and change nothing; the admin gets the page. Fails when a new admin route is not listed."""

from __future__ import annotations

import io

import pytest
from sqlalchemy import func, select

from questionnaire.accounts.models import AuditEvent, OfficeUser
from questionnaire.campaigns.models import Campaign, Questionnaire, UnitTarget
from questionnaire.org.models import OrgUnit
from tests.admin.conftest import sheet_bytes

pytestmark = pytest.mark.usefixtures("accounts")


def _requests(campaign, accounts):
    cid = campaign.id
    sheet = sheet_bytes([("县区", "K9", "新县", None, 100)])
    question = {"title": "问卷", "count": "1", "q-0-id": "gov", "q-0-type": "rating", "q-0-title": "总体评价",
                "q-0-required": "1", "q-0-scale": "satisfaction", "q-0-dk": "1"}
    section = {"slug": "x-2027", "title": "2027年度", "year": "2027", "round": "annual", "target_responses": "5",
               "opens_at": "2027-05-01T00:00", "closes_at": "2027-10-01T00:00", "answer_scope": "questionnaire"}
    return [
        ("admin.index", "get", "/office/admin/", None),
        ("admin.new_campaign", "post", "/office/admin/campaigns/new", section),
        ("admin.edit_campaign", "post", f"/office/admin/campaigns/{cid}/edit", {**section, "slug": "test-2026"}),
        ("admin.export_file", "get", f"/office/admin/campaigns/{cid}/campaign-file", None),
        ("admin.import_file", "post", "/office/admin/campaign-file",
         {"file": (io.BytesIO(b"campaign: {}"), "c.yaml")}),
        ("admin.tree", "get", f"/office/admin/campaigns/{cid}/tree", None),
        ("admin.tree_template", "get", f"/office/admin/campaigns/{cid}/tree-template.xlsx", None),
        ("admin.tree_preview", "post", f"/office/admin/campaigns/{cid}/tree/preview",
         {"file": (io.BytesIO(sheet), "t.xlsx")}),
        ("admin.tree_apply", "post", f"/office/admin/campaigns/{cid}/tree/apply", {"token": "x"}),
        ("admin.questionnaires", "get", f"/office/admin/campaigns/{cid}/questionnaires", None),
        ("admin.edit_questionnaire", "post", f"/office/admin/campaigns/{cid}/questionnaires/extra",
         {**question, "op": "save"}),
        ("admin.preview_questionnaire", "post", f"/office/admin/campaigns/{cid}/questionnaires/county/preview",
         question),
        ("admin.accounts", "get", "/office/admin/accounts", None),
        ("admin.create_accounts", "post", "/office/admin/accounts/bulk", {"kind": ["county", "township"]}),
        ("admin.reset_password", "post", f"/office/admin/accounts/{accounts.k2}/reset", None),
        ("admin.set_account_active", "post", f"/office/admin/accounts/{accounts.k2}/active", {"active": "0"}),
        ("admin.audit_log", "get", "/office/admin/audit", None),
        ("admin.audit_csv", "get", "/office/admin/audit.csv", None),
    ]


def _state(db_session):
    return (
        db_session.scalar(select(func.count()).select_from(Campaign)),
        [c.title for c in db_session.scalars(select(Campaign))],
        db_session.scalar(select(func.count()).select_from(OrgUnit)),
        db_session.scalar(select(func.count()).select_from(UnitTarget)),
        db_session.scalar(select(func.count()).select_from(Questionnaire)),
        [(u.username, u.password_hash, u.is_active)
         for u in db_session.scalars(select(OfficeUser).order_by(OfficeUser.id))],
    )


def test_every_admin_route_refuses_county_and_unit_accounts(login_as, campaign, accounts, db_session, clean_app):
    listed = {endpoint for endpoint, *_ in _requests(campaign, accounts)}
    routes = {rule.endpoint for rule in clean_app.url_map.iter_rules() if rule.endpoint.startswith("admin.")}
    assert routes == listed, "a new admin route needs a scope test"
    before = _state(db_session)
    for username in ("k1", "k2", "u1"):
        client = login_as(username)
        for endpoint, method, url, data in _requests(campaign, accounts):
            response = getattr(client, method)(url, data=data)
            assert response.status_code == 403, (username, endpoint, response.status_code)
            assert "没有访问权限" in response.get_data(as_text=True)
    db_session.expire_all()
    assert _state(db_session) == before  # nothing changed
    assert db_session.scalar(select(func.count()).select_from(AuditEvent)
                             .where(AuditEvent.action.in_(("export_audit", "export_campaign_file")))) == 0


def test_the_admin_gets_every_route(login_as, campaign, accounts):
    client = login_as("admin")
    for endpoint, method, url, data in _requests(campaign, accounts):
        response = getattr(client, method)(url, data=data)
        expected = {"admin.import_file": (422,), "admin.tree_apply": (400,)}.get(endpoint, (200, 302))
        body = response.get_data().decode("utf-8", "replace")
        assert response.status_code in expected, (endpoint, response.status_code, body[body.find("<main"):][:1500])
