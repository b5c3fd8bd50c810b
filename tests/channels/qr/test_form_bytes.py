"""Issue 18, item 1: the survey form refuses the bytes the JSON API refuses.

A form value whose percent-escapes are not UTF-8 used to reach the database as the literal
escape text ("%FF%FE%C3("); now each bad byte is decoded as U+FFFD and meets the one free-text
rule the API's lone surrogates meet (campaigns.definition.UNTYPEABLE): a 422 page with the
Chinese message, nothing stored.
The page's fetch submit (static/js/survey.js) posts the same urlencoded body, so it is this path.
"""

from __future__ import annotations

import re
import uuid

import pytest
from sqlalchemy import select

from questionnaire.extensions import db
from questionnaire.intake.models import Response
from tests.factories import good_answers

# What reaches the database differs (JSONB on PostgreSQL, TEXT JSON on SQLite): both must store nothing.
pytestmark = pytest.mark.both_backends

UNREADABLE = "内容包含无法识别的字符，请删除后重新提交"
BAD_ESCAPES = {"invalid-utf8": "%FF%FE%C3%28", "utf8-encoded-lone-surrogate": "%ED%A0%80abc"}


def stored() -> list[Response]:
    db.session.remove()
    return db.session.scalars(select(Response)).all()


def form_body(client, code: str, suggestion_escaped: str) -> bytes:
    html = client.get(f"/s/{code}").get_data(as_text=True)
    token = re.search(r'name="token" value="([^"]+)"', html).group(1)
    return f"token={token}&gov=5&security=4&transport=dk&age=u30&suggestion={suggestion_escaped}".encode()


def post_form(client, code: str, body: bytes):
    return client.post(f"/s/{code}", data=body, content_type="application/x-www-form-urlencoded;charset=UTF-8")


@pytest.mark.parametrize("escaped", BAD_ESCAPES.values(), ids=BAD_ESCAPES.keys())
def test_a_form_suggestion_that_is_not_utf8_is_refused_and_nothing_is_stored(client, campaign, escaped):
    code = campaign.codes["K1"]
    response = post_form(client, code, form_body(client, code, escaped))
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert UNREADABLE in html and "提交成功" not in html
    assert "%FF" not in html and "%ED" not in html  # the escapes are not echoed back as text either
    assert 'name="token"' in html and "\ufffd" in html  # the form again, the bad bytes shown as �
    assert stored() == []


@pytest.mark.parametrize("text", ["\ud800abc", "\ufffd\ufffd("], ids=["lone-surrogate", "replacement-chars"])
def test_the_api_refuses_the_same_text_with_the_same_message(client, campaign, text):
    url = f"/api/v1/entries/{campaign.codes['K1']}/responses"
    refused = client.post(url, json={"submission_id": str(uuid.uuid4()), "answers": good_answers(suggestion=text)})
    assert refused.status_code == 422
    assert refused.get_json()["error"]["fields"] == {"suggestion": UNREADABLE}
    raw = client.post(url, data=b'{"answers": {"suggestion": "\xff\xfe\xc3("}}', content_type="application/json")
    assert raw.status_code == 400
    assert stored() == []


def test_a_multipart_post_with_bad_bytes_is_refused_the_same_way(client, campaign):
    code = campaign.codes["K1"]
    html = client.get(f"/s/{code}").get_data(as_text=True)
    token = re.search(r'name="token" value="([^"]+)"', html).group(1)
    parts = [("token", token.encode()), ("gov", b"5"), ("security", b"4"), ("transport", b"dk"),
             ("suggestion", b"\xff\xfe\xc3(")]
    body = b"".join(b'--B\r\nContent-Disposition: form-data; name="%s"\r\n\r\n%s\r\n' % (k.encode(), v)
                    for k, v in parts) + b"--B--\r\n"
    response = client.post(f"/s/{code}", data=body, content_type="multipart/form-data; boundary=B")
    assert response.status_code == 422 and UNREADABLE in response.get_data(as_text=True)
    assert stored() == []


def test_an_office_form_with_bad_bytes_is_an_ordinary_refusal_not_a_500(client, campaign):
    html = client.get("/office/login").get_data(as_text=True)
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)
    response = client.post("/office/login", data=f"csrf_token={csrf}&username=%FF%FE&password=x".encode(),
                           content_type="application/x-www-form-urlencoded")
    assert response.status_code < 500


def test_typed_percent_signs_and_chinese_text_are_stored_as_typed(client, campaign):
    code = campaign.codes["K1"]
    # What a browser sends for 路灯%FF坏了 typed by a resident: the % itself is escaped (%25).
    typed = "%E8%B7%AF%E7%81%AF%25FF%E5%9D%8F%E4%BA%86"
    response = post_form(client, code, form_body(client, code, typed))
    assert response.status_code == 200 and "提交成功" in response.get_data(as_text=True)
    assert [r.answers["suggestion"] for r in stored()] == ["路灯%FF坏了"]
