"""Every rectification route, tried with another county's and a unit's account: 403 or 404, and
nothing changes (R6). Fails when a new rectification route is not listed here, in the style of
tests/org/test_office_scope_routes.py."""

from __future__ import annotations

import io
from datetime import date

from sqlalchemy import func, select

from questionnaire.extensions import db
from questionnaire.rectification.models import (
    RectificationEvidence,
    RectificationItem,
    RectificationReport,
    RectificationTask,
    RectificationYear,
)
from tests.rectification.conftest import pdf_bytes

# Listings scoped by the account (they show only its own tasks): proven by content below.
SCOPED_LISTINGS = {"rectification.index"}


def _k1_task_with_evidence(login_as, make_item, on_day):
    item = make_item("K1", text="甲县的整改事项")
    task_id = item.tasks[0].id
    on_day(date(2022, 1, 10))
    client = login_as("k1")
    client.post(f"/office/rectification/tasks/{task_id}/actions", data={"action": "accept"})
    client.post(f"/office/rectification/tasks/{task_id}/reports", content_type="multipart/form-data",
                data={"progress": "推进中", "files": [(io.BytesIO(pdf_bytes(3000)), "佐证.pdf")]})
    return item.id, task_id, db.session.scalar(select(RectificationEvidence.id))


def _entity_requests(item_id, task_id, evidence_id):
    """(endpoint, method, url, data) aimed at county K1's task."""
    return [
        ("rectification.item", "get", f"/office/rectification/items/{item_id}", None),
        ("rectification.task", "get", f"/office/rectification/tasks/{task_id}", None),
        ("rectification.act", "post", f"/office/rectification/tasks/{task_id}/actions",
         {"action": "claim", "completed_on": "2022-01-09"}),
        ("rectification.report", "post", f"/office/rectification/tasks/{task_id}/reports",
         {"progress": "别人的进展"}),
        ("rectification.evidence_file", "get", f"/office/rectification/evidence/{evidence_id}", None),
    ]


def _office_requests(campaign, task_id):
    """Office-only routes (绩效办): every other account gets a 403."""
    k1 = str(campaign.units["K1"].id)
    return [
        ("rectification_office.new_item", "get", "/office/rectification/items/new", None),
        ("rectification_office.create_item", "post", "/office/rectification/items",
         {"text": "新事项", "category": "交通", "lead": k1, "year": "2022"}),
        ("rectification_office.suggestions", "get", "/office/rectification/suggestions", None),
        ("rectification_office.from_suggestion", "post", "/office/rectification/suggestions",
         {"response": "1", "category": "交通", "lead": k1}),
        ("rectification_office.import_form", "get", "/office/rectification/import", None),
        ("rectification_office.import_file", "post", "/office/rectification/import", {"year": "2022"}),
        ("rectification_office.import_template", "get", "/office/rectification/import/template.xlsx", None),
        ("rectification_office.ledger_xlsx", "get", "/office/rectification/ledger.xlsx?year=2021", None),
        ("rectification_office.reminders", "get", "/office/rectification/reminders?year=2021", None),
        ("rectification_office.reminders_xlsx", "get", "/office/rectification/reminders.xlsx?year=2021", None),
        ("rectification_office.close_year", "post", "/office/rectification/years/2021/close", None),
        ("rectification_office.adjust_task", "post", f"/office/rectification/tasks/{task_id}/adjust",
         {"note": "调整", "deadline": "2021-12-31"}),
    ]


def _counts():
    return tuple(db.session.scalar(select(func.count()).select_from(model)) for model in (
        RectificationItem, RectificationReport, RectificationEvidence, RectificationYear))


def test_every_rectification_route_refuses_another_countys_and_a_units_account(
        login_as, make_item, on_day, campaign, clean_app):
    ids = _k1_task_with_evidence(login_as, make_item, on_day)
    entity, office = _entity_requests(*ids), _office_requests(campaign, ids[1])
    routes = {r.endpoint for r in clean_app.url_map.iter_rules() if r.endpoint.startswith("rectification")}
    assert routes == {e for e, *_ in entity + office} | SCOPED_LISTINGS, "a new rectification route needs a scope test"
    before = _counts()
    for username in ("k2", "u1"):
        client = login_as(username)
        for endpoint, method, url, data in entity:
            assert getattr(client, method)(url, data=data).status_code == 404, (username, endpoint)
        for endpoint, method, url, data in office:
            assert getattr(client, method)(url, data=data).status_code == 403, (username, endpoint)
    assert _counts() == before  # nothing was written
    task = db.session.get(RectificationTask, ids[1])
    assert (task.status, task.deadline) == ("in_progress", date(2021, 10, 31))


def test_the_owning_county_gets_its_task_routes_and_the_office_gets_every_route(
        login_as, make_item, on_day, campaign):
    ids = _k1_task_with_evidence(login_as, make_item, on_day)
    owner = login_as("k1")
    for endpoint, method, url, data in _entity_requests(*ids):
        if endpoint != "rectification.act":  # claiming is the owner's, tested in test_pages
            assert getattr(owner, method)(url, data=data).status_code in (200, 302), endpoint
    admin = login_as("admin")
    for endpoint, method, url, data in _office_requests(campaign, ids[1]):
        assert getattr(admin, method)(url, data=data).status_code in (200, 302, 400, 404), endpoint
    assert admin.get("/office/rectification/ledger.xlsx?year=2021").status_code == 200


def test_listings_show_only_the_accounts_own_tasks(login_as, make_item, on_day):
    _k1_task_with_evidence(login_as, make_item, on_day)
    make_item("U1", text="市教育局的整改事项")
    for username, sees, hidden in (("k1", "甲县的整改事项", "市教育局的整改事项"),
                                   ("u1", "市教育局的整改事项", "甲县的整改事项"),
                                   ("k2", None, "甲县的整改事项"), ("k1t1", None, "甲县的整改事项")):
        page = login_as(username).get("/office/rectification/?year=2021").get_data(as_text=True)
        assert hidden not in page, username
        if sees:
            assert sees in page, username
    page = login_as("admin").get("/office/rectification/?year=2021").get_data(as_text=True)
    assert "甲县的整改事项" in page and "市教育局的整改事项" in page
