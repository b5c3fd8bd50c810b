"""A resident opens a QR link on a phone, answers, and sees the thank-you page."""

import re

import pytest
from sqlalchemy import func, select

from questionnaire.extensions import db
from questionnaire.intake.models import Response


def form_token(html: str) -> str:
    return re.search(r'name="token" value="([^"]+)"', html).group(1)


def open_form(client, code):
    page = client.get(f"/s/{code}")
    assert page.status_code == 200
    return page.get_data(as_text=True)


def stored_count() -> int:
    return db.session.scalar(select(func.count()).select_from(Response))


def test_the_entry_page_shows_the_questionnaire_in_chinese(client, campaign):
    html = open_form(client, campaign.codes["K1T1"])
    assert "县区满意度问卷" in html and "甲县" in html and "一镇" in html
    assert "非常满意" in html and "不了解" in html and "提交答卷" in html


def test_html_is_never_cached_and_pages_carry_a_strict_csp(client, campaign):
    page = client.get(f"/s/{campaign.codes['K1']}")
    assert "no-cache" in page.headers["Cache-Control"]
    assert "default-src 'self'" in page.headers["Content-Security-Policy"]


@pytest.mark.both_backends  # the writer stores the row
def test_answering_stores_one_response_and_thanks_the_resident(client, campaign):
    html = open_form(client, campaign.codes["K1T1"])
    done = client.post(f"/s/{campaign.codes['K1T1']}", data={
        "token": form_token(html), "gov": "5", "security": "4", "transport": "dk", "suggestion": "多建公园"})
    assert done.status_code == 200
    assert "提交成功" in done.get_data(as_text=True)
    row = db.session.scalars(select(Response)).one()
    assert row.answers == {"gov": "5", "security": "4", "transport": "dk", "suggestion": "多建公园"}
    assert row.evaluated_unit_id == campaign.units["K1"].id
    assert row.collected_unit_id == campaign.units["K1T1"].id
    assert row.identity_kind == "device" and len(row.participant_hash) == 64
    assert row.user_agent_class and row.duration_seconds is not None


@pytest.mark.both_backends  # a replay is found by submission_id
def test_a_double_tapped_submit_shows_the_same_thank_you_page(client, campaign):
    code = campaign.codes["K1"]
    data = {"token": form_token(open_form(client, code)), "gov": "5", "security": "5", "transport": "5"}
    first = client.post(f"/s/{code}", data=data)
    second = client.post(f"/s/{code}", data=data)
    assert first.status_code == second.status_code == 200
    receipt = re.search(r'id="receipt-no">(\w+)<', first.get_data(as_text=True)).group(1)
    assert receipt in second.get_data(as_text=True)
    assert stored_count() == 1


@pytest.mark.both_backends  # dedup: Redis claim, then the database
def test_a_second_answer_from_the_same_participant_is_refused(client, campaign):
    code = campaign.codes["K1"]
    client.post(f"/s/{code}", data={"token": form_token(open_form(client, code)),
                                     "gov": "5", "security": "5", "transport": "5"})
    again = client.get(f"/s/{code}")
    assert "已参与" in again.get_data(as_text=True)
    other_code = campaign.codes["K1T2"]  # same campaign, another poster: still one answer
    assert "已参与" in client.get(f"/s/{other_code}").get_data(as_text=True)
    assert stored_count() == 1


@pytest.mark.both_backends  # dedup: Redis claim, then the database
def test_a_fresh_form_from_a_participant_who_answered_is_refused_with_409(client, campaign):
    code = campaign.codes["K1"]
    token_a = form_token(open_form(client, code))
    token_b = form_token(open_form(client, code))
    ok = client.post(f"/s/{code}", data={"token": token_a, "gov": "5", "security": "5", "transport": "5"})
    refused = client.post(f"/s/{code}", data={"token": token_b, "gov": "1", "security": "1", "transport": "1"})
    assert ok.status_code == 200
    assert refused.status_code == 409 and "已参与" in refused.get_data(as_text=True)
    assert stored_count() == 1


def test_missing_required_answers_redisplay_the_form_with_errors_and_store_nothing(client, campaign):
    code = campaign.codes["K1"]
    page = client.post(f"/s/{code}", data={"token": form_token(open_form(client, code)), "gov": "5"})
    assert page.status_code == 422
    html = page.get_data(as_text=True)
    assert "此题为必答题" in html and 'value="5" checked' in html
    assert stored_count() == 0


def test_a_forged_or_missing_form_token_is_refused(client, campaign):
    code = campaign.codes["K1"]
    open_form(client, code)
    page = client.post(f"/s/{code}", data={"token": "forged", "gov": "5", "security": "5", "transport": "5"})
    assert page.status_code == 400 and "页面已过期" in page.get_data(as_text=True)
    assert stored_count() == 0


def test_unknown_codes_get_a_chinese_404_page(client, campaign):
    page = client.get("/s/zzzzzzzz")
    assert page.status_code == 404 and "二维码无效" in page.get_data(as_text=True)
    assert client.get("/s/<script>").status_code == 404


def test_a_closed_campaign_says_so_with_410(clean_app):
    from datetime import datetime, timedelta, timezone

    from tests.factories import import_small_campaign

    past = datetime.now(timezone.utc) - timedelta(days=10)
    c = import_small_campaign(opens_at=past - timedelta(days=10), closes_at=past)
    client = clean_app.test_client()
    page = client.get(f"/s/{c.codes['K1']}")
    assert page.status_code == 410 and "调查已结束" in page.get_data(as_text=True)


def test_a_campaign_not_yet_open_says_when_it_opens(clean_app):
    from datetime import datetime, timedelta, timezone

    from tests.factories import import_small_campaign

    future = datetime.now(timezone.utc) + timedelta(days=10)
    c = import_small_campaign(opens_at=future, closes_at=future + timedelta(days=10))
    page = clean_app.test_client().get(f"/s/{c.codes['K1']}")
    assert page.status_code == 403 and "尚未开始" in page.get_data(as_text=True)


def test_a_disabled_entry_shows_a_clear_page_and_keeps_its_responses(client, campaign):
    from questionnaire.intake.models import CollectionPoint

    code = campaign.codes["K1"]
    client.post(f"/s/{code}", data={"token": form_token(open_form(client, code)),
                                     "gov": "5", "security": "5", "transport": "5"})
    ep = db.session.scalar(select(CollectionPoint).where(CollectionPoint.code == code))
    ep.is_enabled = False
    db.session.commit()
    page = client.get(f"/s/{code}")
    assert page.status_code == 410 and "已停用" in page.get_data(as_text=True)
    assert stored_count() == 1


def test_static_assets_have_content_hashed_urls_and_long_cache(client, campaign):
    html = open_form(client, campaign.codes["K1"])
    css = re.search(r'href="(/static/css/survey\.css\?v=\w+)"', html).group(1)
    asset = client.get(css)
    assert asset.status_code == 200 and "immutable" in asset.headers["Cache-Control"]


def test_each_resident_sees_their_own_receipt_on_the_same_thank_you_page(clean_app, campaign):
    """The page is rendered once per entry and the receipt number filled in."""
    from flask import render_template

    from questionnaire.intake.services import entry_catalog
    from questionnaire.intake.submissions import receipt_no

    code = campaign.codes["K1"]
    pages = []
    for _ in range(2):
        resident = clean_app.test_client()  # a phone of its own: its own device cookie
        data = {"token": form_token(open_form(resident, code)), "gov": "5", "security": "4", "transport": "3"}
        pages.append(resident.post(f"/s/{code}", data=data).get_data(as_text=True))
    ids = db.session.scalars(select(Response.submission_id).order_by(Response.id)).all()
    receipts = [receipt_no(sid) for sid in ids]
    assert [re.search(r'id="receipt-no">(\w+)<', page).group(1) for page in pages] == receipts
    with clean_app.test_request_context():
        entry = entry_catalog().resolve(db.session, code)
        fresh = render_template("survey/thanks.html", entry=entry, receipt=type("R", (), {"receipt_no": receipts[1]}))
    assert pages[1] == fresh
