"""What an export file holds, checked against the stored responses and tallies (both backends)."""

from __future__ import annotations

import uuid
from datetime import timedelta

import pytest
from sqlalchemy import select, text

from questionnaire.accounts.models import OfficeUser
from questionnaire.campaigns.models import Questionnaire
from questionnaire.exports import datasets
from questionnaire.exports import plan as exports
from questionnaire.extensions import db
from questionnaire.intake.models import Response
from questionnaire.org.scope import Scope
from questionnaire.tallies import counting as tallies
from tests.exports.conftest import as_dicts, read_csv, read_xlsx
from tests.fixtures.submissions import SUBMITTED_AT
from workers.export_jobs import build_export, export_path
from workers.queues import EXPORTS, app_queue

# Rows stream from the database (a server-side cursor on PostgreSQL), times come back through
# each driver (SQLite drops the zone), and the job keeps its progress in Redis.
pytestmark = pytest.mark.both_backends

CHINA_TIME = (SUBMITTED_AT + timedelta(hours=8)).replace(tzinfo=None)


def run_export(app, user_id, campaign, **fields):
    """Queue the export job (inline in tests) and return (job, file bytes or None)."""
    req = exports.ExportRequest(campaign_id=campaign.id, **fields)
    export_id = uuid.uuid4().hex
    job = app_queue(app, EXPORTS).enqueue(build_export, export_id, user_id, req.to_dict(), job_id=export_id,
                                          meta={"export": req.to_dict(), "user_id": user_id})
    path = export_path(app.config, export_id, req.fmt)
    return job, (path.read_bytes() if path.exists() else None)


def questionnaire_id(key):
    return db.session.scalar(select(Questionnaire.id).where(Questionnaire.key == key))


def test_raw_csv_has_one_row_per_response_with_labels_china_time_and_no_identities(
        clean_app, campaign, accounts, respond):
    receipt = respond("K1T1", gov="5", security="4", transport="dk", suggestion="=1+1 路灯坏了", age="u30", duration=75)
    job, data = run_export(clean_app, accounts.admin, campaign, fmt="csv", questionnaire_id=questionnaire_id("county"))
    assert job.get_status() == "finished"
    rows = read_csv(data)
    assert rows[0] == ["答卷ID", "回执编号", "提交时间（北京时间）", "县区", "乡镇/单位", "被评价对象", "入口编号",
                       "1. 您对当地政府工作的总体评价", "2. 您对当地社会治安的满意程度",
                       "3. 您对当地交通出行的满意程度",
                       "4. 意见建议", "5. 您的年龄", "答题用时（秒）", "异常标记", "终端类型"]
    assert rows[1] == [str(receipt.response_id), receipt.receipt_no, CHINA_TIME.strftime("%Y-%m-%d %H:%M:%S"),
                       "甲县", "一镇", "甲县", campaign.codes["K1T1"], "非常满意", "满意", "不了解",
                       "'=1+1 路灯坏了", "30岁以下", "75", "无", "微信-安卓"]
    stored = db.session.get(Response, receipt.response_id)
    text_of_file = data.decode("utf-8-sig")
    assert stored.participant_hash not in text_of_file and stored.ip_hash not in text_of_file
    assert job.meta["filename"].startswith("2026年度测试市社会评价-原始答卷-全市-")
    assert job.meta["filename"].endswith(".csv")


def test_raw_xlsx_has_a_sheet_per_questionnaire_and_a_readme(clean_app, campaign, accounts, respond):
    respond("K1", gov="4")
    respond("K2T1", gov="2", suggestion="@所有人 请看")
    respond("U1", gov="5")
    job, data = run_export(clean_app, accounts.admin, campaign, fmt="xlsx")
    sheets = read_xlsx(data)
    assert list(sheets) == ["说明", "县区满意度问卷", "市直单位满意度问卷"]
    county = as_dicts(sheets["县区满意度问卷"])
    assert [(r["县区"], r["乡镇/单位"], r["1. 您对当地政府工作的总体评价"]) for r in county] == [
        ("甲县", "甲县", "满意"), ("乙区", "三镇", "不满意")]
    assert county[1]["4. 意见建议"] == "'@所有人 请看"
    assert county[0]["提交时间（北京时间）"] == CHINA_TIME  # a real Excel date, in China time
    unit = as_dicts(sheets["市直单位满意度问卷"])
    assert [(r["县区"], r["乡镇/单位"], r["1. 您对该单位工作的总体评价"]) for r in unit] == [
        ("市直单位", "市教育局", "非常满意")]
    readme = dict(row[:2] for row in sheets["说明"] if row and row[0])
    assert readme["账号可见范围"] == "全市（全部县区和市直单位）"
    assert readme["答卷总数"] == 3
    assert readme["县区满意度问卷（工作表：县区满意度问卷）"] == 2
    assert "答题过快" in readme and "同一IP集中提交" in readme
    assert job.meta["done"] == job.meta["total"] == 3


def test_flags_are_chinese_labels_and_flagged_rows_can_be_left_out(clean_app, campaign, accounts, respond):
    respond("K1", duration=5)  # faster than the campaign's 20 s minimum
    respond("K1", duration=90)
    tallies.apply_pending(db.engine, campaign.id)  # flags are decided when a row is counted
    _, data = run_export(clean_app, accounts.admin, campaign, fmt="csv", questionnaire_id=questionnaire_id("county"))
    assert sorted(r["异常标记"] for r in as_dicts(read_csv(data))) == ["无", "答题过快"]
    _, data = run_export(clean_app, accounts.admin, campaign, fmt="csv", questionnaire_id=questionnaire_id("county"),
                         include_flagged=False)
    assert [r["答题用时（秒）"] for r in as_dicts(read_csv(data))] == ["90"]


def test_a_county_account_exports_only_its_county_and_may_narrow_to_a_township(
        clean_app, campaign, accounts, respond):
    for code in ("K1", "K1T1", "K1T2", "K2", "K2T1", "U1"):
        respond(code)
    _, data = run_export(clean_app, accounts.k1, campaign, fmt="xlsx")
    sheets = read_xlsx(data)
    assert list(sheets) == ["说明", "县区满意度问卷"]  # no city unit questionnaire in its scope
    assert sorted(r["乡镇/单位"] for r in as_dicts(sheets["县区满意度问卷"])) == ["一镇", "二乡", "甲县"]
    assert dict(r[:2] for r in sheets["说明"] if r and r[0])["账号可见范围"] == "甲县（含所辖乡镇）"
    _, data = run_export(clean_app, accounts.k1, campaign, fmt="csv", unit_id=campaign.units["K1T1"].id)
    assert [r["乡镇/单位"] for r in as_dicts(read_csv(data))] == ["一镇"]


def test_the_job_refuses_a_filter_outside_the_requesters_scope(clean_app, campaign, accounts, respond):
    respond("K1")
    job, data = run_export(clean_app, accounts.k2, campaign, fmt="csv", unit_id=campaign.units["K1"].id)
    assert job.get_status() == "failed" and data is None


def test_the_job_uses_the_scope_the_user_has_when_it_runs(clean_app, campaign, accounts, respond):
    respond("K1")
    respond("K2")
    user = db.session.get(OfficeUser, accounts.k1)
    user.org_unit_id = campaign.units["K2"].id  # moved to another county after queueing
    db.session.commit()
    _, data = run_export(clean_app, accounts.k1, campaign, fmt="csv")
    assert [r["县区"] for r in as_dicts(read_csv(data))] == ["乙区"]


def test_progress_is_saved_in_job_meta_while_rows_are_written(clean_app, campaign, accounts, respond, monkeypatch):
    from rq.job import Job

    import workers.export_jobs as jobs

    for _ in range(5):
        respond("K1")
    monkeypatch.setattr(jobs, "PROGRESS_EVERY", 2)
    seen = []
    original = Job.save_meta

    def recording_save_meta(self):
        seen.append((self.meta.get("done"), self.meta.get("total")))
        return original(self)

    monkeypatch.setattr(Job, "save_meta", recording_save_meta)
    job, _ = run_export(clean_app, accounts.admin, campaign, fmt="csv", questionnaire_id=questionnaire_id("county"))
    assert seen[:3] == [(0, 5), (2, 5), (4, 5)]
    assert seen[-1] == (5, 5)
    fresh = Job.fetch(job.id, connection=job.connection)
    assert fresh.meta["done"] == 5 and fresh.meta["filename"].endswith(".csv") and fresh.meta["bytes"] > 0


def test_no_partial_file_is_left_when_an_export_fails(clean_app, campaign, accounts, respond, monkeypatch):
    from questionnaire.exports import writers as export_writers

    respond("K1")

    def broken(*args, **kwargs):
        raise OSError("disk full")

    monkeypatch.setattr(export_writers, "write_xlsx", broken)
    job, data = run_export(clean_app, accounts.admin, campaign, fmt="xlsx")
    assert job.get_status() == "failed" and data is None
    assert list((export_path(clean_app.config, job.id, "xlsx")).parent.glob(f".{job.id}*")) == []


def test_tallies_export_matches_the_tally_tables(clean_app, campaign, accounts, respond):
    respond("K1T1", gov="5", security="5")
    respond("K1T1", gov="3", security="4")
    respond("K1", gov="4", security="dk")
    respond("K2", gov="1")
    tallies.apply_pending(db.engine, campaign.id)
    conn = db.session.connection()
    plan = exports.plan(conn, Scope.for_user(db.session.get(OfficeUser, accounts.k1)),
                        exports.ExportRequest(campaign.id, dataset="tallies", fmt="xlsx"))
    import io

    from questionnaire.exports.writers import write_xlsx

    buffer = io.BytesIO()
    write_xlsx(buffer, datasets.build(conn, plan, SUBMITTED_AT))
    sheets = read_xlsx(buffer.getvalue())
    assert list(sheets) == ["说明", "单位汇总", "分题统计"]
    summary = {(r["层级"], r["乡镇/单位"]): r for r in as_dicts(sheets["单位汇总"])}
    assert set(summary) == {("合计", "全部"), ("县区合计", "合计"), ("县区本级", "甲县"), ("乡镇", "一镇"),
                            ("乡镇", "二乡")}
    assert summary[("合计", "全部")]["答卷数"] == 3  # 乙区 is outside 甲县's scope
    assert summary[("乡镇", "一镇")]["答卷数"] == 2 and summary[("乡镇", "二乡")]["答卷数"] == 0
    # 一镇: gov (100+60)/2 = 80, security (100+80)/2 = 90, transport only "dk" (skipped) -> (80+90)/2
    assert summary[("乡镇", "一镇")]["满意度指数（%）"] == 85.0
    # 甲县 in all: gov (100+60+80)/3 = 80, security (100+80)/2 = 90 -> 85 (pooling the answers gave 84)
    assert summary[("县区合计", "合计")]["满意度指数（%）"] == 85.0
    detail = [r for r in as_dicts(sheets["分题统计"]) if r["乡镇/单位"] == "一镇" and r["题号"] == 1]
    assert [(r["选项"], r["人数"], r["占比（%）"]) for r in detail] == [
        ("非常满意", 1, 50.0), ("满意", 0, 0.0), ("一般", 1, 50.0), ("不满意", 0, 0.0), ("非常不满意", 0, 0.0),
        ("不了解", 0, 0.0)]
    assert {r["本题满意率（%）"] for r in detail} == {80.0}
    county_gov = [r for r in as_dicts(sheets["分题统计"]) if r["层级"] == "县区合计" and r["题号"] == 1]
    assert sum(r["人数"] for r in county_gov) == 3 and county_gov[0]["本题满意率（%）"] == 80.0  # (100+60+80)/3
    age = [r for r in as_dicts(sheets["分题统计"]) if r["乡镇/单位"] == "一镇" and r["题号"] == 5]
    assert [(r["选项"], r["人数"], r["本题满意率（%）"]) for r in age] == [
        ("30岁以下", 2, None), ("30岁及以上", 0, None)]


def test_tallies_can_leave_flagged_responses_out(clean_app, campaign, accounts, respond):
    respond("K1", gov="5", duration=5)
    respond("K1", gov="3", duration=90)
    tallies.apply_pending(db.engine, campaign.id)
    conn = db.session.connection()
    scope = Scope.for_user(db.session.get(OfficeUser, accounts.admin))
    for include, expected in ((True, 2), (False, 1)):
        plan = exports.plan(conn, scope, exports.ExportRequest(campaign.id, "tallies", "csv", include_flagged=include))
        dataset = datasets.build(conn, plan, SUBMITTED_AT)
        rows = [dict(zip(dataset.tables[0].header, row, strict=True)) for _, row in dataset.rows]
        total_gov = [r for r in rows if r["层级"] == "合计" and r["题号"] == 1]
        assert sum(r["人数"] for r in total_gov) == expected


@pytest.mark.real_only
def test_raw_rows_are_read_through_a_server_side_cursor(clean_app, campaign, accounts, respond):
    for _ in range(5):
        respond("K1")
    with db.engine.connect() as conn:
        plan = exports.plan(conn, Scope.for_user(db.session.get(OfficeUser, accounts.admin)),
                            exports.ExportRequest(campaign.id, fmt="xlsx"))
        rows = exports.response_rows(conn, plan, yield_per=2)
        next(rows)
        # A named (server-side) cursor is open: PostgreSQL hands rows over in batches of yield_per.
        assert conn.execute(text("SELECT count(*) FROM pg_cursors")).scalar_one() == 1
        assert len(list(rows)) == 4
