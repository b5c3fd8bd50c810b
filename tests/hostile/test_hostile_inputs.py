"""Hostile inputs, one table row each: never a 5xx, a Chinese page or a JSON error naming the
field, and exactly the stored rows there should be (none from a refused request).

Tables: JSON API bodies, unknown entry codes on every resident URL, the HTML form, forged
participant identities, another county's office and dashboard URLs. Sequences that need
a first answer (replayed idempotency keys, free text with script tags, CSRF) are tests
of their own below the tables.
"""

from __future__ import annotations

import json
import re
import uuid
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

import pytest
from itsdangerous import URLSafeSerializer
from sqlalchemy import func, select

from questionnaire.extensions import db
from questionnaire.intake.models import CollectionPoint, Response
from questionnaire.intake.participant import DEVICE_COOKIE, TOKEN_HEADER, participant_token
from questionnaire.intake.submissions import Participant
from questionnaire.org.models import OrgUnit
from tests.factories import good_answers

CJK = re.compile(r"[\u4e00-\u9fff]")
SCRIPT = "<script>alert('x')</script>"
ESCAPED = "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;"
THANKS = "提交成功"


def stored() -> list[Response]:
    db.session.remove()
    return db.session.scalars(select(Response).order_by(Response.id)).all()


def stored_count() -> int:
    db.session.remove()
    return db.session.scalar(select(func.count()).select_from(Response))


def assert_refused_page(response, *texts: str) -> str:
    """A Chinese HTML page with a 4xx status that is not the thank-you page."""
    html = response.get_data(as_text=True)
    assert 400 <= response.status_code < 500, (response.status_code, html[:300])
    assert response.mimetype == "text/html" and CJK.search(html)
    assert THANKS not in html
    for text in texts:
        assert text in html, text
    return html


def assert_json_error(response, status: int, code: str | None = None, field: str | None = None) -> dict:
    """The API's one error body, with a Chinese message and (if given) the field named."""
    assert response.status_code == status, (response.status_code, response.get_data(as_text=True)[:300])
    assert response.is_json
    error = response.get_json()["error"]
    assert CJK.search(error["message"])
    if code is not None:
        assert error["code"] == code
    if field is not None:
        assert field in error.get("fields", {}), error
        assert CJK.search(error["fields"][field])
    return error


def submit_url(code: str) -> str:
    return f"/api/v1/entries/{code}/responses"


def body(answers: Any = "good", **extra) -> dict:
    data = {"submission_id": str(uuid.uuid4()), "answers": good_answers() if answers == "good" else answers}
    data.update(extra)
    return data


# ---------------------------------------------------------------------------------------------
# 1. JSON API bodies: every row is refused, nothing is stored.

@dataclass(frozen=True)
class ApiBody:
    id: str
    data: Any  # dict/list -> JSON-encoded; str/bytes -> sent as is
    status: int
    code: str
    field: str | None = None
    content_type: str = "application/json"

    def payload(self) -> str | bytes:
        if isinstance(self.data, (str, bytes)):
            return self.data
        return json.dumps(self.data)  # ensure_ascii: "\u0000" and "\ud800" travel as escapes


def nested(depth: int) -> str:
    return "[" * depth + "]" * depth


API_BODIES = [
    ApiBody("oversized-body-over-MAX_CONTENT_LENGTH", body(good_answers(suggestion="x" * 70_000)), 413,
            "payload_too_large"),
    ApiBody("answers-nested-10000-levels-deep",
            '{"submission_id": "%s", "answers": %s}' % (uuid.uuid4(), nested(10_000)),  # noqa: UP031 - JSON: % keeps braces literal
            400, "bad_json"),
    ApiBody("whole-body-nested-10000-levels-deep", nested(10_000), 400, "bad_json"),
    ApiBody("body-is-a-json-list", [body()], 400, "bad_json"),
    ApiBody("body-is-a-json-string", '"5"', 400, "bad_json"),
    ApiBody("body-is-json-null", "null", 400, "bad_json"),
    ApiBody("truncated-json", '{"submission_id": "', 400, "bad_json"),
    ApiBody("invalid-utf8-bytes", b'{"answers": {"gov": "\xff\xfe"}}', 400, "bad_json"),
    ApiBody("integer-with-5000-digits", '{"duration_seconds": %s}' % ("9" * 5000), 400, "bad_json"),
    ApiBody("text-plain-content-type", json.dumps(body()), 415, "unsupported_media_type",
            content_type="text/plain"),
    ApiBody("form-encoded-content-type", "answers=5", 415, "unsupported_media_type",
            content_type="application/x-www-form-urlencoded"),
    ApiBody("answers-missing", {"submission_id": str(uuid.uuid4())}, 422, "invalid_request", "answers"),
    ApiBody("answers-is-a-list", body(["5", "4", "dk"]), 422, "invalid_answers", "answers"),
    ApiBody("answers-is-a-number", body(5), 422, "invalid_answers", "answers"),
    ApiBody("answers-is-null", body(None), 422, "invalid_answers", "answers"),
    ApiBody("answers-is-a-string", body("gov=5"), 422, "invalid_answers", "answers"),
    ApiBody("value-is-an-int", body(good_answers(gov=5)), 422, "invalid_answers", "gov"),
    ApiBody("value-is-a-float-nan",
            '{"submission_id": "%s", "answers": {"gov": NaN, "security": "4", "transport": "5"}}'  # noqa: UP031 - JSON
            % uuid.uuid4(), 422, "invalid_answers", "gov"),
    ApiBody("value-is-a-list", body(good_answers(gov=["5"])), 422, "invalid_answers", "gov"),
    ApiBody("value-is-a-dict", body(good_answers(gov={"value": "5"})), 422, "invalid_answers", "gov"),
    ApiBody("value-is-a-bool", body(good_answers(gov=True)), 422, "invalid_answers", "gov"),
    ApiBody("value-is-not-an-option", body(good_answers(gov="6")), 422, "invalid_answers", "gov"),
    ApiBody("value-is-an-option-label-not-its-value", body(good_answers(gov="非常满意")), 422,
            "invalid_answers", "gov"),
    ApiBody("required-answer-blank", body(good_answers(gov="   ")), 422, "invalid_answers", "gov"),
    ApiBody("required-answer-missing", body({"security": "4", "transport": "5"}), 422, "invalid_answers", "gov"),
    ApiBody("question-id-is-a-number-string", body(good_answers(**{"1": "5"})), 422, "invalid_answers", "1"),
    ApiBody("unknown-question-id", body(good_answers(ghost="5")), 422, "invalid_answers", "ghost"),
    ApiBody("question-id-with-other-case", body(good_answers(GOV="5")), 422, "invalid_answers", "GOV"),
    ApiBody("free-text-over-max-length", body(good_answers(suggestion="长" * 51)), 422, "invalid_answers",
            "suggestion"),
    ApiBody("nul-character-in-free-text", body(good_answers(suggestion="路\x00灯")), 422, "invalid_answers",
            "suggestion"),
    ApiBody("lone-surrogate-in-free-text", body(good_answers(suggestion="路灯\ud800")), 422,
            "invalid_answers", "suggestion"),
    ApiBody("submission-id-missing", {"answers": good_answers()}, 422, "invalid_request", "submission_id"),
    ApiBody("submission-id-not-a-uuid", body(submission_id="retry-1"), 422, "invalid_request", "submission_id"),
    ApiBody("submission-id-is-a-number", body(submission_id=12345), 422, "invalid_request", "submission_id"),
    ApiBody("submission-id-is-a-dict", body(submission_id={"$ne": None}), 422, "invalid_request",
            "submission_id"),
    ApiBody("duration-negative", body(duration_seconds=-1), 422, "invalid_request", "duration_seconds"),
    ApiBody("duration-is-a-bool", body(duration_seconds=True), 422, "invalid_request", "duration_seconds"),
    ApiBody("duration-is-a-string", body(duration_seconds="60"), 422, "invalid_request", "duration_seconds"),
    ApiBody("duration-10-to-the-30", body(duration_seconds=10**30), 422, "invalid_request", "duration_seconds"),
    ApiBody("unknown-top-level-field", body(is_admin=True), 422, "invalid_request", "is_admin"),
]


@pytest.mark.parametrize("row", API_BODIES, ids=[r.id for r in API_BODIES])
def test_hostile_api_body_is_refused_with_a_json_error_and_nothing_stored(client, campaign, row):
    response = client.post(submit_url(campaign.codes["K1"]), data=row.payload(), content_type=row.content_type)
    assert_json_error(response, row.status, row.code, row.field)
    assert stored_count() == 0


def test_the_same_submit_with_a_clean_body_is_stored_once(client, campaign):
    """The control for the table above: the URL, code and defaults really accept an answer."""
    response = client.post(submit_url(campaign.codes["K1"]), json=body())
    assert response.status_code == 201
    assert stored_count() == 1


# ---------------------------------------------------------------------------------------------
# 2. Unknown entry codes on every resident URL: 404, Chinese, nothing stored.

UNKNOWN_CODES = {
    "well-formed-but-unknown": "zzzzzzzz",
    "path-traversal": "../../etc/passwd",
    "encoded-path-traversal": "..%2F..%2Fapi%2Fv1",
    "org-unit-code-not-entry-code": "K1",
    "upper-case-garbage": "ZZZZZZZZ",
    "5000-characters": "a" * 5000,
    "chinese": "二维码入口",
    "emoji": "🙂🙂🙂🙂",
    "nul-byte": "\x00",
    "sql-injection": "' OR '1'='1",
    "script-tag": "<script>alert(1)</script>",
}


@pytest.mark.parametrize("code", list(UNKNOWN_CODES.values()), ids=list(UNKNOWN_CODES))
def test_unknown_entry_code_is_a_404_on_every_resident_url(client, campaign, code):
    path = quote(code, safe="")
    for response in (client.get(f"/api/v1/entries/{path}"),
                     client.get(f"/api/v1/entries/{path}/status"),
                     client.post(f"/api/v1/entries/{path}/responses", json=body())):
        error = assert_json_error(response, 404)
        assert error["code"] in ("entry_not_found", "not_found")
    for response in (client.get(f"/s/{path}"), client.post(f"/s/{path}", data=good_answers(token="x"))):
        assert response.status_code == 404
        html = assert_refused_page(response)
        assert "<script>alert(1)" not in html
    assert stored_count() == 0


# ---------------------------------------------------------------------------------------------
# 3. The HTML form: refused posts show a Chinese page (never the thank-you page), store nothing.

def form_token(client, code: str) -> str:
    html = client.get(f"/s/{code}").get_data(as_text=True)
    return re.search(r'name="token" value="([^"]+)"', html).group(1)


def other_key_token(code: str) -> str:
    from itsdangerous import URLSafeTimedSerializer

    return URLSafeTimedSerializer("not-our-secret", salt="survey-form").dumps(
        {"sid": str(uuid.uuid4()), "code": code, "t": 0})


@dataclass(frozen=True)
class FormPost:
    id: str
    build: Any  # (client, codes by unit, token of the K1 form) -> kwargs for client.post
    status: int
    texts: tuple[str, ...]


def answers_form(token, **overrides) -> dict:
    return {"data": {"token": token, **good_answers(**overrides)}}


FORM_POSTS = [
    FormPost("oversized-form-over-MAX_CONTENT_LENGTH",
             lambda c, codes, t: answers_form(t, suggestion="x" * 70_000), 413, ("提交内容过大",)),
    FormPost("missing-form-token", lambda c, codes, t: {"data": good_answers()}, 400, ("页面已过期",)),
    FormPost("forged-form-token", lambda c, codes, t: answers_form("eyJzaWQiOiJ4In0.forged"), 400, ("页面已过期",)),
    FormPost("form-token-with-flipped-signature",
             lambda c, codes, t: answers_form(t[:-2] + ("AA" if t[-2:] != "AA" else "BB")), 400, ("页面已过期",)),
    FormPost("form-token-signed-with-another-key",
             lambda c, codes, t: answers_form(other_key_token(codes["K1"])), 400, ("页面已过期",)),
    FormPost("form-token-of-another-entry-code",
             lambda c, codes, t: answers_form(form_token(c, codes["K2"])), 400, ("页面已过期",)),
    FormPost("unknown-form-field", lambda c, codes, t: answers_form(t, is_admin="1"), 400, ("请求有误",)),
    FormPost("value-not-an-option", lambda c, codes, t: answers_form(t, gov="6"), 422, ("不是有效选项",)),
    FormPost("required-answer-missing", lambda c, codes, t: answers_form(t, gov=None), 422, ("此题为必答题",)),
    FormPost("free-text-over-max-length", lambda c, codes, t: answers_form(t, suggestion="长" * 51), 422,
             ("内容过长",)),
    FormPost("nul-character-in-free-text", lambda c, codes, t: answers_form(t, suggestion="路\x00灯"), 422,
             ("无法识别的字符",)),
    FormPost("invalid-utf8-in-form-value",
             lambda c, codes, t: {"data": f"token={t}&gov=%ff%fe&security=4&transport=5".encode(),
                                 "content_type": "application/x-www-form-urlencoded"}, 422, ("不是有效选项",)),
    FormPost("json-body-instead-of-a-form", lambda c, codes, t: {"json": {"token": t, **good_answers()}}, 400,
             ("页面已过期",)),
    FormPost("multipart-without-boundary",
             lambda c, codes, t: {"data": b"gov=5", "content_type": "multipart/form-data"}, 400, ()),
]


@pytest.mark.parametrize("row", FORM_POSTS, ids=[r.id for r in FORM_POSTS])
def test_hostile_form_post_gets_a_chinese_page_and_stores_nothing(client, campaign, row):
    code = campaign.codes["K1"]
    response = client.post(f"/s/{code}", **row.build(client, campaign.codes, form_token(client, code)))
    assert response.status_code == row.status
    assert_refused_page(response, *row.texts)
    assert stored_count() == 0


# ---------------------------------------------------------------------------------------------
# 4. Forged participant identities: a token or cookie that does not verify is ignored, so the
#    request is a NEW participant (the code's intent: intake/participant.py). It never becomes the
#    participant it imitates: that one's receipt is not shown and its answer is not touched.

VICTIM = "victim-device-0001-abcdef"


def forge(kind: str, app) -> str:
    with app.test_request_context():
        real = participant_token(Participant("device", VICTIM))
        other = participant_token(Participant("device", "attacker-device-0002-xyz"))
    payload, signature = real.rsplit(".", 1)
    return {
        "flipped-signature": payload + "." + signature[::-1],
        "victim-payload-with-attacker-signature": payload + "." + other.rsplit(".", 1)[1],
        "signed-with-another-secret": URLSafeSerializer("not-our-secret", salt="participant-device").dumps(VICTIM),
        "signed-for-another-purpose": URLSafeSerializer(app.config["SECRET_KEY"], salt="survey-form").dumps(VICTIM),
        "unsigned-device-id": VICTIM,
        "payload-only": payload,
        "10-kb-of-garbage": "A" * 10_000,
    }[kind]


FORGERIES = ["flipped-signature", "victim-payload-with-attacker-signature", "signed-with-another-secret",
             "signed-for-another-purpose", "unsigned-device-id", "payload-only", "10-kb-of-garbage"]


@pytest.fixture
def victim(clean_app, client, campaign):
    """A resident who answered through the API with their real token."""
    with clean_app.test_request_context():
        token = participant_token(Participant("device", VICTIM))
    first = client.post(submit_url(campaign.codes["K1"]), json=body(), headers={TOKEN_HEADER: token})
    assert first.status_code == 201
    status = client.get(f"/api/v1/entries/{campaign.codes['K1']}/status", headers={TOKEN_HEADER: token})
    assert status.get_json()["participated"] is True  # the real token does identify them
    return stored()[0]


@pytest.mark.parametrize("kind", FORGERIES)
def test_forged_participant_token_is_a_new_participant_never_the_victim(clean_app, campaign, victim, kind):
    attacker = clean_app.test_client(use_cookies=False)
    headers = {TOKEN_HEADER: forge(kind, clean_app)}
    code = campaign.codes["K1"]
    status = attacker.get(f"/api/v1/entries/{code}/status", headers=headers)
    assert status.status_code == 200 and status.get_json() == {"participated": False, "receipt_no": None}
    entry = attacker.get(f"/api/v1/entries/{code}", headers=headers).get_json()
    assert entry["participant_token"] != headers[TOKEN_HEADER]  # a fresh identity was issued
    answer = attacker.post(submit_url(code), json=body(good_answers(gov="1")), headers=headers)
    assert answer.status_code == 201  # stored as someone else, not refused as the victim's duplicate
    rows = stored()
    assert len(rows) == 2 and rows[0].answers == victim.answers
    assert rows[1].participant_hash != victim.participant_hash


@pytest.mark.parametrize("kind", FORGERIES)
def test_forged_device_cookie_on_the_form_is_a_new_participant(clean_app, campaign, victim, kind):
    browser = clean_app.test_client()
    forged = forge(kind, clean_app)[:4000]  # browsers drop cookies over 4 KB anyway
    browser.set_cookie(DEVICE_COOKIE, forged)
    page = browser.get(f"/s/{campaign.codes['K1']}")
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and "提交答卷" in html and "您已参与" not in html
    fresh = browser.get_cookie(DEVICE_COOKIE)
    assert fresh is not None and fresh.value != forged  # replaced by a signed new identity
    assert stored_count() == 1


# ---------------------------------------------------------------------------------------------
# 5. Replayed idempotency keys.

@pytest.mark.both_backends  # the writer's conflict on submission_id
def test_replayed_submission_id_with_different_answers_is_a_409_and_the_first_answers_stay(client, campaign):
    url = submit_url(campaign.codes["K1"])
    headers = {TOKEN_HEADER: client.get(f"/api/v1/entries/{campaign.codes['K1']}").get_json()["participant_token"]}
    first = body(good_answers(gov="5", suggestion="第一次"))
    assert client.post(url, json=first, headers=headers).status_code == 201
    changed = {**first, "answers": good_answers(gov="1", suggestion="改过的")}
    assert_json_error(client.post(url, json=changed, headers=headers), 409, "submission_id_reused", "submission_id")
    again = client.post(url, json=first, headers=headers)  # an honest retry still gets its receipt
    assert again.status_code == 200 and again.get_json()["status"] == "replayed"
    rows = stored()
    assert len(rows) == 1 and rows[0].answers["gov"] == "5" and rows[0].answers["suggestion"] == "第一次"


@pytest.mark.both_backends  # the writer's conflict on submission_id
def test_someone_elses_submission_id_is_a_409_for_a_new_participant(clean_app, campaign):
    url = submit_url(campaign.codes["K1"])
    first = body()
    assert clean_app.test_client(use_cookies=False).post(url, json=first).status_code == 201
    stranger = clean_app.test_client(use_cookies=False)
    for answers in (first["answers"], good_answers(gov="1")):  # same or different answers: not theirs
        response = stranger.post(url, json={**first, "answers": answers})
        assert_json_error(response, 409, "submission_id_reused", "submission_id")
    assert [r.answers for r in stored()] == [first["answers"]]


@pytest.mark.both_backends  # the writer's conflict on submission_id
def test_resubmitting_a_form_with_changed_answers_is_refused_not_thanked(client, campaign):
    code = campaign.codes["K1"]
    token = form_token(client, code)
    assert THANKS in client.post(f"/s/{code}", data={"token": token, **good_answers(gov="5")}).get_data(as_text=True)
    replay = client.post(f"/s/{code}", data={"token": token, **good_answers(gov="1")})
    assert replay.status_code == 409
    assert_refused_page(replay)
    assert [r.answers["gov"] for r in stored()] == ["5"]


# ---------------------------------------------------------------------------------------------
# 6. Script tags in free text: stored verbatim, escaped on every page that shows it, data in JSON.

def test_script_in_a_suggestion_is_stored_verbatim_and_escaped_wherever_it_is_shown(
        clean_app, client, campaign, login_as):
    code = campaign.codes["K1T1"]
    assert client.post(submit_url(code), json=body(good_answers(suggestion=SCRIPT))).status_code == 201
    browser = clean_app.test_client()
    thanks = browser.post(f"/s/{code}", data={"token": form_token(browser, code),
                                              **good_answers(suggestion=SCRIPT + "表单")})
    assert THANKS in thanks.get_data(as_text=True) and SCRIPT not in thanks.get_data(as_text=True)
    assert sorted(r.answers["suggestion"] for r in stored()) == [SCRIPT, SCRIPT + "表单"]

    refused = browser.post(f"/s/{code}", data={"token": form_token(clean_app.test_client(), code),
                                                "suggestion": SCRIPT})  # 422 re-renders the textarea
    assert refused.status_code == 422
    assert ESCAPED in refused.get_data(as_text=True) and SCRIPT not in refused.get_data(as_text=True)

    office = login_as("admin")
    k1 = unit_id("K1")
    pages = [f"/dashboard/campaigns/{campaign.id}", f"/dashboard/campaigns/{campaign.id}/counties/{k1}",
             f"/office/campaigns/{campaign.id}/entries"]
    for path in pages:
        page = office.get(path)
        html = page.get_data(as_text=True)
        assert page.status_code == 200, path
        assert SCRIPT not in html, path
    dashboard = office.get(pages[0]).get_data(as_text=True)
    assert ESCAPED in dashboard
    figures = office.get(f"/dashboard/api/campaigns/{campaign.id}/figures").get_json()
    assert SCRIPT in [s["text"] for s in figures["suggestions"]]


# ---------------------------------------------------------------------------------------------
# 7. Another county's office and dashboard URLs: 404 (existence not confirmed), nothing changed.

def entry_id(campaign, unit: str) -> int:
    return db.session.scalar(select(CollectionPoint.id).where(CollectionPoint.code == campaign.codes[unit]))


def unit_id(code: str) -> int:
    return db.session.scalar(select(OrgUnit.id).where(OrgUnit.code == code))


CROSS_COUNTY = [
    # id, account, method, path template, expects JSON
    ("county-K1-asks-K2-qr-png", "k1", "GET", "/office/entries/{K2}/qr.png", False),
    ("county-K1-asks-K2-township-qr-svg", "k1", "GET", "/office/entries/{K2T1}/qr.svg", False),
    ("county-K1-asks-K2-poster", "k1", "GET", "/office/entries/{K2}/poster.pdf?size=A4", False),
    ("county-K1-lists-K2-entries", "k1", "GET", "/office/campaigns/{campaign}/entries?county={K2_unit}", False),
    ("county-K1-disables-K2-entry", "k1", "POST", "/office/entries/{K2}/enabled", False),
    ("county-K1-batches-K2-posters", "k1", "POST", "/office/campaigns/{campaign}/posters?county={K2_unit}", False),
    ("county-K1-opens-K2-dashboard", "k1", "GET", "/dashboard/campaigns/{campaign}/counties/{K2_unit}", False),
    ("county-K1-polls-K2-figures", "k1", "GET", "/dashboard/api/campaigns/{campaign}/figures?county={K2_unit}",
     True),
    ("unit-U1-asks-K1-qr", "u1", "GET", "/office/entries/{K1}/qr.png", False),
    ("unit-U1-opens-K1-dashboard", "u1", "GET", "/dashboard/campaigns/{campaign}/counties/{K1_unit}", False),
    ("township-unit-asks-its-county-poster", "k1t1", "GET", "/office/entries/{K1}/poster.pdf", False),
]


@pytest.mark.parametrize("account,method,template,is_json", [r[1:] for r in CROSS_COUNTY],
                         ids=[r[0] for r in CROSS_COUNTY])
def test_office_url_of_another_county_is_a_404(campaign, login_as, account, method, template, is_json):
    path = template.format(campaign=campaign.id, K1=entry_id(campaign, "K1"), K2=entry_id(campaign, "K2"),
                           K2T1=entry_id(campaign, "K2T1"), K1_unit=unit_id("K1"), K2_unit=unit_id("K2"))
    office = login_as(account)
    response = office.open(path, method=method, data={"enabled": "0", "size": "A4"} if method == "POST" else None)
    if is_json:
        assert_json_error(response, 404)
    else:
        assert response.status_code == 404
        assert_refused_page(response)  # a Chinese "not found / not yours" page
    db.session.remove()
    assert all(db.session.scalars(select(CollectionPoint.is_enabled)))  # nothing was switched off


def test_county_entry_list_never_shows_another_countys_codes(campaign, login_as):
    html = login_as("k1").get(f"/office/campaigns/{campaign.id}/entries").get_data(as_text=True)
    assert campaign.codes["K1"] in html and campaign.codes["K1T2"] in html
    assert campaign.codes["K2"] not in html and campaign.codes["K2T1"] not in html


# ---------------------------------------------------------------------------------------------
# 8. CSRF on office POSTs.

@pytest.fixture
def csrf_on(clean_app):
    clean_app.config["WTF_CSRF_ENABLED"] = True
    yield
    clean_app.config["WTF_CSRF_ENABLED"] = False


@pytest.mark.parametrize("path", ["/office/entries/{K1}/enabled", "/office/campaigns/{campaign}/posters",
                                  "/office/campaigns/{campaign}/entries", "/office/logout"],
                         ids=["disable-entry", "poster-batch", "create-entries", "logout"])
def test_office_post_without_csrf_token_is_refused(clean_app, campaign, login_as, path):
    office = login_as("admin")  # logged in while CSRF is off; the session is real
    clean_app.config["WTF_CSRF_ENABLED"] = True
    try:
        response = office.post(path.format(K1=entry_id(campaign, "K1"), campaign=campaign.id),
                               data={"enabled": "0", "rule": "counties", "questionnaire": "county"})
    finally:
        clean_app.config["WTF_CSRF_ENABLED"] = False
    assert response.status_code == 400
    assert_refused_page(response, "页面已过期")
    db.session.remove()
    assert all(db.session.scalars(select(CollectionPoint.is_enabled)))
    assert office.get(f"/office/campaigns/{campaign.id}/entries").status_code == 200  # still logged in
