"""The office watches the results page while answers come in: the scores move without a reload, and
the results and leader-lifecycle pages hold at phone and desktop widths."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from questionnaire.extensions import db
from tests.channels.leader.conftest import leader_campaign  # noqa: F401 - fixture
from tests.fixtures.accounts import PASSWORD
from tests.results.conftest import scored  # noqa: F401 - fixture
from tests.results.test_live_results import _point, _submit, answered  # noqa: F401 - fixture

pytestmark = pytest.mark.browser

WIDTHS = {"phone": {"width": 360, "height": 740}, "desktop": {"width": 1440, "height": 900}}


def _office_page(chromium, live_server, width):
    context = chromium.new_context(viewport=WIDTHS[width], locale="zh-CN")
    page = context.new_page()
    errors = []
    page.on("console", lambda msg: errors.append(msg.text)
            if msg.type == "error" and not msg.text.startswith("Failed to load resource") else None)
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.goto(f"{live_server}/office/login")
    page.fill("input[name=username]", "admin")
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url("**/office/**")
    return context, page, errors


def test_the_results_page_follows_new_answers_without_reload(live_server, accounts, answered, chromium, clean_app,
                                                             screenshot):
    context, page, errors = _office_page(chromium, live_server, "desktop")
    try:
        page.goto(f"{live_server}/results/campaigns/{answered.id}")
        k2 = page.locator(f'#results-county tr[data-unit-id="{answered.units["K2"].id}"]')
        before = k2.locator('[data-field="score"]').inner_text()
        page.evaluate("window.__notReloaded = true")
        for n in range(6):
            _submit(clean_app, _point(answered, "K2"), f"late-{n}", gov="5", security="5", transport="5")
        db.session.commit()
        expect(k2.locator('[data-field="score"]')).not_to_have_text(before, timeout=30000)
        assert page.evaluate("window.__notReloaded") is True
        assert "数据截至" in page.locator("#results-as-of").inner_text()
        assert errors == []
        screenshot(page, "results-overview-1440")
        page.goto(f"{live_server}/results/campaigns/{answered.id}/entities/{answered.units['K1'].id}")
        expect(page.locator("#channels")).to_contain_text("样本不足")
        screenshot(page, "results-entity-1440")
    finally:
        context.close()
    context, page, errors = _office_page(chromium, live_server, "phone")
    try:
        page.goto(f"{live_server}/results/campaigns/{answered.id}")
        screenshot(page, "results-overview-360")
        page.goto(f"{live_server}/results/campaigns/{answered.id}/entities/{answered.units['K1'].id}")
        assert page.evaluate("document.documentElement.scrollWidth") <= 360 + 1  # tables scroll inside
        screenshot(page, "results-entity-360")
        assert errors == []
    finally:
        context.close()


@pytest.mark.parametrize("width", ["phone", "desktop"])
def test_the_invitation_manage_and_paper_pages_hold_at_both_widths(live_server, accounts, leader_campaign, chromium,
                                                                   screenshot, width):
    context, page, errors = _office_page(chromium, live_server, width)
    invitation = leader_campaign.raters["王局长"].invitation.id
    try:
        page.goto(f"{live_server}/office/leader/invitations/{invitation}/manage")
        expect(page.locator("h2").first).to_have_text("更换评价人（领导调整）")
        screenshot(page, f"leader-manage-{WIDTHS[width]['width']}")
        page.fill("input[name=successor_name]", "张局长")
        page.fill("textarea[name=reason]", "工作调动")
        page.click("text=作废原邀请并邀请接任者")
        expect(page.locator("#invitations")).to_contain_text("已作废（由张局长接替）")
        screenshot(page, f"leader-invitations-{WIDTHS[width]['width']}")
        page.goto(f"{live_server}/office/leader/campaigns/{leader_campaign.id}/paper")
        screenshot(page, f"leader-paper-{WIDTHS[width]['width']}")
        assert errors == []
    finally:
        context.close()
