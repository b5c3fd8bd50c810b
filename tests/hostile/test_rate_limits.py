"""Rate limits: one hammering client is stopped, a village behind one NAT is not."""

from __future__ import annotations

import uuid

import pytest

from tests.factories import good_answers

# The limiter counts in the Redis server (memory:// and fakeredis on the embedded default).
pytestmark = pytest.mark.both_backends


def api_submit(client, code, headers=None):
    return client.post(f"/api/v1/entries/{code}/responses", headers=headers or {},
                       json={"submission_id": str(uuid.uuid4()), "answers": good_answers()})


def token_for(client, code) -> str:
    return client.get(f"/api/v1/entries/{code}").get_json()["participant_token"]


def test_one_participant_hammering_the_submit_api_gets_a_json_429(limited_app, campaign):
    client = limited_app.test_client()
    code = campaign.codes["K1"]
    headers = {"X-Participant-Token": token_for(client, code)}
    statuses = [api_submit(client, code, headers).status_code for _ in range(5)]
    # First is stored, the next two are refused as duplicates, then the limiter steps in.
    assert statuses[:3] == [201, 409, 409]
    assert statuses[3:] == [429, 429]
    body = api_submit(client, code, headers).get_json()
    assert body["error"]["code"] == "rate_limited"


def test_a_village_behind_one_ip_can_all_answer(limited_app, campaign):
    """Many different residents share 127.0.0.1: each has a device token, none is refused."""
    code = campaign.codes["K1T1"]
    residents = [limited_app.test_client() for _ in range(12)]  # > the per-participant limit of 3
    statuses = []
    for resident in residents:
        headers = {"X-Participant-Token": token_for(resident, code)}
        statuses.append(api_submit(resident, code, headers).status_code)
    assert statuses == [201] * 12


def test_the_per_ip_backstop_stops_a_client_rotating_identities(limited_app, campaign):
    """No identity at all each time: a fresh participant per request, so the IP limit applies."""
    code = campaign.codes["K2"]
    client = limited_app.test_client(use_cookies=False)
    statuses = [api_submit(client, code).status_code for _ in range(22)]
    assert statuses.count(201) == 20
    assert statuses[-2:] == [429, 429]


def test_the_html_form_shows_a_chinese_429_page(limited_app, campaign):
    client = limited_app.test_client()
    code = campaign.codes["K1"]
    client.get(f"/s/{code}")  # sets the device cookie
    responses = [client.post(f"/s/{code}", data={"token": "bogus"}) for _ in range(4)]
    assert [r.status_code for r in responses[:3]] == [400, 400, 400]
    assert responses[3].status_code == 429
    page = responses[3].get_data(as_text=True)
    assert "操作过于频繁" in page and responses[3].mimetype == "text/html"


def test_rate_limits_are_off_in_the_default_test_app(client, campaign):
    code = campaign.codes["K1"]
    headers = {"X-Participant-Token": token_for(client, code)}
    assert {api_submit(client, code, headers).status_code for _ in range(12)} == {201, 409}


# --- The shipped policy, with the default limits (tests above use small ones) -----------------

def stored_count(app) -> int:
    from sqlalchemy import func, select

    from questionnaire.extensions import db
    from questionnaire.intake.models import Response

    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(Response))


def test_300_residents_behind_one_village_ip_all_answer_within_a_minute(production_limits_app, campaign):
    """A village meeting: 300 phones on one NAT'd address each open the entry and submit once."""
    code = campaign.codes["K1T2"]
    statuses = []
    for _ in range(300):
        resident = production_limits_app.test_client()  # own device token; same 127.0.0.1
        headers = {"X-Participant-Token": token_for(resident, code)}
        statuses.append(api_submit(resident, code, headers).status_code)
    assert statuses == [201] * 300
    assert stored_count(production_limits_app) == 300


def test_300_residents_filling_the_html_form_behind_one_ip_are_all_thanked(production_limits_app, campaign):
    code = campaign.codes["K1T1"]
    thanked = 0
    for _ in range(300):
        phone = production_limits_app.test_client()
        html = phone.get(f"/s/{code}").get_data(as_text=True)
        token = html.split('name="token" value="')[1].split('"')[0]
        page = phone.post(f"/s/{code}", data={"token": token, **good_answers()})
        thanked += page.status_code == 200 and "提交成功" in page.get_data(as_text=True)
    assert thanked == 300
    assert stored_count(production_limits_app) == 300


def test_one_participant_hammering_with_default_limits_gets_a_chinese_json_429(production_limits_app, campaign):
    client = production_limits_app.test_client()
    code = campaign.codes["K2"]
    headers = {"X-Participant-Token": token_for(client, code)}
    statuses = [api_submit(client, code, headers).status_code for _ in range(12)]
    assert statuses[0] == 201 and set(statuses[1:10]) == {409} and statuses[10:] == [429, 429]
    refused = api_submit(client, code, headers)
    assert refused.status_code == 429 and refused.is_json
    assert refused.get_json()["error"] == {"code": "rate_limited", "message": "操作过于频繁"}
    assert int(refused.headers["Retry-After"]) > 0
    assert stored_count(production_limits_app) == 1


def test_the_429_page_is_not_a_false_thank_you(limited_app, campaign):
    """A real answer refused by the limiter says "too frequent", not thank you, and is not stored."""
    phone = limited_app.test_client()
    code = campaign.codes["K1"]
    html = phone.get(f"/s/{code}").get_data(as_text=True)
    token = html.split('name="token" value="')[1].split('"')[0]
    for _ in range(3):  # the participant's budget (3 per minute here) spent on broken posts
        assert phone.post(f"/s/{code}", data={"token": "bogus"}).status_code == 400
    refused = phone.post(f"/s/{code}", data={"token": token, **good_answers()})
    assert refused.status_code == 429
    page = refused.get_data(as_text=True)
    assert "操作过于频繁" in page and "提交成功" not in page and "回执编号" not in page
    assert stored_count(limited_app) == 0


def test_a_wechat_resident_hammering_the_form_is_limited_per_wechat_identity(wechat_limited_app, campaign):
    """With WeChat there is no device cookie: the limiter must key on the WeChat identity."""
    code = campaign.codes["K1"]
    phone = wechat_limited_app.test_client()
    with phone.session_transaction() as sess:
        sess["wx_id"] = {"appid": "wx-test-appid", "pid": "wx-participant-hmac-0001"}
    statuses = [phone.post(f"/s/{code}", data={"token": "bogus"}).status_code for _ in range(4)]
    assert statuses == [400, 400, 400, 429]
    neighbour = wechat_limited_app.test_client()  # another WeChat user on the same IP is not affected
    with neighbour.session_transaction() as sess:
        sess["wx_id"] = {"appid": "wx-test-appid", "pid": "wx-participant-hmac-0002"}
    assert neighbour.post(f"/s/{code}", data={"token": "bogus"}).status_code == 400
