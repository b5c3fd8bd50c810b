"""An interviewer works a 12345 callback in the phone workspace: the order's date, type and summary
with the callback script, the masked number, the callback questionnaire; saving a completed
callback records the order's check at once (the phone channel's `phone_case_finalised` hook)."""

from __future__ import annotations

from sqlalchemy import select

from questionnaire.accounts.service import NewAccount, create_user
from questionnaire.channels.hotline import callbacks
from questionnaire.channels.hotline.models import OrderCheck
from questionnaire.channels.phone.models import PhoneCase
from questionnaire.extensions import db
from tests.channels.phone.test_queue import china
from tests.fixtures.accounts import PASSWORD


def test_a_callback_through_the_interviewer_pages_records_the_check(login_as, campaign, sampled, clean_app):
    create_user(db.session, NewAccount("iv", PASSWORD, "interviewer", None, "iv"))
    callbacks.start_callbacks(db.session, campaign.id)
    clean_app.config["PHONE_CLOCK"] = lambda: china(10)
    try:
        client = login_as("iv")
        client.post(f"/office/phone/campaigns/{campaign.id}/next")
        case = db.session.scalar(select(PhoneCase).where(PhoneCase.status == "working"))
        page = client.get(f"/office/phone/campaigns/{campaign.id}/work").get_data(as_text=True)
        assert "12345工单回访" in page and case.context["order_no"] in page and "小区路灯不亮" in page
        assert "您于03月01日通过12345反映了" in page
        assert "138****" in page and "张三" not in page
        assert "您反映的问题解决了吗？" in page  # the callback questionnaire, not the residents' one
        saved = client.post(f"/office/phone/cases/{case.id}/outcome",
                            data={"outcome": "11", "on_time": "yes", "resolution": "partial", "satisfaction": "4"})
        assert saved.status_code == 302
    finally:
        clean_app.config.pop("PHONE_CLOCK")
    check = db.session.scalar(select(OrderCheck).where(OrderCheck.phone_case_id == case.id))
    assert (check.source, check.contact, check.resolution, check.satisfaction, check.perceived_on_time) == \
        ("callback", "成功", "部分解决", "4", "是")
