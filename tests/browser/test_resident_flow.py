"""A resident on a cheap Android phone inside WeChat answers a questionnaire in a real browser."""

import re

import pytest
from sqlalchemy import select

from questionnaire.extensions import db
from questionnaire.intake.models import Response

pytestmark = pytest.mark.browser

REQUIRED = {"gov": "非常满意", "security": "满意", "transport": "不了解"}
PAGE_BUDGET_BYTES = 100 * 1024


def stored() -> list:
    db.session.remove()  # see what the server threads committed
    return list(db.session.scalars(select(Response)))


def choose(page, question_id: str, label: str) -> None:
    # Residents tap the whole option row (the label), not the tiny radio.
    page.locator(f"#q-{question_id} label.opt").get_by_text(label, exact=True).click()


def test_answering_on_a_phone_shows_the_thank_you_page_and_receipt(live_server, campaign, phone, screenshot):
    phone.goto(f"{live_server}/s/{campaign.codes['K1T1']}")
    assert phone.locator("h1").inner_text() == "县区满意度问卷"
    for qid, label in REQUIRED.items():
        choose(phone, qid, label)
    phone.fill("textarea[name=suggestion]", "村口路灯不亮")
    screenshot(phone, "form-filled")
    phone.click("#submit-btn")
    phone.wait_for_selector("#receipt-no")
    screenshot(phone, "thanks")
    assert "提交成功" in phone.locator("h1").inner_text()
    receipt = phone.locator("#receipt-no").inner_text()
    assert re.fullmatch(r"[0-9A-F]{10}", receipt)
    [row] = stored()
    assert row.answers == {"gov": "5", "security": "4", "transport": "dk", "suggestion": "村口路灯不亮"}
    assert row.user_agent_class == "wechat-android"
    assert row.submission_id.replace("-", "")[:10].upper() == receipt


def test_the_form_works_with_javascript_disabled(live_server, campaign, phone_without_js):
    page = phone_without_js
    page.goto(f"{live_server}/s/{campaign.codes['K1']}")
    for qid, label in REQUIRED.items():
        choose(page, qid, label)
    page.click("#submit-btn")
    page.wait_for_selector("#receipt-no")
    assert "提交成功" in page.content()
    assert len(stored()) == 1


def test_a_missing_required_answer_is_shown_in_chinese_before_sending(live_server, campaign, phone, screenshot):
    url = f"{live_server}/s/{campaign.codes['K1']}"
    phone.goto(url)
    choose(phone, "gov", "满意")
    phone.click("#submit-btn")
    error = phone.locator("#q-security .q-error")
    error.wait_for()
    assert error.inner_text() == "此题为必答题"
    screenshot(phone, "missing-required")
    assert "此题为必答题" in phone.locator("#q-transport .q-error").inner_text()
    assert phone.locator("#q-gov .q-error").count() == 0
    assert phone.url == url and stored() == []
    # Answering the question clears its mark.
    choose(phone, "security", "满意")
    assert phone.locator("#q-security .q-error").count() == 0


def test_without_javascript_the_server_names_the_missing_answers(live_server, campaign, phone_without_js):
    page = phone_without_js
    page.goto(f"{live_server}/s/{campaign.codes['K1']}")
    choose(page, "gov", "满意")
    page.click("#submit-btn")
    page.wait_for_selector("#form-errors")
    assert "有 2 道题需要补充或修改" in page.locator("#form-errors").inner_text()
    assert page.locator("#q-security .q-error").inner_text() == "此题为必答题"
    assert page.locator("#q-gov input[value='4']").is_checked()  # the given answer is kept
    assert stored() == []


def test_the_entry_page_weighs_less_than_100_kb(live_server, campaign, phone, record_property):
    sizes = {}

    def on_finished(request):
        s = request.sizes()
        sizes[request.url] = s["responseBodySize"] + s["responseHeadersSize"]

    phone.on("requestfinished", on_finished)
    phone.goto(f"{live_server}/s/{campaign.codes['K1']}", wait_until="networkidle")
    kinds = {url.split("?")[0].rsplit(".", 1)[-1] if "/static/" in url else "html" for url in sizes}
    assert kinds == {"html", "css", "js"}, sizes
    total = sum(sizes.values())
    record_property("entry_page_bytes", total)
    print(f"\nentry page transfer: {total} bytes over {len(sizes)} requests: {sizes}")
    assert total < PAGE_BUDGET_BYTES
