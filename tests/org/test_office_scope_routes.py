"""Every office route, tried with the account of another county: 403 or 404, never data."""

from __future__ import annotations

import io
import re
from types import SimpleNamespace

import pyotp
import pytest
from sqlalchemy import func, select

from questionnaire.accounts.models import OfficeUser
from questionnaire.channels.leader.models import LeaderInvitation, LeaderPaperForm, LeaderRater
from questionnaire.extensions import db, redis_store
from questionnaire.intake.models import CollectionPoint
from questionnaire.intake.submissions import SubmissionStore
from questionnaire.org.models import OrgUnit
from tests.channels.leader.conftest import leader_campaign  # noqa: F401 - fixture
from tests.channels.phone.conftest import keys, phone_staff, upload  # noqa: F401 - the phone fixtures
from tests.results.conftest import scored  # noqa: F401 - fixture


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


# --- results (评价结果) -----------------------------------------------------------------------
# The index, the overview and its JSON answer every account, showing it only its own entity:
# proven below and in tests/results/test_results_pages.py. Every other results route names an
# entity or is the office's alone.
# A published copy is shown to an entity's account as its own row only, and an objection is always
# filed for the account's own entity (tests/results/test_publication.py).
RESULTS_OWN_ENTITY_ONLY = {"results.index", "results.overview", "results.api_results",
                           "results.publications.show", "results.publications.file_objection"}


def _k1_objection(campaign):
    """County results published, and K1's own objection to them: (publication id, objection id)."""
    from questionnaire.extensions import db
    from questionnaire.results import publication

    row = publication.publish(db.session, campaign.id, "county", "preliminary", None)
    objection = publication.file_objection(db.session, row, campaign.units["K1"], "甲县的异议", None)
    return row.id, objection.id


def _k1_results_requests(campaign, publication_id, objection_id):
    cid, k1 = campaign.id, campaign.units["K1"].id
    return [
        ("results.publications.publish", "post", f"/results/campaigns/{cid}/publications",
         {"kind": "county", "stage": "final", "days": "0"}),
        ("results.publications.answer_objection", "post", f"/results/campaigns/{cid}/objections/{objection_id}/answer",
         {"answer": "别人的答复"}),
        ("results.entity", "get", f"/results/campaigns/{cid}/entities/{k1}", None),
        ("results.scheme", "get", f"/results/campaigns/{cid}/schemes/county", None),
        ("results.scheme_version", "get", f"/results/campaigns/{cid}/schemes/county/1", None),
        ("results.change_scheme", "post", f"/results/campaigns/{cid}/schemes/county",
         {"scheme": "channel_weights: {qr: 100}", "reason": "x"}),
        ("results.enter_figure", "post", f"/results/campaigns/{cid}/entities/{k1}/figures/rectification",
         {"rate": "100", "source": "x"}),
    ]


def test_every_results_route_refuses_another_countys_and_a_units_account(login_as, scored, db_session, clean_app):
    from questionnaire.results import service
    from questionnaire.results.models import ExternalValue, ResultObjection, ResultPublication

    publication_id, objection_id = _k1_objection(scored)
    requests = _k1_results_requests(scored, publication_id, objection_id)
    guarded = {rule.endpoint for rule in clean_app.url_map.iter_rules() if rule.endpoint.startswith("results.")}
    assert guarded == {endpoint for endpoint, *_ in requests} | RESULTS_OWN_ENTITY_ONLY, \
        "a new results route needs a scope test"
    for username in ("k2", "u1"):
        client = login_as(username)
        for endpoint, method, url, data in requests:
            response = getattr(client, method)(url, data=data)
            assert response.status_code in (403, 404), (username, endpoint, response.status_code)
        for url in (f"/results/campaigns/{scored.id}", f"/results/api/campaigns/{scored.id}",
                    f"/results/campaigns/{scored.id}/publications/{publication_id}"):
            assert "甲县" not in client.get(url).get_data(as_text=True), (username, url)
    assert [r.version for r in service.versions(db_session, scored.id, "county")] == [1]  # nothing changed
    assert db_session.scalar(select(ExternalValue.id)) is None
    assert db_session.get(ResultObjection, objection_id).answer is None
    assert db_session.scalar(select(db_session.query(ResultPublication).exists())) and \
        [p.stage for p in db_session.scalars(select(ResultPublication))] == ["preliminary"]


def _leader_requests(leader_campaign):
    """(endpoint, method, url, data) of every leader-evaluation office route (admin only)."""
    cid = leader_campaign.id
    invitation_id = leader_campaign.raters["王局长"].invitation.id
    k1 = leader_campaign.units["K1"].id
    roster = (io.BytesIO("姓名,所在单位\n某人,市教育局\n".encode()), "r.csv")
    return [
        ("leader_office.index", "get", "/office/leader/", None),
        ("leader_office.raters", "get", f"/office/leader/campaigns/{cid}/raters", None),
        ("leader_office.upload_roster", "post", f"/office/leader/campaigns/{cid}/roster", {"roster": roster}),
        ("leader_office.roster_template", "get", "/office/leader/roster-template.xlsx", None),
        ("leader_office.invitations", "get", f"/office/leader/campaigns/{cid}/invitations", None),
        ("leader_office.invitation_pdf", "get", f"/office/leader/invitations/{invitation_id}/invitation.pdf", None),
        ("leader_office.invitations_pdf", "get", f"/office/leader/campaigns/{cid}/invitations.pdf", None),
        ("leader_office.progress", "get", f"/office/leader/campaigns/{cid}/progress", None),
        ("leader_paper.forms", "get", f"/office/leader/campaigns/{cid}/paper", None),
        ("leader_paper.rater", "get", f"/office/leader/invitations/{invitation_id}/paper", None),
        ("leader_paper.entry_form", "get", f"/office/leader/invitations/{invitation_id}/paper/{k1}", None),
        ("leader_paper.enter", "post", f"/office/leader/invitations/{invitation_id}/paper/{k1}",
         {q: "4" for q in ("development", "delivery", "livelihood", "ecology", "style", "overall")}),
        # Form 1 (the admin's first pass above) has nothing 待核对: 409 for the admin, 403 for the others.
        ("leader_paper.resolve", "post", "/office/leader/paper/1/resolve", {"item_overall": "4"}),
        ("leader_lifecycle.manage", "get", f"/office/leader/invitations/{invitation_id}/manage", None),
        # Not submitted: reopening is a 409 for the admin; the replacement (last) then succeeds.
        ("leader_lifecycle.reopen", "post", f"/office/leader/invitations/{invitation_id}/reopen", {"reason": "测试"}),
        ("leader_lifecycle.replace", "post", f"/office/leader/invitations/{invitation_id}/replace",
         {"successor_name": "接任者", "reason": "测试"}),
    ]


def test_every_leader_office_route_is_for_the_performance_office_only(login_as, campaign, leader_campaign,
                                                                      db_session, clean_app):
    guarded = {rule.endpoint for rule in clean_app.url_map.iter_rules()
               if rule.endpoint.startswith(("leader_office.", "leader_paper.", "leader_lifecycle."))}
    assert guarded == {endpoint for endpoint, *_ in _leader_requests(leader_campaign)}, \
        "a new leader office route needs a scope test"
    raters_before = db_session.scalar(select(func.count()).select_from(LeaderRater))
    forms_before = db_session.scalar(select(func.count()).select_from(LeaderPaperForm))
    revoked_before = db_session.scalar(select(func.count()).select_from(LeaderInvitation)
                                       .where(LeaderInvitation.revoked_at.is_not(None)))
    for username in ("k1", "k2", "u1"):
        client = login_as(username)
        for endpoint, method, url, data in _leader_requests(leader_campaign):
            response = getattr(client, method)(url, data=data)
            assert response.status_code in (403, 404), (username, endpoint, response.status_code)
    assert db_session.scalar(select(func.count()).select_from(LeaderRater)) == raters_before  # nothing changed
    assert db_session.scalar(select(func.count()).select_from(LeaderPaperForm)) == forms_before
    assert db_session.scalar(select(func.count()).select_from(LeaderInvitation)
                             .where(LeaderInvitation.revoked_at.is_not(None))) == revoked_before == 0
    admin = login_as("admin")
    for endpoint, method, url, data in _leader_requests(leader_campaign):
        expected = (409,) if endpoint in ("leader_paper.resolve", "leader_lifecycle.reopen") else (200, 302)
        assert getattr(admin, method)(url, data=data).status_code in expected, endpoint


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


# Sign-in and own-account routes take no id: each acts on the account signing in or signed in.
ACCOUNT_ROUTES = {"accounts.login", "accounts.login_code", "accounts.logout",
                  "accounts.enrol_second_factor", "accounts.second_factor_qr"}


def _pending_secret(client) -> str:
    page = client.get("/office/account/second-factor").get_data(as_text=True)
    return re.search(r'id="totp-secret">([A-Z2-7 ]+)<', page).group(1).replace(" ", "")


def test_account_routes_act_on_the_own_account_only(login_as, accounts, clean_app, db_session):
    assert {r.endpoint for r in clean_app.url_map.iter_rules() if r.endpoint.startswith("accounts.")} \
        == ACCOUNT_ROUTES, "a new account route needs a scope test"
    k1_secret = _pending_secret(login_as("k1"))
    k1_qr = login_as("k1").get("/office/account/second-factor/qr.svg").data
    for username in ("k2", "u1"):
        client = login_as(username)
        assert _pending_secret(client) != k1_secret
        assert client.get("/office/account/second-factor/qr.svg").data != k1_qr
        # k1's code typed into another account's session enrols nobody.
        assert client.post("/office/account/second-factor",
                           data={"code": pyotp.TOTP(k1_secret).now()}).status_code == 422
    client.post("/office/logout")
    for url in ("/office/account/second-factor", "/office/account/second-factor/qr.svg", "/office/login/code"):
        assert "/office/login" in client.get(url).headers["Location"]  # anonymous: sign in first
    db_session.expire_all()
    assert all(db_session.get(OfficeUser, uid).totp_secret is None for uid in (accounts.k1, accounts.k2, accounts.u1))
    assert _pending_secret(login_as("k1")) == k1_secret  # nothing changed


# --- reports (评价报告) -----------------------------------------------------------------------
# The index and a campaign's report list answer every account, listing only its own entity (or
# nothing): proven below and in tests/reports/test_report_pages.py.
REPORTS_OWN_ENTITY_ONLY = {"reports.index", "reports.campaign"}


def _k1_reports_requests(campaign, job_id):
    cid, k1 = campaign.id, campaign.units["K1"].id
    return [
        ("reports.entity_report", "get", f"/reports/campaigns/{cid}/entities/{k1}.docx", None),
        ("reports.city_report", "get", f"/reports/campaigns/{cid}/city.pdf", None),
        ("reports.batch", "post", f"/reports/campaigns/{cid}/batch", {}),
        ("reports.job", "get", f"/reports/jobs/{job_id}", None),
        ("reports.job_download", "get", f"/reports/jobs/{job_id}/reports.zip", None),
    ]


def test_every_report_route_refuses_another_countys_and_a_units_account(login_as, scored, db_session, clean_app):
    from questionnaire.accounts.models import AuditEvent

    queued = login_as("admin").post(f"/reports/campaigns/{scored.id}/batch")  # the office's own batch
    job_id = queued.headers["Location"].rstrip("/").split("/")[-1]
    requests = _k1_reports_requests(scored, job_id)
    guarded = {rule.endpoint for rule in clean_app.url_map.iter_rules() if rule.endpoint.startswith("reports.")}
    assert guarded == {endpoint for endpoint, *_ in requests} | REPORTS_OWN_ENTITY_ONLY, \
        "a new report route needs a scope test"
    for username in ("k2", "u1"):
        client = login_as(username)
        for endpoint, method, url, data in requests:
            response = getattr(client, method)(url, data=data)
            assert response.status_code in (403, 404), (username, endpoint, response.status_code)
        assert "甲县" not in client.get(f"/reports/campaigns/{scored.id}").get_data(as_text=True), username
    assert db_session.query(AuditEvent).filter(AuditEvent.action == "queue_report_batch").count() == 1
    assert db_session.query(AuditEvent).filter(AuditEvent.action.like("download_report%")).count() == 0


# -- free text as typed (/office/responses/<id>/free-text): the performance office's admins only --

def _reveals(db_session) -> list[tuple]:
    from questionnaire.accounts.models import AuditEvent

    db_session.expire_all()
    return [(e.user_id, e.target) for e in db_session.scalars(
        select(AuditEvent).where(AuditEvent.action == "free_text_reveal"))]


def test_the_free_text_as_typed_opens_for_an_admin_only_and_every_opening_is_audited(
        login_as, accounts, campaign, respond, clean_app, db_session):
    guarded = {r.endpoint for r in clean_app.url_map.iter_rules() if r.rule.startswith("/office/responses")}
    assert guarded == {"free_text.confirm", "free_text.reveal"}, "a new free-text route needs a scope test"
    receipt = respond("K1", suggestion="请回电13812345678")
    url = f"/office/responses/{receipt.response_id}/free-text"
    for username in ("k1", "k2", "u1"):  # the evaluated county's own account too: a resident's number
        client = login_as(username)
        for method in ("get", "post"):
            response = getattr(client, method)(url)
            assert response.status_code == 403, (username, method)
            assert "13812345678" not in response.get_data(as_text=True)
    assert _reveals(db_session) == []  # nothing opened, nothing recorded

    admin = login_as("admin")
    page = admin.get(url).get_data(as_text=True)
    assert "请回电138****5678" in page and "13812345678" not in page
    assert _reveals(db_session) == []  # the GET only offers the button
    shown = admin.post(url)
    assert shown.status_code == 200 and "请回电13812345678" in shown.get_data(as_text=True)
    assert _reveals(db_session) == [(accounts.admin, f"response:{receipt.response_id}")]
    unsealed = respond("K1", suggestion="没有号码")
    assert admin.post(f"/office/responses/{unsealed.response_id}/free-text").status_code == 404
    assert admin.get("/office/responses/999999/free-text").status_code == 404
