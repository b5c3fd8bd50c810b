"""Issue 18, item 2: phone and ID numbers typed into free text are masked at intake.

The stored answers hold 138****5678; the text as typed is one Fernet token in
`responses.free_text_sealed`; the dashboard, the raw export and the report read the stored
text and so show it masked with no rule of their own. Answers stored before are masked by
`flask mask-free-text`.
"""

from __future__ import annotations

import json
import re
import uuid

import pytest
from sqlalchemy import select, text, update

from questionnaire.campaigns.definition import answers_digest
from questionnaire.dashboard.suggestions import recent_suggestions
from questionnaire.extensions import db
from questionnaire.intake.free_text import unseal
from questionnaire.intake.models import Response
from questionnaire.kernel.crypto import Cipher
from questionnaire.org.scope import Scope
from tests.exports.conftest import as_dicts, read_csv
from tests.exports.test_contents import questionnaire_id, run_export
from tests.factories import good_answers

# JSON documents are JSONB on PostgreSQL and TEXT on SQLite; the export streams per backend.
pytestmark = pytest.mark.both_backends

TYPED = "请联系我13812345678或0778-2281234，身份证45270119900101123X"
MASKED = "请联系我138****5678或077****1234，身份证452**********1123X"
DIGIT_RUNS = re.compile(r"\d{7,}")


def row_of(response_id: int) -> Response:
    db.session.remove()
    return db.session.get(Response, response_id)


def raw_row_text(response_id: int) -> str:
    """The whole row as the database returns it, every column as text."""
    with db.engine.connect() as conn:
        row = conn.execute(text("SELECT * FROM responses WHERE id = :id"), {"id": response_id}).one()
    return " ".join(str(v) for v in row)


def test_a_typed_number_is_stored_masked_and_the_text_as_typed_only_sealed(clean_app, respond):
    receipt = respond("K1", suggestion=TYPED)
    stored = row_of(receipt.response_id)
    assert stored.answers["suggestion"] == MASKED
    assert stored.answers_digest == answers_digest(stored.answers)  # the digest is over what is stored
    assert unseal(Cipher(clean_app.config["FIELD_ENCRYPTION_KEY"]), stored.free_text_sealed) == {"suggestion": TYPED}
    raw = raw_row_text(receipt.response_id)
    assert "13812345678" not in raw and "2281234" not in raw and "45270119900101123X" not in raw


def test_an_answer_without_numbers_is_stored_as_typed_with_nothing_sealed(respond):
    receipt = respond("K1", suggestion="路灯坏了，2024-05-01报修，补贴1380元")
    stored = row_of(receipt.response_id)
    assert stored.answers["suggestion"] == "路灯坏了，2024-05-01报修，补贴1380元"
    assert stored.free_text_sealed is None


def test_the_api_and_the_form_mask_alike_and_a_retry_gets_the_first_receipt(clean_app, client, campaign):
    code = campaign.codes["K1"]
    body = {"submission_id": str(uuid.uuid4()), "answers": good_answers(suggestion="电话 138-1234-5678")}
    first = client.post(f"/api/v1/entries/{code}/responses", json=body)
    again = client.post(f"/api/v1/entries/{code}/responses", json=body)  # same key, same text: a retry
    assert first.status_code == 201 and again.status_code == 200
    assert again.get_json()["receipt_no"] == first.get_json()["receipt_no"]
    browser = clean_app.test_client()
    page = browser.get(f"/s/{campaign.codes['K1T1']}").get_data(as_text=True)
    token = re.search(r'name="token" value="([^"]+)"', page).group(1)
    thanks = browser.post(f"/s/{campaign.codes['K1T1']}",
                          data={"token": token, **good_answers(suggestion="座机0778-2281234")})
    assert "提交成功" in thanks.get_data(as_text=True)
    db.session.remove()
    texts = sorted(r.answers["suggestion"] for r in db.session.scalars(select(Response)))
    assert texts == ["座机077****1234", "电话 138****5678"]


def test_dashboard_export_and_report_show_the_masked_text(clean_app, campaign, accounts, respond, login_as):
    receipt = respond("K1T1", suggestion=TYPED)
    shown = recent_suggestions(db.session, campaign.id, Scope(role="admin"), include_flagged=True)
    assert [(s.response_id, s.text, s.sealed) for s in shown] == [(receipt.response_id, MASKED, True)]
    page = login_as("admin").get(f"/dashboard/campaigns/{campaign.id}").get_data(as_text=True)
    assert MASKED in page and "查看原文" in page and not DIGIT_RUNS.search(page.split("最新意见建议")[1])
    _, data = run_export(clean_app, accounts.admin, campaign, fmt="csv", questionnaire_id=questionnaire_id("county"))
    exported = as_dicts(read_csv(data))
    assert [r["4. 意见建议"] for r in exported] == [MASKED]
    assert "13812345678" not in data.decode("utf-8-sig")


def test_mask_free_text_masks_answers_stored_before_and_a_second_run_changes_nothing(clean_app, respond, runner):
    receipt = respond("K1", suggestion="旧答卷")
    old = dict(row_of(receipt.response_id).answers, suggestion=TYPED)
    with db.engine.begin() as conn:  # an answer stored before migration 0018: the text as typed
        conn.execute(update(Response).where(Response.id == receipt.response_id)
                     .values(answers=old, answers_digest=answers_digest(old)))
    result = runner.invoke(args=["mask-free-text"])
    assert result.exit_code == 0, result.output
    assert "scanned=1 masked=1" in result.output
    stored = row_of(receipt.response_id)
    assert stored.answers["suggestion"] == MASKED
    assert stored.answers_digest == answers_digest(stored.answers)
    assert unseal(Cipher(clean_app.config["FIELD_ENCRYPTION_KEY"]), stored.free_text_sealed) == {"suggestion": TYPED}
    again = runner.invoke(args=["mask-free-text"])
    assert "scanned=0 masked=0" in again.output
    assert json.dumps(row_of(receipt.response_id).answers, ensure_ascii=False).count("*") == MASKED.count("*")
