"""WeChat's largest font setting (200 % text) on a 320 px phone: nothing clipped, no sideways scroll."""

import pytest

from tests.browser.conftest import WECHAT_ANDROID_UA

pytestmark = pytest.mark.browser

NARROW = {"viewport": {"width": 320, "height": 640}, "is_mobile": True, "has_touch": True,
          "device_scale_factor": 2, "user_agent": WECHAT_ANDROID_UA, "locale": "zh-CN"}

# Every element whose content is wider than its box (and does not scroll it on purpose), and
# how far the page itself scrolls sideways.
LAYOUT_PROBLEMS = """() => {
    const clipped = [];
    document.querySelectorAll('main *').forEach(el => {
        const style = getComputedStyle(el);
        if (style.display === 'none' || el.tagName === 'TEXTAREA' || el.tagName === 'PROGRESS') return;
        if (el.scrollWidth > el.clientWidth + 1 && el.clientWidth > 0) clipped.push(el.className || el.tagName);
        const box = el.getBoundingClientRect();
        const right = document.documentElement.clientWidth + 1;
        if (box.right > right) clipped.push('off-screen ' + (el.className || el.tagName));
    });
    return {clipped, sideways: document.scrollingElement.scrollWidth - document.documentElement.clientWidth,
            body_font: getComputedStyle(document.body).fontSize};
}"""


@pytest.fixture
def large_text_phone(chromium):
    context = chromium.new_context(**NARROW)
    yield context.new_page()
    context.close()


def double_the_text(page) -> None:
    """200 % text: the root font size doubled (16 px -> 32 px), which is what a text zoom (the
    Android web view's setTextZoom behind WeChat's font setting, a browser's text size) does
    to a page whose type and targets are in rem/em. A page in px would not grow at all, which
    the body font check below would catch."""
    page.evaluate("document.documentElement.style.fontSize = '200%'")


def test_the_form_and_thank_you_page_fit_320_px_at_200_percent_text(
        live_server, campaign, large_text_phone, screenshot):
    page = large_text_phone
    page.goto(f"{live_server}/s/{campaign.codes['K1T1']}")
    double_the_text(page)
    page.locator("#q-gov label.opt").get_by_text("非常不满意", exact=True).click()  # the widest label
    page.click("#submit-btn")  # the missing-answer messages take room too
    layout = page.evaluate(LAYOUT_PROBLEMS)
    screenshot(page, "large-text-form-320")
    assert layout == {"clipped": [], "sideways": 0, "body_font": "36px"}  # 36 px: the text did grow
    for qid in ("security", "transport"):
        page.locator(f"#q-{qid} label.opt").get_by_text("满意", exact=True).click()
    page.click("#submit-btn")
    page.wait_for_selector("#receipt-no")  # swapped into the same document: still at 200 %
    layout = page.evaluate(LAYOUT_PROBLEMS)
    screenshot(page, "large-text-thanks-320")
    assert layout == {"clipped": [], "sideways": 0, "body_font": "36px"}
