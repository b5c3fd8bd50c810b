"""The phone pages end to end through the test client: upload with a per-row report, the draw,
an interviewer's call with answers, review, board, attendance, feedback with 样本不足."""

from __future__ import annotations

import io

from openpyxl import load_workbook
from sqlalchemy import select

from questionnaire.accounts.models import AuditEvent
from questionnaire.channels.phone.models import PhoneCase
from questionnaire.extensions import db
from tests.channels.phone.conftest import csv_bytes, mobiles
from tests.channels.phone.test_queue import china


def _upload(client, campaign_id, numbers, unit=None):
    data = {"file": (io.BytesIO(csv_bytes(numbers)), "frame.csv")}
    if unit is not None:
        data["unit"] = str(unit)
    return client.post(f"/office/phone/campaigns/{campaign_id}/frames", data=data, content_type="multipart/form-data")


def test_a_county_uploads_its_frame_and_sees_the_rows_rejected(login_as, campaign):
    client = login_as("k1")
    page = _upload(client, campaign.id, ["+86 138-0000-0000", "1380000000", "1380000abcd", "13800000000"])
    text = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "有效 1 个号码，无效 2 行，重复 1 行" in text
    assert "<td>3</td><td>手机号码应为 11 位（此号码 10 位）</td>" in text
    assert "13800000000" not in text and "甲县" in text


def test_a_locked_frame_is_a_clear_409(login_as, campaign, upload):
    upload("K1", mobiles(0, 3))
    response = _upload(login_as("k1"), campaign.id, mobiles(10, 3))
    assert response.status_code == 409 and "锁定" in response.get_data(as_text=True)


def test_interviewer_shift_through_the_pages(login_as, campaign, drawn, phone_staff, clean_app):
    clean_app.config["PHONE_CLOCK"] = lambda: china(10)
    try:
        client = login_as("i1")
        assert "下一个" in client.get(f"/office/phone/campaigns/{campaign.id}/work").get_data(as_text=True)
        client.post(f"/office/phone/campaigns/{campaign.id}/next")
        case = db.session.scalar(select(PhoneCase).where(PhoneCase.status == "working"))
        page = client.get(f"/office/phone/campaigns/{campaign.id}/work").get_data(as_text=True)
        assert "****" in page and 'href="tel:' not in page
        revealed = client.post(f"/office/phone/cases/{case.id}/reveal").get_data(as_text=True)
        assert 'href="tel:139' in revealed
        reveals = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "phone_reveal")).all()
        assert [e.target for e in reveals] == [f"case:{case.id}"]
        answers = {"gov": "5", "security": "4", "transport": "dk", "overall": "5"}
        saved = client.post(f"/office/phone/cases/{case.id}/outcome", data={"outcome": "11", **answers})
        assert saved.status_code == 302, saved.get_data(as_text=True)[:300]
        stored = db.session.get(PhoneCase, case.id, populate_existing=True)
        assert (stored.status, stored.final_class) == ("final", "I") and stored.response_id is not None
    finally:
        clean_app.config.pop("PHONE_CLOCK")


def test_feedback_says_sample_too_small_to_the_unit_and_shows_the_office_the_value(login_as, campaign, drawn):
    unit_page = login_as("k1").get(f"/office/phone/campaigns/{campaign.id}/feedback").get_data(as_text=True)
    assert "样本不足" in unit_page and "市教育局" not in unit_page
    office = login_as("admin")
    assert "市教育局" in office.get(f"/office/phone/campaigns/{campaign.id}/feedback").get_data(as_text=True)
    sheet = load_workbook(io.BytesIO(login_as("k1").get(f"/office/phone/campaigns/{campaign.id}/feedback.xlsx").data))
    rows = list(sheet.active.iter_rows(values_only=True))
    assert rows[1][0] == "甲县" and "样本不足" in rows[1] and len(rows) == 2
