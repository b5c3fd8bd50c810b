"""A county appeals one of its unresolved 12345 orders on a phone; the office approves it on a
desktop and the county's 诉求解决率 moves. Screenshots: the county's page (360 px), the office's
rates and appeals (1440 px)."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from questionnaire.channels.hotline.models import OrderCheck, WorkOrder
from questionnaire.extensions import db
from tests.browser.conftest import PHONE
from tests.browser.test_phone_shift import DESKTOP, signed_in
from tests.channels.hotline.conftest import checked, import_file, keys, sampled, store  # noqa: F401 - fixtures

pytestmark = pytest.mark.browser


def test_a_county_appeals_an_order_and_the_office_approves_it(live_server, campaign, checked, accounts, chromium,
                                                              screenshot):
    order_no = "H095"
    check = db.session.scalar(select(OrderCheck).join(WorkOrder, WorkOrder.id == OrderCheck.order_id)
                              .where(WorkOrder.order_no == order_no))
    check.called_at = None  # the vendor's callbacks were in 2023: open the window for this test
    db.session.commit()
    county, page = signed_in(chromium, live_server, "k1", PHONE)
    try:
        errors = []
        page.on("pageerror", lambda exc: errors.append(str(exc)))
        page.goto(f"{live_server}/office/hotline/campaigns/{campaign.id}/mine")
        expect(page.locator("#my-rates")).to_contain_text("80.00%")
        row = page.locator(f"tr[data-order='{order_no}']")
        expect(row).to_contain_text("未解决")
        assert "138" not in page.content()
        row.locator("summary", has_text="就诉求解决率申诉").click()
        row.locator("select[name=category]").select_option("涉法涉诉")
        row.locator("textarea[name=reason]").fill("该诉求已进入诉讼程序，法院尚未判决")
        screenshot(page, "hotline-mine-appeal-360")
        row.locator("button", has_text="提交申诉").click()
        expect(page.locator("body")).to_contain_text("申诉已提交")
        expect(page.locator(f"tr[data-order='{order_no}']")).to_contain_text("诉求解决率：待审核")
        assert page.evaluate("document.documentElement.scrollWidth") <= 360
        screenshot(page, "hotline-mine-360")

        office, board = signed_in(chromium, live_server, "admin", DESKTOP)
        try:
            board.goto(f"{live_server}/office/hotline/campaigns/{campaign.id}/appeals")
            expect(board.locator("#appeals")).to_contain_text("该诉求已进入诉讼程序")
            board.fill("#appeals input[name=reason]", "经核实属涉法涉诉")
            screenshot(board, "hotline-appeals-1440")
            board.click("#appeals button[value=approve]")
            expect(board.locator("#appeals")).to_contain_text("已通过")
            board.goto(f"{live_server}/office/hotline/campaigns/{campaign.id}/rates?unit={campaign.units['K1'].id}")
            expect(board.locator("#rates-county")).to_contain_text("80.81%")  # 80 / 99
            screenshot(board, "hotline-rates-1440")
        finally:
            office.close()
        page.reload()
        expect(page.locator("#my-rates")).to_contain_text("80.81%")
        assert errors == []
    finally:
        county.close()
