"""From an empty database to a resident's first stored answer, entirely in the browser.

The performance office (one admin account is all the database holds) creates the campaign,
fills in the Excel template of the organisation tree and uploads it, builds a questionnaire in
the editor, generates the entry points and the accounts; a resident opens an entry link on a
phone and answers; the county's account, after replacing its initial password, sees the answer
on its dashboard. With BROWSER_SCREENSHOTS=<dir> every page is also saved at 1440 and 360 px.
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta

import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from questionnaire.accounts.service import NewAccount, create_user
from questionnaire.extensions import db
from questionnaire.intake.models import Response
from questionnaire.kernel.china_time import china_time
from tests.browser.conftest import PHONE
from tests.fixtures.accounts import PASSWORD

pytestmark = pytest.mark.browser

DESKTOP = {"viewport": {"width": 1440, "height": 900}, "locale": "zh-CN"}
TREE = [("市", "C", "测试市", None, None), ("县区", "K1", "甲县", None, 100), ("乡镇", "K1T1", "一镇", "K1", 40),
        ("县区", "K2", "乙区", None, 80), ("乡镇", "K2T1", "三镇", "K2", None),
        ("市直单位", "U1", "市教育局", None, 30)]


def _shoot(screenshot, chromium, page, name: str) -> None:
    """This page at 1440 px (as it is) and at 360 px (a phone inside WeChat)."""
    screenshot(page, f"{name}-1440")
    page.set_viewport_size({"width": 360, "height": 740})
    screenshot(page, f"{name}-360")
    page.set_viewport_size(DESKTOP["viewport"])


def _login(page, base: str, username: str, password: str) -> None:
    page.goto(f"{base}/office/login")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", password)
    page.click("button[type=submit]")


def test_a_campaign_from_an_empty_database_to_the_first_answer(live_server, chromium, screenshot, tmp_path):
    create_user(db.session, NewAccount("admin", PASSWORD, "admin"))
    office = chromium.new_context(**DESKTOP).new_page()
    office.on("dialog", lambda dialog: dialog.accept())
    _login(office, live_server, "admin", PASSWORD)

    # 1. The campaign.
    office.goto(f"{live_server}/office/admin/")
    _shoot(screenshot, chromium, office, "01-admin-index")
    office.click("text=新建一次评议")
    now = china_time(datetime.now().astimezone())
    office.fill("input[name=title]", "2026年度测试市社会评价")
    office.fill("input[name=slug]", "test-city-2026")
    office.fill("input[name=opens_at]", (now - timedelta(days=1)).strftime("%Y-%m-%dT%H:%M"))
    office.fill("input[name=closes_at]", (now + timedelta(days=60)).strftime("%Y-%m-%dT%H:%M"))
    office.fill("input[name=target_responses]", "1000")
    office.fill("input[name=organizer]", "测试市绩效评估工作领导小组办公室")
    office.fill("input[name=hotline]", "0778-2281234")
    _shoot(screenshot, chromium, office, "02-campaign-form")
    office.click("button:has-text('创建评议')")
    office.wait_for_url(re.compile(r"/tree$"))

    # 2. The tree from the Excel template, filled in as a clerk would in Excel.
    with office.expect_download() as download:
        office.click("text=下载 Excel 模板")
    template = tmp_path / "template.xlsx"
    download.value.save_as(template)
    book = load_workbook(template)
    for row in TREE:
        book["组织架构"].append(row)
    filled = tmp_path / "组织架构.xlsx"
    book.save(filled)
    _shoot(screenshot, chromium, office, "03-tree")
    office.set_input_files("input[name=file]", str(filled))
    office.click("button:has-text('上传并预览')")
    assert "新增单位（6）" in office.inner_text("main")
    _shoot(screenshot, chromium, office, "04-tree-preview")
    office.click("button:has-text('确认写入')")
    assert "新增 6 个单位" in office.inner_text(".flash")

    # 3. A questionnaire built in the editor, with its live phone preview.
    office.click(".steps >> text=3 问卷")
    office.fill("input[name=key]", "county")
    office.click("button:has-text('开始编辑')")
    office.fill("input[name=title]", "县区满意度问卷")
    office.fill("input[name=q-0-title]", "您对当地政府工作的总体评价")
    office.click("button:has-text('＋ 填空题')")
    office.fill("input[name=q-1-title]", "您对当地政府有什么意见建议？")
    preview = office.frame_locator("#preview")
    preview.locator("text=您对当地政府有什么意见建议？").wait_for()
    assert preview.locator("h1").inner_text() == "县区满意度问卷"
    _shoot(screenshot, chromium, office, "05-editor")
    office.click("button:has-text('保存问卷')")
    assert "问卷已保存为第 1 版" in office.inner_text(".flash")

    # 4. Entry points for every county and township, in one action.
    office.click(".steps >> text=4 入口与海报")
    office.click("summary:has-text('批量生成入口')")
    office.check("input[name=rule][value=counties]")
    office.check("input[name=rule][value=townships]")
    office.click("button:has-text('生成缺少的入口')")
    assert "已新生成 4 个入口" in office.inner_text(".flash")
    _shoot(screenshot, chromium, office, "06-entries")
    row = office.locator("table.entries tbody tr", has_text="一镇")
    code = re.search(r"/s/(\w+)", row.locator("code").inner_text()).group(1)

    # 5. Accounts for the tree; the printable list of initial passwords.
    office.goto(f"{live_server}/office/admin/accounts")
    office.click("button:has-text('创建缺少的账号')")
    slip = office.locator("table.passwords tr", has_text="county-K1")
    county_password = slip.locator("code.password").inner_text()
    _shoot(screenshot, chromium, office, "07-passwords")
    office.goto(f"{live_server}/office/admin/accounts")
    _shoot(screenshot, chromium, office, "08-accounts")
    office.goto(f"{live_server}/office/admin/audit")
    _shoot(screenshot, chromium, office, "09-audit")

    # 6. A resident opens the township's link on a phone and answers.
    phone = chromium.new_context(**PHONE).new_page()
    phone.goto(f"{live_server}/s/{code}")
    assert phone.locator("h1").inner_text() == "县区满意度问卷"
    phone.locator("#q-q1 label.opt").get_by_text("满意", exact=True).click()
    phone.fill("textarea[name=q2]", "希望多修几条路")
    phone.click("#submit-btn")
    phone.wait_for_selector("#receipt-no")
    db.session.remove()
    [answer] = db.session.scalars(select(Response)).all()
    assert answer.answers == {"q1": "4", "q2": "希望多修几条路"}

    # 7. The county's account: replace the initial password, then its own dashboard.
    county = chromium.new_context(**PHONE).new_page()
    _login(county, live_server, "county-K1", county_password)
    county.wait_for_url(re.compile(r"/office/account/password$"))
    county.fill("input[name=current]", county_password)
    county.fill("input[name=new]", "jiaxian-own-password")
    county.fill("input[name=repeat]", "jiaxian-own-password")
    county.click("button:has-text('保存新密码')")
    county.goto(f"{live_server}/dashboard/")
    county.wait_for_url(re.compile(r"/counties/\d+"))  # its own county's drill-down
    # A test answers in a second or two: flagged 答题过快, counted apart and named, not hidden.
    assert county.locator("#flagged").inner_text() == "1"
    assert "另有 1 条意见建议来自标记答卷" in county.inner_text("main")
    screenshot(county, "10-county-dashboard-360")
    county.click("text=切换到“含标记答卷”查看")
    assert county.locator("#total").inner_text() == "1"
    assert "希望多修几条路" in county.inner_text("#suggestions")
    assert "一镇" in county.inner_text("#townships")


@pytest.mark.parametrize("path", ["/office/admin/", "/office/admin/accounts", "/office/admin/audit", "entries",
                                  "dashboard", "editor", "tree"])
def test_office_pages_fit_a_360_px_phone(live_server, campaign, chromium, path, screenshot):
    create_user(db.session, NewAccount("admin", PASSWORD, "admin"))
    page = chromium.new_context(**PHONE).new_page()
    _login(page, live_server, "admin", PASSWORD)
    url = {"entries": f"/office/campaigns/{campaign.id}/entries", "dashboard": f"/dashboard/campaigns/{campaign.id}",
           "editor": f"/office/admin/campaigns/{campaign.id}/questionnaires/county",
           "tree": f"/office/admin/campaigns/{campaign.id}/tree"}.get(path, path)
    page.goto(live_server + url)
    width = page.evaluate("document.documentElement.scrollWidth")
    screenshot(page, "fit-360-" + path.strip("/").replace("/", "-"))
    assert width <= 360, (url, width)


def test_the_entries_headers_stay_on_one_line_at_1440_px(live_server, campaign, chromium):
    create_user(db.session, NewAccount("admin", PASSWORD, "admin"))
    page = chromium.new_context(**DESKTOP).new_page()
    _login(page, live_server, "admin", PASSWORD)
    page.goto(f"{live_server}/office/campaigns/{campaign.id}/entries")
    heights = page.eval_on_selector_all("table.entries th, table.entries td button",
                                        "cells => cells.map(c => c.getBoundingClientRect().height)")
    line = page.eval_on_selector("table.entries th", "c => parseFloat(getComputedStyle(c).lineHeight)")
    assert max(heights) < 2.2 * line + 16, heights  # one line of text plus padding, no "扫码次/数"
