"""A resident on a weak network inside WeChat keeps every answer, learns what happened, and
ends on a page that says who runs the survey (issue 16)."""

from urllib.parse import parse_qs

import pytest
from sqlalchemy import select

from questionnaire.extensions import db
from questionnaire.intake.models import Response
from tests.browser.conftest import PHONE

pytestmark = pytest.mark.browser

REQUIRED = {"gov": "非常满意", "security": "满意", "transport": "不了解"}
NETWORK_MESSAGE = "网络不稳定，答卷尚未提交，请检查网络后点击重新提交"


def stored() -> list:
    db.session.remove()  # see what the server threads committed
    return list(db.session.scalars(select(Response)))


def choose(page, question_id: str, label: str) -> None:
    page.locator(f"#q-{question_id} label.opt").get_by_text(label, exact=True).click()


def answer_all(page) -> None:
    for qid, label in REQUIRED.items():
        choose(page, qid, label)
    page.fill("textarea[name=suggestion]", "村口路灯不亮")


def checked_answers(page) -> dict:
    return page.evaluate("""() => {
        const out = {};
        document.querySelectorAll('#survey-form input[type=radio]:checked').forEach(r => { out[r.name] = r.value; });
        const t = document.querySelector('textarea[name=suggestion]');
        if (t.value) out.suggestion = t.value;
        return out;
    }""")


GIVEN = {"gov": "5", "security": "4", "transport": "dk", "suggestion": "村口路灯不亮"}


def test_offline_at_submit_keeps_the_page_and_answers_and_a_retry_stores_one_answer(
        live_server, campaign, phone, screenshot):
    phone.goto(f"{live_server}/s/{campaign.codes['K1']}")
    answer_all(phone)
    phone.context.set_offline(True)
    phone.click("#submit-btn")
    message = phone.locator("#submit-msg")
    message.wait_for()
    screenshot(phone, "offline-message")
    assert message.inner_text() == NETWORK_MESSAGE
    assert phone.locator("#submit-btn").inner_text() == "重新提交"
    assert checked_answers(phone) == GIVEN
    assert stored() == []

    phone.context.set_offline(False)
    phone.click("#submit-btn")
    phone.wait_for_selector("#receipt-no")
    assert "提交成功" in phone.locator("h1").inner_text()
    [row] = stored()
    assert row.answers == GIVEN
    assert phone.evaluate("Object.keys(localStorage).filter(k => k.startsWith('sq:answers:'))") == []


@pytest.mark.parametrize("cookies_kept", [True, False], ids=["with-cookies", "cookieless"])
def test_answers_stored_whose_replies_were_lost_are_thanked_once_however_often_retried(
        live_server, campaign, phone, cookies_kept):
    """The server commits but the reply never arrives, twice; the third tap gets through."""
    url = f"{live_server}/s/{campaign.codes['K1']}"
    posts = []

    def handle(route):
        if route.request.method != "POST":
            return route.continue_()
        posts.append(parse_qs(route.request.post_data)["token"][0])
        if len(posts) <= 2:
            route.fetch()  # reaches the server, which stores (or replays) the answer
            return route.abort("connectionreset")
        return route.continue_()

    phone.route(url, handle)
    phone.goto(url)
    answer_all(phone)
    for _ in range(3):
        if not cookies_kept:
            phone.context.clear_cookies()  # a browser that keeps no cookies: a new device every tap
        phone.click("#submit-btn")
        phone.locator("#submit-msg:visible, #receipt-no").first.wait_for()
    [row] = stored()
    assert phone.locator("#receipt-no").inner_text() == row.submission_id.replace("-", "")[:10].upper()
    assert len(posts) == 3 and len(set(posts)) == 1  # the same token (submission id) every time
    assert row.answers == GIVEN


def test_reopening_the_link_after_closing_the_page_midway_restores_the_answers(live_server, campaign, chromium):
    context = chromium.new_context(**PHONE)
    try:
        url = f"{live_server}/s/{campaign.codes['K1T1']}"
        page = context.new_page()
        page.goto(url)
        choose(page, "gov", "满意")
        choose(page, "transport", "不满意")
        page.fill("textarea[name=suggestion]", "希望多开公交")
        assert page.locator("#progress-text").inner_text() == "已答 3 / 共 5 题"
        page.close()  # WeChat's X, or the phone killed the web view

        page = context.new_page()
        page.goto(url)
        assert checked_answers(page) == {"gov": "4", "transport": "2", "suggestion": "希望多开公交"}
        assert "已为您恢复上次填写的 3 道题" in page.locator("#restored").inner_text()
        assert page.locator("#progress-text").inner_text() == "已答 3 / 共 5 题"
        choose(page, "security", "满意")
        page.click("#submit-btn")
        page.wait_for_selector("#receipt-no")
        [row] = stored()
        assert row.answers == {"gov": "4", "security": "4", "transport": "2", "suggestion": "希望多开公交"}
        page.goto(url)  # cookies kept: the already-answered page, and nothing left on the phone
        assert page.locator("main.page").get_attribute("data-page") == "already"
        assert page.evaluate("Object.keys(localStorage).filter(k => k.startsWith('sq:answers:'))") == []
    finally:
        context.close()


def test_progress_follows_the_answers_and_submit_names_the_missing_questions(live_server, campaign, phone):
    phone.goto(f"{live_server}/s/{campaign.codes['K1']}")
    assert phone.locator("#progress-text").inner_text() == "已答 0 / 共 5 题"
    choose(phone, "gov", "满意")
    assert phone.locator("#progress-text").inner_text() == "已答 1 / 共 5 题"
    phone.click("#submit-btn")
    assert phone.locator("#submit-msg").inner_text() == "还有 2 道必答题未作答：第 2、3 题"
    assert stored() == []


def test_without_javascript_the_form_posts_as_before_and_shows_the_total(live_server, campaign, phone_without_js):
    page = phone_without_js
    page.goto(f"{live_server}/s/{campaign.codes['K1']}")
    assert page.locator("#progress-text").inner_text() == "共 5 题"
    answer_all(page)
    page.click("#submit-btn")
    page.wait_for_selector("#receipt-no")
    assert page.locator("#close-btn").is_hidden()  # nothing to close it with
    assert len(stored()) == 1


def test_the_pages_name_the_organizer_and_hotline_and_close_inside_wechat(live_server, campaign, chromium, screenshot):
    context = chromium.new_context(**PHONE)
    # WeChat injects WeixinJSBridge; record what the page asks of it.
    context.add_init_script("window.closed_calls = []; window.WeixinJSBridge = "
                            "{call: function (name) { window.closed_calls.push(name); }};")
    try:
        page = context.new_page()
        page.goto(f"{live_server}/s/{campaign.codes['K1']}")
        header = page.locator("header.hero").inner_text()
        assert "主办单位：测试市绩效评估工作领导小组办公室" in header and "咨询电话：0778-2281234" in header
        assert page.locator("header.hero a[href='tel:07782281234']").count() == 1
        answer_all(page)
        page.click("#submit-btn")
        page.wait_for_selector("#receipt-no")
        thanks = page.locator("main.page").inner_text()
        assert "主办单位：测试市绩效评估工作领导小组办公室" in thanks and "咨询电话：0778-2281234" in thanks
        page.click("#close-btn")
        assert page.evaluate("window.closed_calls") == ["closeWindow"]
    finally:
        context.close()


def test_the_close_button_is_hidden_outside_wechat(live_server, campaign, chromium):
    context = chromium.new_context(viewport={"width": 360, "height": 740}, locale="zh-CN")
    try:
        page = context.new_page()
        page.goto(f"{live_server}/s/{campaign.codes['K1']}")
        answer_all(page)
        page.click("#submit-btn")
        page.wait_for_selector("#receipt-no")
        assert page.locator("#close-btn").is_hidden()
    finally:
        context.close()


def test_inside_wechat_the_page_sets_the_share_card_through_the_bridge(live_server, campaign, chromium):
    """The server side (signing) is tests/wechat/test_share_card.py; here the page's part: it
    asks for its signed config and hands it to WeixinJSBridge as the JS-SDK would."""
    code = campaign.codes["K1"]
    card = {"appId": "wx-app", "timestamp": 1700000000, "nonceStr": "n0nce", "signature": "f" * 40,
            "title": "2026年度测试市社会评价", "desc": "请为甲县打分", "link": f"http://survey.test/s/{code}",
            "imgUrl": "http://survey.test/static/img/share.png"}
    context = chromium.new_context(**PHONE)
    context.add_init_script("""window.bridge_calls = []; window.WeixinJSBridge = {
        call: function () {},
        invoke: function (name, args, done) { window.bridge_calls.push([name, args]); done({}); }};""")
    try:
        page = context.new_page()
        asked = []

        def page_with_an_official_account(route):  # what the form renders when WECHAT_APPID is set
            response = route.fetch()
            route.fulfill(response=response, body=response.text().replace(
                "data-entry=", f'data-share="/s/{code}/share" data-entry='))

        def signed_config(route):
            asked.append(parse_qs(route.request.url.split("?", 1)[1])["url"][0])
            route.fulfill(json=card)

        page.route(f"{live_server}/s/{code}", page_with_an_official_account)
        page.route(f"{live_server}/s/{code}/share?*", signed_config)
        page.goto(f"{live_server}/s/{code}#section")
        for _ in range(50):  # the card is set after load, once the config has come back
            calls = page.evaluate("window.bridge_calls")
            if len(calls) == 3:
                break
            page.wait_for_timeout(50)
    finally:
        context.close()
    assert asked == [f"{live_server}/s/{code}"]  # its own URL, without the #fragment
    assert [name for name, _ in calls] == ["preVerifyJSAPI", "updateAppMessageShareData", "updateTimelineShareData"]
    verify = {"appId": "wx-app", "verifyAppId": "wx-app", "verifySignType": "sha1",
              "verifyTimestamp": "1700000000", "verifyNonceStr": "n0nce", "verifySignature": "f" * 40}
    assert calls[0][1] == {**verify, "verifyJsApiList": ["updateAppMessageShareData", "updateTimelineShareData"],
                           "verifyOpenTagList": []}
    assert calls[1][1] == {**verify, "title": card["title"], "desc": card["desc"], "link": card["link"],
                           "imgUrl": card["imgUrl"]}
