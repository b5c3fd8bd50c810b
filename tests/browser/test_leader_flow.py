"""A leader opens the invitation on a phone inside WeChat, rates each ratee, submits; the office's
progress page shows the return rate move."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import PHONE
from tests.channels.leader.conftest import ASPECTS, leader_campaign, token_of  # noqa: F401 - fixture
from tests.fixtures.accounts import PASSWORD

pytestmark = pytest.mark.browser

DESKTOP = {"viewport": {"width": 1440, "height": 900}, "locale": "zh-CN"}


def office_progress(chromium, live_server, campaign_id, options):
    context = chromium.new_context(**options)
    page = context.new_page()
    page.goto(f"{live_server}/office/login")
    page.fill("input[name=username]", "admin")
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url("**/office/**")
    page.goto(f"{live_server}/office/leader/campaigns/{campaign_id}/progress")
    return context, page


def test_a_leader_rates_on_a_phone_and_the_office_sees_the_return_rate_move(
        live_server, campaign, leader_campaign, accounts, chromium, screenshot, clean_app):
    office, progress = office_progress(chromium, live_server, leader_campaign.id, DESKTOP)
    phone = chromium.new_context(**PHONE)
    try:
        expect(progress.locator("#return-rate")).to_contain_text("0.00%")
        screenshot(progress, "leader-progress-1440-before")
        page = phone.new_page()
        errors = []
        page.on("pageerror", lambda exc: errors.append(str(exc)))
        page.goto(f"{live_server}/l/{token_of(clean_app, leader_campaign.raters['王局长'])}")
        expect(page.locator("#ballot-progress")).to_have_text("已评价 0 / 3")
        screenshot(page, "leader-ballot-360")
        page.click("a.ratee-name >> nth=0")
        for n, ratee in enumerate(("甲县", "乙区", "市财政局")):
            expect(page.locator("h1.hero-title")).to_have_text(f"评价对象：{ratee}")
            for aspect in ASPECTS:
                page.check(f"#q-{aspect} input[value='{5 - n % 2}']")
            if n == 0:
                page.fill("textarea[name=comment]", "希望继续加大民生投入")
                screenshot(page, "leader-rate-360")
            page.click("#save-rating")
        expect(page.locator("#ballot-progress")).to_have_text("已评价 3 / 3")
        page.click("#submit-ballot")
        expect(page.locator("#ballot-submitted")).to_contain_text("共评价 3 个单位")
        screenshot(page, "leader-done-360")
        assert errors == []

        progress.reload()
        expect(progress.locator("#return-rate")).to_contain_text("33.33%")
        expect(progress.locator("#submitted")).to_have_text("1")
        screenshot(progress, "leader-progress-1440-after")
        wide_rater = chromium.new_context(**DESKTOP)
        try:
            wide = wide_rater.new_page()
            # Another browser is another identity: the forwarded link is refused.
            wide.goto(f"{live_server}/l/{token_of(clean_app, leader_campaign.raters['王局长'])}")
            expect(wide.locator("body")).to_contain_text("该邀请已被使用")
            wide.goto(f"{live_server}/l/{token_of(clean_app, leader_campaign.raters['李局长'])}")
            screenshot(wide, "leader-ballot-1440")
        finally:
            wide_rater.close()
        narrow, narrow_page = office_progress(chromium, live_server, leader_campaign.id, PHONE)
        screenshot(narrow_page, "leader-progress-360")
        narrow.close()
    finally:
        phone.close()
        office.close()
