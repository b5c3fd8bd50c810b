"""The JSON API: same flow, JSON errors naming the field, nothing partial stored."""

import uuid

import pytest
from sqlalchemy import func, select

from questionnaire.extensions import db
from questionnaire.intake.models import Response
from tests.factories import good_answers


def stored_count() -> int:
    return db.session.scalar(select(func.count()).select_from(Response))


def post(client, code, body, **kw):
    return client.post(f"/api/v1/entries/{code}/responses", json=body, **kw)


def test_fetching_an_entry_returns_the_questionnaire(client, campaign):
    data = client.get(f"/api/v1/entries/{campaign.codes['K1T1']}").get_json()
    assert data["evaluated_unit"]["name"] == "甲县" and data["poster_unit"]["name"] == "一镇"
    assert [q["id"] for q in data["questionnaire"]["questions"]][:3] == ["gov", "security", "transport"]
    assert data["campaign"]["status"] == "open" and data["participant_token"]


@pytest.mark.both_backends  # a replay is found by submission_id
def test_submitting_then_retrying_returns_the_same_receipt(client, campaign):
    code = campaign.codes["K1"]
    body = {"submission_id": str(uuid.uuid4()), "answers": good_answers(), "duration_seconds": 75}
    first = post(client, code, body)
    again = post(client, code, body)
    assert first.status_code == 201 and first.get_json()["status"] == "accepted"
    assert again.status_code == 200 and again.get_json()["status"] == "replayed"
    assert first.get_json()["receipt_no"] == again.get_json()["receipt_no"]
    assert stored_count() == 1
    assert client.get(f"/api/v1/entries/{code}/status").get_json()["participated"] is True


@pytest.mark.both_backends  # the writer's conflict on submission_id
def test_a_replayed_submission_id_with_different_answers_is_refused(client, campaign):
    code = campaign.codes["K1"]
    sid = str(uuid.uuid4())
    post(client, code, {"submission_id": sid, "answers": good_answers()})
    changed = post(client, code, {"submission_id": sid, "answers": good_answers(gov="1")})
    assert changed.status_code == 409
    assert changed.get_json()["error"]["code"] == "submission_id_reused"
    assert db.session.scalar(select(Response.answers)).get("gov") == "5"


@pytest.mark.both_backends  # dedup: Redis claim, then the database
def test_a_second_participation_is_a_409_with_a_json_error(client, campaign):
    code = campaign.codes["K1"]
    post(client, code, {"submission_id": str(uuid.uuid4()), "answers": good_answers()})
    second = post(client, code, {"submission_id": str(uuid.uuid4()), "answers": good_answers()})
    assert second.status_code == 409 and second.get_json()["error"]["code"] == "already_participated"


@pytest.mark.both_backends  # dedup: Redis claim, then the database
def test_the_participant_token_header_identifies_a_cookieless_client(clean_app, campaign):
    code = campaign.codes["K1"]
    token = clean_app.test_client().get(f"/api/v1/entries/{code}").get_json()["participant_token"]
    fresh = [clean_app.test_client() for _ in range(2)]
    headers = {"X-Participant-Token": token}
    a = post(fresh[0], code, {"submission_id": str(uuid.uuid4()), "answers": good_answers()}, headers=headers)
    b = post(fresh[1], code, {"submission_id": str(uuid.uuid4()), "answers": good_answers()}, headers=headers)
    assert (a.status_code, b.status_code) == (201, 409)


def test_invalid_answers_name_each_field_and_store_nothing(client, campaign):
    resp = post(client, campaign.codes["K1"], {
        "submission_id": str(uuid.uuid4()),
        "answers": {"gov": "9", "transport": "5", "suggestion": "长" * 51, "hack": "1"}})
    assert resp.status_code == 422
    fields = resp.get_json()["error"]["fields"]
    assert fields == {"gov": "不是有效选项", "security": "此题为必答题",
                      "suggestion": "内容过长（最多 50 字）", "hack": "未知题目"}
    assert stored_count() == 0


def test_request_shape_errors_are_json(client, campaign):
    code = campaign.codes["K1"]
    url = f"/api/v1/entries/{code}/responses"
    assert client.post(url, data="x", content_type="text/plain").status_code == 415
    assert client.post(url, data="{bad json", content_type="application/json").status_code == 400
    assert client.post(url, json=[1, 2]).status_code == 400
    missing = post(client, code, {"answers": good_answers(), "duration_seconds": -1, "extra": 1})
    assert missing.status_code == 422
    assert set(missing.get_json()["error"]["fields"]) == {"submission_id", "duration_seconds", "extra"}
    assert post(client, code, {"submission_id": "nope", "answers": {}}).status_code == 422
    assert stored_count() == 0


def test_an_oversized_body_is_a_413_json_error(client, campaign):
    resp = post(client, campaign.codes["K1"], {"submission_id": str(uuid.uuid4()),
                                                "answers": {"suggestion": "x" * 70_000}})
    assert resp.status_code == 413 and resp.get_json()["error"]["code"] == "payload_too_large"


def test_unknown_entry_code_is_a_404_json_error(client, campaign):
    resp = client.get("/api/v1/entries/zzzzzzzz")
    assert resp.status_code == 404 and resp.get_json()["error"]["code"] == "entry_not_found"


def test_a_disabled_entry_refuses_valid_answers_with_410_and_malformed_ones_with_422(client, campaign):
    from questionnaire.intake.models import CollectionPoint

    code = campaign.codes["K2T1"]
    db.session.execute(CollectionPoint.__table__.update().where(CollectionPoint.code == code).values(is_enabled=False))
    db.session.commit()
    valid = post(client, code, {"submission_id": str(uuid.uuid4()), "answers": good_answers()})
    assert valid.status_code == 410 and valid.get_json()["error"]["code"] == "entry_disabled"
    # A body the published schema refuses is a request error first (the fuzzer's contract check).
    malformed = post(client, code, {"submission_id": str(uuid.uuid4()), "answers": good_answers(gov=True)})
    assert malformed.status_code == 422 and malformed.get_json()["error"]["code"] == "invalid_answers"
    assert stored_count() == 0
