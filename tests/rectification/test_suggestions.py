"""Turning a resident's free-text suggestion (意见建议) into an item, and entering one by hand."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select

from questionnaire.extensions import db
from questionnaire.rectification.models import RectificationItem

URL = "/office/rectification/suggestions"


def test_an_office_admin_turns_a_listed_suggestion_into_an_item_once(login_as, respond, campaign, on_day):
    on_day(date(2026, 6, 1))
    receipt = respond("K1", suggestion="村口路灯不亮，晚上出行不便")
    client = login_as("admin")
    page = client.get(URL).get_data(as_text=True)
    assert "村口路灯不亮，晚上出行不便" in page
    form = {"campaign": str(campaign.id), "response": str(receipt.response_id), "category": "交通",
            "lead": str(campaign.units["K1"].id), "year": "2026", "deadline": "2026-09-30",
            "text": "伪造的文本不会被采用"}
    response = client.post(URL, data=form)
    assert response.status_code == 302
    item = db.session.scalars(select(RectificationItem)).one()
    assert (item.text, item.source, item.source_ref, item.deadline) == (
        "村口路灯不亮，晚上出行不便", "survey", f"response:{receipt.response_id}", date(2026, 9, 30))
    assert [t.entity.code for t in item.tasks] == ["K1"]
    assert "已列入整改" in client.get(URL).get_data(as_text=True)
    again = client.post(URL, data=form)
    assert again.status_code == 422 and "不能重复创建" in again.get_data(as_text=True)
    assert client.post(URL, data={**form, "response": "999999"}).status_code == 404  # not a listed suggestion


def test_a_suggestion_without_a_responsible_entity_is_refused(login_as, respond, campaign, on_day):
    on_day(date(2026, 6, 1))
    receipt = respond("K1", suggestion="希望增加公交班次")
    response = login_as("admin").post(URL, data={"response": str(receipt.response_id), "category": "交通"})
    assert response.status_code == 422 and "必须指定牵头责任单位" in response.get_data(as_text=True)
    assert db.session.scalar(select(RectificationItem.id)) is None


def test_the_office_enters_and_splits_an_item_by_hand(login_as, campaign, on_day):
    on_day(date(2021, 5, 10))
    client = login_as("admin")
    assert "录入意见建议" in client.get("/office/rectification/items/new").get_data(as_text=True)
    units = campaign.units
    response = client.post("/office/rectification/items", data={
        "text": "城区停车难", "category": "交通", "year": "2021", "lead": str(units["K1"].id),
        "assist": [str(units["U1"].id), str(units["K2"].id)], "batch": "市本级民意调查"})
    assert response.status_code == 302
    item = db.session.scalars(select(RectificationItem)).one()
    assert (item.deadline, [(t.entity.code, t.role) for t in item.tasks]) == (
        date(2021, 12, 31), [("K1", "lead"), ("U1", "assist"), ("K2", "assist")])
    bad = client.post("/office/rectification/items", data={"text": "", "category": "其他类", "year": "2021"})
    assert bad.status_code == 422
    assert "意见建议原文不能为空" in bad.get_data(as_text=True) and "不在清单中" in bad.get_data(as_text=True)
