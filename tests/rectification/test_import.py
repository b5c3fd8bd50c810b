"""Importing an item list: the whole file or nothing, a per-row Chinese report, R1's 625 -> 627."""

from __future__ import annotations

import io
from datetime import date

import pytest
from openpyxl import Workbook, load_workbook
from sqlalchemy import func, select

from questionnaire.extensions import db
from questionnaire.rectification.item_specs import TEMPLATE_HEADER, parse_rows
from questionnaire.rectification.models import RectificationImport, RectificationItem, RectificationTask

# The (batch, number) row-value IN and the one-transaction import run on both backends.
pytestmark = pytest.mark.both_backends

URL = "/office/rectification/import"


def xlsx(rows, header=TEMPLATE_HEADER) -> bytes:
    wb = Workbook()
    ws = wb.active
    ws.append(header)
    for row in rows:
        ws.append(row)
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


def row(seq, lead="甲县", assist="", text=None, category="交通", deadline="2021-10-31",
        batch="自治区反馈·2021年度中期"):
    return [seq, batch, text or f"第{seq}条意见建议", "", category, lead, assist, deadline, ""]


def upload(client, body: bytes, name="清单.xlsx", year="2021"):
    return client.post(URL, data={"year": year, "source": "regional", "file": (io.BytesIO(body), name)},
                       content_type="multipart/form-data")


def count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def test_r1_625_items_with_two_split_to_two_entities_make_627_tasks(login_as, on_day):
    on_day(date(2021, 5, 10))
    rows = [row(n, lead="甲县" if n % 2 else "乙区", assist="市教育局" if n <= 2 else "") for n in range(1, 626)]
    client = login_as("admin")
    response = upload(client, xlsx(rows))
    assert response.status_code == 200
    assert "导入成功：625 条意见建议，分解为 627 项任务" in response.get_data(as_text=True)
    assert (count(RectificationItem), count(RectificationTask)) == (625, 627)
    page = client.get("/office/rectification/?year=2021").get_data(as_text=True)
    assert "应完成 <b>625</b> 条" in page


def test_a_file_with_bad_rows_writes_nothing_and_reports_each_row_in_chinese(login_as, on_day):
    on_day(date(2021, 5, 10))
    rows = [row(1), row(2, lead="不存在的局"), row(3, category="卫生健康"), row(4, deadline="十月底"),
            row(5, text=" "), row(1)]
    response = upload(login_as("admin"), xlsx(rows))
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "文件未导入：共 5 处问题" in page
    for number, reason in ((3, "找不到责任单位：不存在的局"), (4, "类别“卫生健康”不在清单中"),
                           (5, "整改时限应为日期"), (6, "意见建议原文不能为空"), (7, "与第 2 行的来源批次和序号重复")):
        assert f'<td class="num">{number}</td>' in page and reason in page, (number, reason)
    assert (count(RectificationItem), count(RectificationTask), count(RectificationImport)) == (0, 0, 0)


def test_a_gbk_csv_from_chinese_excel_is_read(login_as, on_day):
    on_day(date(2021, 5, 10))
    text = ("序号,来源批次,意见建议,责任单位,配合单位,类别,完成时限\n"
            "1,市本级民意调查,校门口交通拥堵,市教育局,甲县、乙区,交通,2021/9/30\n")
    response = upload(login_as("admin"), text.encode("gbk"), name="清单.csv")
    assert response.status_code == 200, response.get_data(as_text=True)
    item = db.session.scalars(select(RectificationItem)).one()
    assert (item.text, item.deadline, len(item.tasks)) == ("校门口交通拥堵", date(2021, 9, 30), 3)
    assert [t.role for t in item.tasks] == ["lead", "assist", "assist"]


def test_reimporting_the_same_file_adds_nothing_and_a_taken_number_is_refused(login_as, on_day):
    on_day(date(2021, 5, 10))
    client = login_as("admin")
    body = xlsx([row(1), row(2)])
    assert upload(client, body).status_code == 200
    again = upload(client, body)
    assert again.status_code == 200 and "本次未重复导入" in again.get_data(as_text=True)
    overlapping = upload(client, xlsx([row(2), row(3)]))
    assert overlapping.status_code == 422 and "已有来源批次“自治区反馈·2021年度中期”的第 2 条" in \
        overlapping.get_data(as_text=True)
    assert count(RectificationItem) == 2


def test_unreadable_files_and_missing_columns_are_clear_errors(login_as, on_day):
    on_day(date(2021, 5, 10))
    client = login_as("admin")
    assert "无法读取该 XLSX 文件" in upload(client, b"not a zip").get_data(as_text=True)
    assert "仅支持 XLSX 或 CSV" in upload(client, b"MZ", name="a.exe").get_data(as_text=True)
    missing = upload(client, xlsx([["x"]], header=["序号", "备注"]))
    assert missing.status_code == 422
    assert "缺少必填列：意见建议原文、类别、牵头责任单位" in missing.get_data(as_text=True)
    assert client.post(URL, data={"year": "2021"}).status_code == 400


def test_the_template_has_the_import_columns(login_as):
    response = login_as("admin").get("/office/rectification/import/template.xlsx")
    sheet = load_workbook(io.BytesIO(response.data)).active
    assert [c.value for c in sheet[1]] == TEMPLATE_HEADER


def test_header_synonyms_and_a_blank_deadline_means_year_end():
    parsed = parse_rows(["编号", "问题描述", "问题分类", "项目责任单位"], [[7, "路灯", "交通", "K1"]], {"K1": 11}, 2021)
    assert parsed.problems == []
    [spec] = parsed.specs
    assert (spec.seq, spec.text, spec.lead_ids, spec.deadline) == (7, "路灯", (11,), date(2021, 12, 31))
