"""The hotline pages through the test client: the office's import report and rates, and H7 (an
entity sees its problem orders without the caller's name or number, and nothing of others)."""

from __future__ import annotations

import io

from sqlalchemy import select

from questionnaire.channels.hotline.models import Appeal, OrderCheck
from questionnaire.extensions import db
from tests.channels.hotline.conftest import csv_file, mobile, order_line


def test_the_office_imports_and_sees_each_rejected_row_and_the_mapping_queue(login_as, campaign):
    client = login_as("admin")
    data = csv_file([order_line("GD1", "市住建局", mobile(1)), order_line("GD1", "市住建局", mobile(2))])
    page = client.post(f"/office/hotline/campaigns/{campaign.id}/orders", content_type="multipart/form-data",
                       data={"file": (io.BytesIO(data), "工单.csv")})
    text = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "<td>3</td><td>工单编号 GD1 重复（与第 2 行相同）</td>" in text
    assert "市住建局" in text and "13800000001" not in text


def test_a_file_the_office_cannot_read_is_a_clear_422(login_as, campaign):
    page = login_as("admin").post(f"/office/hotline/campaigns/{campaign.id}/orders",
                                  content_type="multipart/form-data",
                                  data={"file": (io.BytesIO(b"\x00\x01"), "orders.pdf")})
    assert page.status_code == 422 and "只接受 .xlsx 或 .csv 文件" in page.get_data(as_text=True)


def test_h7_an_entity_sees_its_problem_orders_without_the_callers_name_or_number(login_as, campaign, checked):
    page = login_as("k1").get(f"/office/hotline/campaigns/{campaign.id}/mine")
    text = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "96.00%" in text and "81.80%" in text
    assert "未解决" in text and "H095" in text  # an unresolved order of E (H092-H099)
    assert "张三" not in text and "138" not in text  # neither the caller's name nor any part of a number
    other = login_as("k2").get(f"/office/hotline/campaigns/{campaign.id}/mine").get_data(as_text=True)
    assert "H095" not in other and "本单位暂无抽查工单" in other


def test_an_entity_appeals_through_the_page_and_the_office_decides(login_as, campaign, checked):
    check = db.session.scalar(select(OrderCheck).where(OrderCheck.resolution == "未解决").limit(1))
    client = login_as("k1")
    # The window runs from the callback (2023-10-08 in the vendor file): this one is long past.
    late = client.post(f"/office/hotline/checks/{check.id}/appeal",
                       data={"rate": "resolution", "category": "涉法涉诉", "reason": "已诉讼"})
    assert late.status_code == 422 and "申诉期已过" in late.get_data(as_text=True)
    check.called_at = None  # no callback time recorded: the office's deadline alone would apply
    db.session.commit()
    filed = client.post(f"/office/hotline/checks/{check.id}/appeal",
                        data={"rate": "resolution", "category": "涉法涉诉", "reason": "已诉讼"})
    assert filed.status_code == 302
    appeal = db.session.scalar(select(Appeal))
    admin = login_as("admin")
    assert "已诉讼" in admin.get(f"/office/hotline/campaigns/{campaign.id}/appeals").get_data(as_text=True)
    decided = admin.post(f"/office/hotline/appeals/{appeal.id}/decide", data={"verdict": "approve", "reason": "属实"})
    assert decided.status_code == 302
    db.session.expire_all()
    assert db.session.get(Appeal, appeal.id).status == "approved"
