"""Every office route, tried with the account of another county: 403 or 404, never data."""

from __future__ import annotations

import re

import pyotp
from sqlalchemy import select

from questionnaire.accounts.models import OfficeUser
from questionnaire.intake.models import CollectionPoint
from questionnaire.org.models import OrgUnit


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
