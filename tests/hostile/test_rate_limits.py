"""Rate limits: one hammering client is stopped, a village behind one NAT is not."""

from __future__ import annotations

import uuid

from tests.factories import good_answers


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
