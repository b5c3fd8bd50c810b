"""H1: import with repeated 工单编号 and unknown 承办单位; callers' data encrypted; column mapping."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select, text

from questionnaire.accounts.models import AuditEvent
from questionnaire.channels.hotline import orders
from questionnaire.channels.hotline.models import WorkOrder
from questionnaire.extensions import db
from tests.channels.hotline.conftest import csv_file, mobile, order_line

pytestmark = pytest.mark.both_backends


def test_h1_repeats_are_rejected_by_row_and_unknown_handlers_join_after_an_alias(campaign, import_file):
    orders.add_alias(db.session, "甲县人民政府", campaign.units["K1"].id, None)
    lines = [order_line(f"GD{i:06d}", "甲县人民政府", mobile(i)) for i in range(11_982)]
    lines += [order_line(f"GX{i:03d}", "河池市住房和城乡建设局", mobile(50_000 + i)) for i in range(15)]
    lines += [order_line("GD000007", "甲县人民政府", mobile(7)), order_line("GD000100", "甲县人民政府"),
              order_line("GX003", "河池市住房和城乡建设局")]
    assert len(lines) == 12_000
    result = import_file(lines)

    assert result.report.rows_total == 12_000 and result.stored == 11_997
    assert result.report.rejected == [
        (11_999, "工单编号 GD000007 重复（与第 9 行相同）"),
        (12_000, "工单编号 GD000100 重复（与第 102 行相同）"),
        (12_001, "工单编号 GX003 重复（与第 11987 行相同）"),
    ]
    assert result.unmapped == 15
    assert orders.mapping_queue(db.session, campaign.id) == [("河池市住房和城乡建设局", 15)]

    joined = orders.add_alias(db.session, "河池市住房和城乡建设局", campaign.units["U1"].id, None)
    assert joined == 15
    assert orders.mapping_queue(db.session, campaign.id) == []
    assert db.session.scalar(select(func.count()).select_from(WorkOrder).where(
        WorkOrder.org_unit_id == campaign.units["U1"].id)) == 15
    alias_event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "hotline_alias")
                                    .order_by(AuditEvent.id.desc()).limit(1))
    assert alias_event.detail == {"name": "河池市住房和城乡建设局", "joined": 15}


def test_an_order_number_imported_before_is_rejected_in_a_later_file(campaign, import_file):
    import_file([order_line("GD1", "甲县人民政府", mobile(1))])
    again = import_file([order_line("GD1", "甲县人民政府", mobile(1)), order_line("GD2", "甲县人民政府")])
    assert again.stored == 1
    assert again.report.rejected == [(2, "工单编号 GD1 已导入过，不能重复导入")]


def test_callers_numbers_and_names_are_stored_only_encrypted(campaign, import_file):
    import_file([order_line("GD1", "甲县人民政府", "138-0000-1234", name="李四", summary="请回电13800001234")])
    row = db.session.execute(text("SELECT * FROM hotline_orders")).mappings().one()
    dumped = " ".join(str(v) for v in row.values())
    assert "13800001234" not in dumped and "李四" not in dumped
    assert row["phone_hmac"] and row["phone_cipher"] and row["caller_name_cipher"]
    assert "138****1234" in row["summary"]  # a number typed into the request is masked on import


def test_bad_rows_are_reported_with_their_reasons_and_the_rest_is_stored(campaign, import_file):
    result = import_file([
        order_line("GD1", "甲县人民政府", mobile(1)),
        order_line("GD2", "甲县人民政府", kind="吐槽"),
        order_line("GD3", "甲县人民政府", status="已办结", closed_after=None),
        order_line("GD4", "甲县人民政府", confidential="也许"),
    ])
    assert result.stored == 1
    assert [r for _, r in result.report.rejected] == [
        "诉求类型“吐槽”应为 咨询/求助/投诉/举报/建议/表扬", "已办结的工单须有办结时间", "是否保密应填 是 或 否"]


def test_a_file_without_a_required_column_stores_nothing(campaign, keys):
    data = "工单编号,受理时间\nGD1,2023-03-01\n".encode()
    with pytest.raises(orders.ImportRefused) as refused:
        orders.import_orders(db.session, keys, campaign.id, "orders.csv", data)
    assert "诉求类型" in refused.value.message and "承办单位" in refused.value.message
    assert db.session.scalar(select(func.count()).select_from(WorkOrder)) == 0


def test_a_sources_saved_column_names_are_used_for_its_next_export(campaign, keys):
    orders.save_mapping(db.session, "县平台", {"order_no": "编号", "handler": "责任单位"}, None)
    data = csv_file([order_line("GD1", "甲县人民政府", mobile(1))]).decode()
    data = data.replace("工单编号", "编号", 1).replace("承办单位", "责任单位", 1).encode()
    result = orders.import_orders(db.session, keys, campaign.id, "orders.csv", data, "县平台")
    assert result.stored == 1
    with pytest.raises(orders.ImportRefused):
        orders.import_orders(db.session, keys, campaign.id, "orders.csv", data)  # without the source: no mapping
