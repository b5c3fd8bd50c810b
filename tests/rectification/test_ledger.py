"""The ledger XLSX: one row per item, its totals equal the page's (R9); the reminder list export."""

from __future__ import annotations

import io
from collections import Counter
from datetime import date

from openpyxl import load_workbook
from sqlalchemy import select

from questionnaire.accounts.models import AuditEvent
from questionnaire.extensions import db
from questionnaire.rectification import rules
from tests.rectification.test_pages import accept, report


def close(login_as, task_id, completed_on):
    login_as("k1").post(f"/office/rectification/tasks/{task_id}/actions",
                        data={"action": "claim", "completed_on": completed_on})
    login_as("admin").post(f"/office/rectification/tasks/{task_id}/actions",
                           data={"action": "close", "completed_on": completed_on})


def sheet_rows(workbook, title):
    rows = list(workbook[title].iter_rows(values_only=True))
    return list(rows[0]), rows[1:]


def make_year(login_as, make_item, on_day):
    """2021: 3 on time, 1 late, 1 overdue, 1 split item still open."""
    on_day(date(2021, 6, 1))
    ids = [make_item("K1", seq=n, deadline=date(2021, 10, 31)).tasks[0].id for n in range(1, 6)]
    split = make_item("K1", assists=("U1",), seq=6, deadline=date(2021, 12, 31), text="=HYPERLINK(\"x\")")
    client = login_as("k1")
    for task_id in [*ids, split.tasks[0].id]:
        accept(client, task_id)
    report(client, ids[0])
    on_day(date(2021, 11, 10))
    for task_id in ids[:3]:
        close(login_as, task_id, "2021-10-20")
    close(login_as, ids[3], "2021-11-05")  # late
    on_day(date(2021, 11, 26))


def test_r9_the_ledger_has_one_row_per_item_and_the_pages_totals(login_as, make_item, on_day):
    make_year(login_as, make_item, on_day)
    admin = login_as("admin")
    page = admin.get("/office/rectification/?year=2021").get_data(as_text=True)
    response = admin.get("/office/rectification/ledger.xlsx?year=2021")
    assert response.status_code == 200 and "attachment;" in response.headers["Content-Disposition"]
    workbook = load_workbook(io.BytesIO(response.data))
    header, items = sheet_rows(workbook, "整改台账")
    assert len(items) == 6
    outcomes = Counter(r[header.index("整改结果")] for r in items)
    assert outcomes == {"按时完成": 3, "逾期完成": 1, "逾期未完成": 1, "推进中": 1}
    readme = dict(r[:2] for r in workbook["说明"].iter_rows(values_only=True))
    totals = tuple(readme[k] for k in ("应完成（条）", "按时完成销号（条）", "逾期完成（条）", "逾期未完成（条）"))
    assert totals == (6, 3, 1, 1) == (len(items), outcomes["按时完成"], outcomes["逾期完成"], outcomes["逾期未完成"])
    assert readme["年度整改完成率"] == "50.0%"
    assert "应完成 <b>6</b> 条 · 按时完成销号 <b>3</b> 条 · 逾期完成 1 · 长期推进 0 · 逾期未完成 1 · 推进中 1" in page
    assert '年度整改完成率 <b class="big">50.0%</b>' in page
    split = next(r for r in items if r[header.index("序号")] == 6)
    assert split[header.index("牵头责任单位")] == "甲县" and split[header.index("配合单位")] == "市教育局"
    assert split[header.index("意见建议原文")].startswith("'=")  # formula injection guarded
    history_header, history = sheet_rows(workbook, "月度进展")
    assert len(history) == 1 and history[0][history_header.index("本月进展")] == "已完成排查，更换路灯 12 盏"
    assert db.session.scalar(select(AuditEvent.action).where(AuditEvent.action == "rectification_export_ledger"))


def test_the_reminder_list_shows_and_exports_every_warned_task_by_entity(login_as, make_item, on_day):
    make_year(login_as, make_item, on_day)
    admin = login_as("admin")
    page = admin.get("/office/rectification/reminders?year=2021").get_data(as_text=True)
    assert "已逾期 26 天未销号" in page and "2021年11月进展未报" in page
    workbook = load_workbook(io.BytesIO(admin.get("/office/rectification/reminders.xlsx?year=2021").data))
    header, rows = sheet_rows(workbook, "督办提醒清单")
    warned = [(r[header.index("责任单位")], r[header.index("预警")]) for r in rows]
    # K1's overdue task (red) and K1's accepted share of the split item (November not reported);
    # U1 never accepted its share, so it owes no report yet.
    assert warned == [("甲县", rules.COLOUR_LABELS["red"]), ("甲县", rules.COLOUR_LABELS["yellow"])]
    assert db.session.scalar(select(AuditEvent.action).where(AuditEvent.action == "rectification_export_reminders"))
