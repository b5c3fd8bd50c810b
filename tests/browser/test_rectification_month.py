"""An entity clerk's month on a phone: the task list in colours, a progress report with an evidence
file, the yellow warning gone afterwards; the office sees the same figures on a desktop."""

from __future__ import annotations

from datetime import date

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import PHONE
from tests.fixtures.accounts import PASSWORD
from tests.rectification.conftest import make_item, on_day, pdf_bytes  # noqa: F401 - fixtures

pytestmark = pytest.mark.browser

DESKTOP = {"viewport": {"width": 1440, "height": 900}, "locale": "zh-CN"}


def log_in(context, live_server, username):
    page = context.new_page()
    errors = []
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error"
            and not msg.text.startswith("Failed to load resource") else None)
    page.on("response", lambda r: errors.append(f"{r.status} {r.url}")
            if r.status >= 400 and not r.url.endswith("/favicon.ico") else None)
    page.goto(f"{live_server}/office/login")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url("**/office/**")
    return page, errors


def test_an_entity_clerk_reports_the_month_with_a_file_and_sees_the_colours(
        live_server, chromium, make_item, on_day, accounts, screenshot, tmp_path):  # noqa: F811
    on_day(date(2021, 6, 1))
    make_item("K1", deadline=date(2021, 6, 20), text="农贸市场周边占道经营，交通拥堵", seq=11)
    make_item("K1", deadline=date(2021, 7, 1), text="城区部分路段夜间照明不足", seq=12)
    make_item("K1", deadline=date(2021, 12, 31), text="乡镇卫生院就医排队时间长", seq=13)
    make_item("K2", deadline=date(2021, 12, 31), text="乙区的事项（甲县不应看到）", seq=14)
    evidence = tmp_path / "6月整改照片.pdf"
    evidence.write_bytes(pdf_bytes(300_000))

    context = chromium.new_context(**PHONE)
    try:
        page, errors = log_in(context, live_server, "k1")
        page.goto(f"{live_server}/office/rectification/")
        for text in ("乡镇卫生院就医排队时间长", "城区部分路段夜间照明不足"):  # accept two tasks on June 1st
            page.get_by_text(text).click()
            page.get_by_role("button", name="领取任务").click()
            expect(page.get_by_text("已领取任务")).to_be_visible()
            page.goto(f"{live_server}/office/rectification/")

        on_day(date(2021, 6, 26))  # after the 25th: the accepted tasks owe June's report
        page.goto(f"{live_server}/office/rectification/")
        expect(page.locator(".task-card.colour-red")).to_have_count(1)  # deadline 06-20 passed, not accepted
        expect(page.locator(".task-card.colour-yellow")).to_have_count(2)  # June not reported
        expect(page.get_by_text("乙区的事项")).to_have_count(0)
        assert page.evaluate("document.documentElement.scrollWidth") <= 360  # no sideways scrolling
        screenshot(page, "rectification-entity-360-before")

        page.get_by_text("乡镇卫生院就医排队时间长").click()
        expect(page.locator("#task-head .warn-yellow")).to_be_visible()
        page.fill("textarea[name=measures]", "增设自助挂号机，推行分时段预约")
        page.fill("textarea[name=progress]", "已增设自助挂号机 2 台，高峰排队时间由 40 分钟降至 15 分钟")
        page.set_input_files("input[name=files]", str(evidence))
        screenshot(page, "rectification-entity-360-report")
        page.get_by_role("button", name="提交").click()
        expect(page.get_by_text("本月进展已提交，附佐证材料 1 个")).to_be_visible()
        expect(page.locator("#reports").get_by_text("6月整改照片.pdf")).to_be_visible()
        expect(page.locator("#task-head .warn")).to_have_count(0)  # reported: no longer yellow
        expect(page.locator("#history").get_by_text("填报进展")).to_be_visible()

        page.goto(f"{live_server}/office/rectification/")
        expect(page.locator(".task-card.colour-yellow")).to_have_count(1)
        expect(page.locator(".task-card.colour-blue")).to_have_count(0)
        on_day(date(2021, 6, 27))  # 4 days before 07-01: the lighting task turns blue once reported
        page.get_by_text("城区部分路段夜间照明不足").click()
        page.fill("textarea[name=progress]", "已排查路灯 120 盏，更换 35 盏")
        page.get_by_role("button", name="提交").click()
        page.goto(f"{live_server}/office/rectification/")
        expect(page.locator(".task-card.colour-blue")).to_have_count(1)
        screenshot(page, "rectification-entity-360-after")
        assert errors == []
    finally:
        context.close()

    desktop = chromium.new_context(**DESKTOP)
    try:
        page, errors = log_in(desktop, live_server, "admin")
        page.goto(f"{live_server}/office/rectification/?year=2021")
        expect(page.locator("#city-figures")).to_contain_text("应完成 4 条")
        expect(page.locator("#tasks tr.colour-red")).to_have_count(1)
        screenshot(page, "rectification-office-1440")
        page.get_by_role("link", name="督办提醒清单").click()
        expect(page.locator("#reminders tbody tr")).to_have_count(2)  # the red one and the blue one
        screenshot(page, "rectification-reminders-1440")
        assert errors == []
    finally:
        desktop.close()
