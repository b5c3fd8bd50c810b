"""The performance office watches the dashboard while residents answer: the total moves without a reload."""

from __future__ import annotations

import uuid

import pytest
from playwright.sync_api import expect

from tests.fixtures.accounts import PASSWORD

pytestmark = pytest.mark.browser

DESKTOP = {"viewport": {"width": 1366, "height": 900}, "locale": "zh-CN"}
TABLET = {"viewport": {"width": 820, "height": 1180}, "locale": "zh-CN", "is_mobile": True, "has_touch": True}
HOSTILE = '<img src=x onerror="__xss=1"><b>x</b>'  # within the test campaign's 50 characters


def answer_through_the_api(chromium, live_server, code, suggestion="希望多修路"):
    """A resident on another device (its own browser context, no shared cookies) answers via the JSON API."""
    context = chromium.new_context()
    try:
        response = context.request.post(f"{live_server}/api/v1/entries/{code}/responses", data={
            "submission_id": str(uuid.uuid4()), "duration_seconds": 75,
            "answers": {"gov": "5", "security": "4", "transport": "dk", "suggestion": suggestion},
        })
        assert response.status == 201, response.text()
    finally:
        context.close()


def open_dashboard(chromium, live_server, campaign, options):
    context = chromium.new_context(**options)
    page = context.new_page()
    errors = []
    # Script errors and CSP violations; failed loads are checked by URL (the browser's own
    # favicon.ico probe is the office pages' only 404).
    page.on("console", lambda msg: errors.append(msg.text)
            if msg.type == "error" and not msg.text.startswith("Failed to load resource") else None)
    page.on("response", lambda r: errors.append(f"{r.status} {r.url}")
            if r.status >= 400 and not r.url.endswith("/favicon.ico") else None)
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.goto(f"{live_server}/office/login")
    page.fill("input[name=username]", "admin")
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url("**/office/**")
    page.goto(f"{live_server}/dashboard/campaigns/{campaign.id}")
    return context, page, errors


def total(page) -> int:
    return int(page.locator("#total").get_attribute("data-value"))


def test_the_dashboard_total_rises_after_a_submission_without_reload(
        live_server, campaign, accounts, chromium, screenshot):
    answer_through_the_api(chromium, live_server, campaign.codes["K1"])
    context, page, errors = open_dashboard(chromium, live_server, campaign, DESKTOP)
    try:
        # The first poll brings the tallies up to date (embedded / RQ_ASYNC=false: inline catch-up).
        expect(page.locator("#total")).to_have_attribute("data-value", "1", timeout=20000)
        assert "数据截至" in page.locator("#as-of").inner_text()
        page.locator("#chart canvas").first.wait_for(timeout=10000)  # ECharts runs under our CSP
        before = total(page)
        page.evaluate("window.__notReloaded = true")

        answer_through_the_api(chromium, live_server, campaign.codes["K1T1"], suggestion=HOSTILE)
        expect(page.locator("#total")).to_have_attribute("data-value", str(before + 1), timeout=20000)

        assert page.evaluate("window.__notReloaded") is True
        assert page.locator("#total").inner_text() == str(before + 1)
        k1 = page.locator('#counties tr[data-name="K1"] td[data-field="responses"]')
        assert k1.inner_text() == "2"
        expect(page.locator("#daily tbody tr").first.locator("td.num")).to_have_text("2")  # today, China time
        # The suggestion arrives as text: shown literally, never parsed as HTML.
        expect(page.locator("#suggestions .text").first).to_have_text(HOSTILE, timeout=20000)
        assert page.locator("#suggestions img, #suggestions b").count() == 0
        assert page.evaluate("window.__xss") is None
        screenshot(page, "dashboard-desktop")
        assert errors == []
    finally:
        context.close()


def test_sorting_a_league_table_in_the_browser_keeps_the_page(live_server, campaign, accounts, chromium, screenshot):
    for _ in range(2):
        answer_through_the_api(chromium, live_server, campaign.codes["K2"])
    answer_through_the_api(chromium, live_server, campaign.codes["K1"])
    context, page, _ = open_dashboard(chromium, live_server, campaign, TABLET)
    try:
        expect(page.locator("#total")).to_have_attribute("data-value", "3", timeout=20000)
        names = lambda: page.locator("#counties tbody tr").evaluate_all("rows => rows.map(r => r.dataset.name)")  # noqa: E731
        url = page.url
        page.click('#counties th a[data-sort="name"]')
        assert names() == ["K1", "K2"]
        page.click('#counties th a[data-sort="responses"]')
        assert names() == ["K2", "K1"]  # two answers before one
        assert page.url == url  # sorted in place, no navigation
        screenshot(page, "dashboard-tablet")
    finally:
        context.close()


def test_without_javascript_the_dashboard_still_shows_the_figures(live_server, campaign, accounts, chromium):
    answer_through_the_api(chromium, live_server, campaign.codes["K2"])
    context = chromium.new_context(**DESKTOP, java_script_enabled=False)
    page = context.new_page()
    try:
        page.goto(f"{live_server}/office/login")
        page.fill("input[name=username]", "admin")
        page.fill("input[name=password]", PASSWORD)
        page.click("button[type=submit]")
        page.goto(f"{live_server}/dashboard/campaigns/{campaign.id}?sort=name&order=asc")
        assert page.locator("#total").inner_text() == "1"  # the page read itself caught the tallies up
        assert page.locator("#counties tbody tr").count() == 2
        assert "按当前进度" in page.locator("#projection").inner_text()
    finally:
        context.close()
