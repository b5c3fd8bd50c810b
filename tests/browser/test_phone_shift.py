"""An interviewer's shift on a desktop: 下一个, dial (the number revealed), a completed interview
with its answers, 下一个, an appointment, 下一个 again; the supervisor's board counts the complete.
Screenshots at 1440 px (interviewer, supervisor) and 360 px (a unit's frame upload and feedback)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from questionnaire.channels.phone.models import PhoneCase
from questionnaire.extensions import db
from tests.browser.conftest import PHONE
from tests.channels.phone.conftest import drawn, keys, phone_staff, upload  # noqa: F401 - fixtures
from tests.channels.phone.test_queue import china
from tests.fixtures.accounts import PASSWORD

pytestmark = pytest.mark.browser

DESKTOP = {"viewport": {"width": 1440, "height": 900}, "locale": "zh-CN"}


def signed_in(chromium, live_server, username, options):
    context = chromium.new_context(**options)
    page = context.new_page()
    page.goto(f"{live_server}/office/login")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url("**/office/**")
    return context, page


def answer_every_choice_question(page) -> None:
    """The first option of each closed question (the text question stays empty)."""
    questions = page.locator("fieldset.q")
    for i in range(questions.count()):
        radios = questions.nth(i).locator("input[type=radio]")
        if radios.count():
            radios.first.check()


def test_an_interviewer_works_a_shift_and_the_supervisor_sees_the_complete(
        live_server, campaign, drawn, phone_staff, chromium, screenshot, clean_app):
    now = china(10)
    clean_app.config["PHONE_CLOCK"] = lambda: now
    work_url = f"{live_server}/office/phone/campaigns/{campaign.id}/work"
    interviewer, page = signed_in(chromium, live_server, "i1", DESKTOP)
    try:
        errors = []
        page.on("pageerror", lambda exc: errors.append(str(exc)))
        page.goto(work_url)
        screenshot(page, "phone-work-idle-1440")
        page.click("#next-case")
        first = page.locator("#case").get_attribute("data-case")
        expect(page.locator("#masked-number")).to_contain_text("****")
        page.click("#reveal")
        expect(page.locator("#dial")).to_be_visible()
        assert page.locator("#dial").get_attribute("href").startswith("tel:139")
        page.select_option("#outcome", "11")
        answer_every_choice_question(page)
        screenshot(page, "phone-work-case-1440")
        page.click("#save-outcome")
        expect(page.locator("body")).to_contain_text("已记录：成功访问")

        page.click("#next-case")
        second = page.locator("#case").get_attribute("data-case")
        assert second != first
        page.select_option("#outcome", "24")
        page.fill("#appointment-at", f"{now + timedelta(hours=5):%Y-%m-%dT%H:%M}")
        page.click("#save-outcome")
        expect(page.locator("body")).to_contain_text("已记录：预约再访")

        page.click("#next-case")
        third = page.locator("#case").get_attribute("data-case")
        assert third not in (first, second)
        assert errors == []

        db.session.expire_all()
        statuses = dict(db.session.execute(select(PhoneCase.id, PhoneCase.status).where(
            PhoneCase.id.in_((int(first), int(second), int(third))))).all())
        assert statuses == {int(first): "final", int(second): "appointment", int(third): "working"}

        supervisor, board = signed_in(chromium, live_server, "s1", DESKTOP)
        try:
            board.goto(f"{live_server}/office/phone/campaigns/{campaign.id}/board")
            expect(board.locator("body")).to_contain_text("i1")
            screenshot(board, "phone-board-1440")
            board.goto(f"{live_server}/office/phone/campaigns/{campaign.id}/review")
            screenshot(board, "phone-review-1440")
        finally:
            supervisor.close()
    finally:
        interviewer.close()
        clean_app.config.pop("PHONE_CLOCK")


def test_a_county_uploads_its_frame_and_reads_its_feedback_on_a_phone(
        live_server, campaign, accounts, chromium, screenshot, tmp_path):
    frame = tmp_path / "frame.csv"
    frame.write_text("序号,电话号码,样本类型\n1,13900000001,企业\n2,1390000000,企业\n3,13900000001,企业\n",
                     encoding="utf-8")
    context, page = signed_in(chromium, live_server, "k1", PHONE)
    try:
        page.goto(f"{live_server}/office/phone/campaigns/{campaign.id}/frames")
        page.set_input_files("input[type=file]", str(frame))
        page.click("form[enctype] button[type=submit]")
        screenshot(page, "phone-frames-360")
        expect(page.locator("body")).to_contain_text("有效 1 个号码，无效 1 行，重复 1 行")
        assert page.evaluate("document.documentElement.scrollWidth") <= 360
        screenshot(page, "phone-frames-360")
        page.goto(f"{live_server}/office/phone/campaigns/{campaign.id}/feedback")
        expect(page.locator("h1")).to_contain_text("电话访问")
        assert page.evaluate("document.documentElement.scrollWidth") <= 360
        screenshot(page, "phone-feedback-360")
    finally:
        context.close()
