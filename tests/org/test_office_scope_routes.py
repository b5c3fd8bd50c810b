"""Every office route, tried with the account of another county: 403 or 404, never data."""

from __future__ import annotations

from sqlalchemy import select

from questionnaire.intake.models import CollectionPoint
from questionnaire.org.models import OrgUnit
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
