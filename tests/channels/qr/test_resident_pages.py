"""Issue 16 on the server side: cookieless double taps, what "已参与" says per one-answer
setting, and the organizer and hotline on the resident pages."""

import re

import pytest
from sqlalchemy import func, select

from questionnaire.campaigns import answer_scope
from questionnaire.extensions import db, redis_store
from questionnaire.intake.models import Response
from tests.factories import good_answers, import_small_campaign


def form_token(html: str) -> str:
    return re.search(r'name="token" value="([^"]+)"', html).group(1)


def receipt(html: str) -> str:
    return re.search(r'id="receipt-no">([0-9A-F]{10})<', html).group(1)


def stored_count() -> int:
    db.session.remove()
    return db.session.scalar(select(func.count()).select_from(Response))


@pytest.mark.both_backends  # the writer's conflict on submission_id, the Redis claim
def test_a_cookieless_double_tap_returns_the_first_receipt(clean_app, campaign):
    code = campaign.codes["K1"]
    browser = clean_app.test_client(use_cookies=False)  # keeps no cookies: a new device every request
    token = form_token(browser.get(f"/s/{code}").get_data(as_text=True))
    first = browser.post(f"/s/{code}", data={"token": token, **good_answers()})
    second = browser.post(f"/s/{code}", data={"token": token, **good_answers()})
    assert first.status_code == second.status_code == 200
    assert receipt(first.get_data(as_text=True)) == receipt(second.get_data(as_text=True))
    assert stored_count() == 1
    # The second tap's new device holds no answer: only the first tap's marker is in Redis.
    assert len(redis_store.client(clean_app).keys("sq:*:participant:*")) == 1


@pytest.mark.both_backends
def test_a_cookieless_tap_with_changed_answers_is_still_refused(clean_app, campaign):
    code = campaign.codes["K1"]
    browser = clean_app.test_client(use_cookies=False)
    token = form_token(browser.get(f"/s/{code}").get_data(as_text=True))
    assert browser.post(f"/s/{code}", data={"token": token, **good_answers(gov="5")}).status_code == 200
    assert browser.post(f"/s/{code}", data={"token": token, **good_answers(gov="1")}).status_code == 409
    assert stored_count() == 1


@pytest.mark.parametrize("scope, unit, title, text", [
    (answer_scope.CAMPAIGN, "U1", "您已参与过本次调查", "每人在2026年度测试市社会评价中只能提交一次答卷"),
    (answer_scope.QUESTIONNAIRE, "K1T1", "您已填写过本问卷", "每人对《县区满意度问卷》只能提交一次答卷"),
    (answer_scope.EVALUATED_UNIT, "K1T1", "您已评价过甲县", "您仍可以评价其他县区或单位"),
])
def test_the_already_answered_page_says_what_was_answered(clean_app, scope, unit, title, text):
    campaign = import_small_campaign(answer_scope=scope)
    client, county = clean_app.test_client(), campaign.codes["K1"]
    html = client.get(f"/s/{county}").get_data(as_text=True)
    assert client.post(f"/s/{county}", data={"token": form_token(html), **good_answers()}).status_code == 200
    page = client.get(f"/s/{campaign.codes[unit]}").get_data(as_text=True)
    assert title in page and text in page and "回执编号" in page


def test_the_form_and_thank_you_page_name_the_organizer_and_hotline(client, campaign):
    code = campaign.codes["K1"]
    form = client.get(f"/s/{code}").get_data(as_text=True)
    thanks = client.post(f"/s/{code}", data={"token": form_token(form), **good_answers()}).get_data(as_text=True)
    for page in (form, thanks):
        assert "主办单位：<strong>测试市绩效评估工作领导小组办公室</strong>" in page
        assert '咨询电话：<a href="tel:07782281234">0778-2281234</a>' in page
    assert 'id="close-btn" data-wechat-close hidden' in thanks  # shown by survey.js inside WeChat only
    assert "已答" not in form and "共 5 题" in form  # the count that follows answers needs JavaScript


def test_the_api_tells_a_client_the_one_answer_rule_and_who_runs_the_survey(client, campaign):
    data = client.get(f"/api/v1/entries/{campaign.codes['U1']}").get_json()["campaign"]
    assert data["answer_scope"] == "questionnaire"
    assert data["organizer"] == "测试市绩效评估工作领导小组办公室" and data["hotline"] == "0778-2281234"
