"""Every office route, tried with the account of another county: 403 or 404, never data."""

from __future__ import annotations

from types import SimpleNamespace

import pytest
from sqlalchemy import select

from questionnaire.extensions import db, redis_store
from questionnaire.intake.models import CollectionPoint
from questionnaire.intake.submissions import SubmissionStore
from questionnaire.org.models import OrgUnit
from tests.channels.phone.conftest import keys, phone_staff, upload  # noqa: F401 - the phone fixtures


def _entry_id(db_session, unit_code):
    return db_session.scalar(select(CollectionPoint.id).join(OrgUnit, OrgUnit.id == CollectionPoint.collected_unit_id)
                             .where(OrgUnit.code == unit_code))


def _k1_requests(db_session, campaign, job_id):
    """(endpoint, method, url, data) aimed at county K1's data."""
    eid = _entry_id(db_session, "K1T1")
    k1 = campaign.units["K1"].id
    return [
        ("office.entries", "get", f"/office/campaigns/{campaign.id}/entries?county={k1}", None),
        ("office.set_enabled", "post", f"/office/entries/{eid}/enabled", {"enabled": "0"}),
        ("office.qr_png", "get", f"/office/entries/{eid}/qr.png", None),
        ("office.qr_svg", "get", f"/office/entries/{eid}/qr.svg", None),
        ("office.poster", "get", f"/office/entries/{eid}/poster.pdf?size=A4", None),
        ("office.poster_batch", "post", f"/office/campaigns/{campaign.id}/posters", {"county": str(k1)}),
        ("office.poster_job", "get", f"/office/jobs/{job_id}", None),
        ("office.poster_job_download", "get", f"/office/jobs/{job_id}/posters.pdf", None),
    ]


def _k1_batch_job(login_as, campaign):
    client = login_as("k1")
    response = client.post(f"/office/campaigns/{campaign.id}/posters",
                           data={"county": str(campaign.units["K1"].id), "size": "A4"})
    assert response.status_code == 302
    return response.headers["Location"].rstrip("/").split("/")[-1]


def test_every_office_route_refuses_another_countys_account(login_as, campaign, db_session, clean_app):
    job_id = _k1_batch_job(login_as, campaign)
    requests = _k1_requests(db_session, campaign, job_id)
    guarded = {rule.endpoint for rule in clean_app.url_map.iter_rules()
               if rule.endpoint.startswith("office.")
               and rule.endpoint not in ("office.login", "office.logout", "office.index")}
    # create_entries targets no county in its URL: its scope test is the next test.
    assert guarded == {endpoint for endpoint, *_ in requests} | {"office.create_entries"}, \
        "a new office route needs a scope test"

    for username in ("k2", "u1"):
        client = login_as(username)
        for endpoint, method, url, data in requests:
            response = getattr(client, method)(url, data=data)
            assert response.status_code in (403, 404), (username, endpoint, response.status_code)
    assert db_session.get(CollectionPoint, _entry_id(db_session, "K1T1")).is_enabled  # nothing changed


def test_bulk_creation_by_a_county_stays_inside_that_county(login_as, campaign, db_session):
    for code in ("K1T2", "K2T1"):
        db_session.delete(db_session.get(CollectionPoint, _entry_id(db_session, code)))
    db_session.commit()
    response = login_as("k2").post(f"/office/campaigns/{campaign.id}/entries",
                                   data={"questionnaire": "county", "rule": ["townships", "counties"]})
    assert response.status_code == 302
    assert _entry_id(db_session, "K2T1") is not None  # its own township, recreated
    assert _entry_id(db_session, "K1T2") is None  # another county's township, untouched


def test_the_owning_county_gets_the_same_routes(login_as, campaign, db_session):
    job_id = _k1_batch_job(login_as, campaign)
    client = login_as("k1")
    for endpoint, method, url, data in _k1_requests(db_session, campaign, job_id):
        response = getattr(client, method)(url, data=data)
        assert response.status_code in (200, 302), (endpoint, response.status_code)


def test_county_list_shows_only_its_own_units(login_as, campaign):
    page = login_as("k2").get(f"/office/campaigns/{campaign.id}/entries").get_data(as_text=True)
    assert "乙区" in page and "三镇" in page
    assert "一镇" not in page and "市教育局" not in page and campaign.codes["K1T1"] not in page


def test_unit_account_cannot_create_entry_points(login_as, campaign):
    response = login_as("u1").post(f"/office/campaigns/{campaign.id}/entries",
                                   data={"questionnaire": "unit", "rule": "city_units"})
    assert response.status_code == 403


def test_county_account_cannot_create_city_unit_entry_points(login_as, campaign):
    response = login_as("k1").post(f"/office/campaigns/{campaign.id}/entries",
                                   data={"questionnaire": "unit", "rule": "city_units"})
    assert response.status_code == 404


def test_bad_ids_and_sizes_are_clear_errors_not_500(login_as, campaign, db_session):
    client = login_as("admin")
    eid = _entry_id(db_session, "K1")
    assert client.get(f"/office/entries/{eid}/poster.pdf?size=B5").status_code == 400
    assert client.get(f"/office/campaigns/{campaign.id}/entries?county=abc").status_code == 400
    assert client.get("/office/campaigns/9999/entries").status_code == 404
    assert client.get("/office/entries/9999/qr.png").status_code == 404
    assert client.get("/office/jobs/not-a-job").status_code == 404


# -- the phone channel (/office/phone) ---------------------------------------------------------

PHONE_OWN_ONLY = {"phone.frames_page", "phone.feedback_page", "phone.feedback_download"}
PHONE_NO_DATA = {"phone.index", "phone.frame_template"}  # a chooser and an empty template


def _phone_k1_requests(db_session, campaign, case_id, attempt_id, frame_id):
    """(endpoint, method, url, data) aimed at K1's phone data and i1's case."""
    c = campaign.id
    return [
        ("phone.frames_page", "get", f"/office/phone/campaigns/{c}/frames", None),
        ("phone.feedback_page", "get", f"/office/phone/campaigns/{c}/feedback", None),
        ("phone.feedback_download", "get", f"/office/phone/campaigns/{c}/feedback.xlsx", None),
        ("phone.lock_frame", "post", f"/office/phone/frames/{frame_id}/lock", {"locked": "0"}),
        ("phone.draw_page", "get", f"/office/phone/campaigns/{c}/draw", None),
        ("phone.draw_page", "post", f"/office/phone/campaigns/{c}/draw", {"total": "5", "seed": "x"}),
        ("phone.cases", "get", f"/office/phone/campaigns/{c}/cases", None),
        ("phone_work.work", "get", f"/office/phone/campaigns/{c}/work", None),
        ("phone_work.next_case", "post", f"/office/phone/campaigns/{c}/next", None),
        ("phone_work.reveal", "post", f"/office/phone/cases/{case_id}/reveal", None),
        ("phone_work.outcome", "post", f"/office/phone/cases/{case_id}/outcome", {"outcome": "41"}),
        ("phone_supervision.board", "get", f"/office/phone/campaigns/{c}/board", None),
        ("phone_supervision.review_list", "get", f"/office/phone/campaigns/{c}/review", None),
        ("phone_supervision.review", "post", f"/office/phone/attempts/{attempt_id}/review", {"verdict": "fail",
                                                                                           "reason": "x"}),
        ("phone_supervision.attendance", "get", f"/office/phone/campaigns/{c}/attendance", None),
    ]


@pytest.fixture
def phone_k1(campaign, db_session, phone_staff, upload, clean_app):
    """K1's locked frame, drawn; i1 holds a case and has completed another."""
    from questionnaire.channels.phone import draw, interviews, queue
    from questionnaire.channels.phone.interviews import CallRecord
    from questionnaire.channels.phone.models import CallAttempt
    from tests.channels.phone.test_queue import POLICY, answers_for, china

    frame, _ = upload("K1", [f"1390000{i:04d}" for i in range(20)])
    draw.run_draw(db_session, campaign.id, 10, seed="S")
    store = SubmissionStore(engine=db.engine, redis=redis_store.client(clean_app),
                            hmac_key=clean_app.config["PARTICIPANT_HMAC_KEY"])
    done = queue.claim_next(db_session, POLICY, campaign.id, phone_staff.i1, china(10))
    interviews.record_call(db_session, store, POLICY, done.id, phone_staff.i1,
                           CallRecord(11, answers_for(campaign, done)), china(10, 5))
    held = queue.claim_next(db_session, POLICY, campaign.id, phone_staff.i1, china(10, 6))
    attempt_id = db_session.scalar(select(CallAttempt.id).where(CallAttempt.case_id == done.id))
    return SimpleNamespace(frame_id=frame.id, case_id=held.id, attempt_id=attempt_id)


def test_every_phone_route_refuses_other_counties_units_and_other_interviewers(
        login_as, campaign, db_session, clean_app, phone_k1):
    from questionnaire.channels.phone.models import CallAttempt, PhoneCase, SampleFrame

    requests = _phone_k1_requests(db_session, campaign, phone_k1.case_id, phone_k1.attempt_id, phone_k1.frame_id)
    guarded = {rule.endpoint for rule in clean_app.url_map.iter_rules() if rule.rule.startswith("/office/phone")}
    assert guarded == {endpoint for endpoint, *_ in requests} | PHONE_NO_DATA, "a new phone route needs a scope test"

    for username in ("k2", "u1", "i2"):
        client = login_as(username)
        for endpoint, method, url, data in requests:
            if username == "i2" and endpoint in ("phone_work.work", "phone_work.next_case"):
                continue  # an interviewer's own queue: i2 gets i2's own cases, not i1's
            response = getattr(client, method)(url, data=data)
            if endpoint in PHONE_OWN_ONLY and username != "i2":
                body = response.get_data(as_text=True) if response.mimetype.startswith("text") else ""
                assert response.status_code == 200 and "甲县" not in body, (username, endpoint)
                continue
            assert response.status_code in (403, 404), (username, endpoint, response.status_code)
    db_session.expire_all()
    assert db_session.get(SampleFrame, phone_k1.frame_id).status == "locked"  # nothing changed
    held = db_session.get(PhoneCase, phone_k1.case_id)
    assert (held.status, held.attempts) == ("working", 0)
    assert db_session.get(CallAttempt, phone_k1.attempt_id).review is None


def test_the_phone_routes_serve_their_own_roles(login_as, campaign, phone_k1):
    for username, endpoint_prefixes in (("admin", ("phone.",)), ("s1", ("phone_supervision.", "phone.cases")),
                                        ("i1", ("phone_work.work", "phone_work.reveal"))):
        client = login_as(username)
        for endpoint, method, url, _ in _phone_k1_requests(None, campaign, phone_k1.case_id, phone_k1.attempt_id,
                                                           phone_k1.frame_id):
            if method == "get" or endpoint == "phone_work.reveal":
                if endpoint.startswith(endpoint_prefixes):
                    response = getattr(client, method)(url)
                    assert response.status_code == 200, (username, endpoint, response.status_code)
