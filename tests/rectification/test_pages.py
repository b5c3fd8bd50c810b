"""The pages: an entity's tasks with colours, monthly reports with evidence (R4, R5, R7), downloads."""

from __future__ import annotations

import io
from datetime import date
from pathlib import Path

from sqlalchemy import func, select

from questionnaire.accounts.models import AuditEvent
from questionnaire.extensions import db
from questionnaire.rectification.evidence import evidence_dir
from questionnaire.rectification.models import RectificationEvidence, RectificationReport, RectificationTask
from tests.rectification.conftest import MB, pdf_bytes


def report(client, task_id, *files, progress="已完成排查，更换路灯 12 盏", **extra):
    data = {"progress": progress, "measures": "分片包干，逐村排查", **extra}
    if files:
        data["files"] = [(io.BytesIO(body), name) for name, body in files]
    return client.post(f"/office/rectification/tasks/{task_id}/reports", data=data,
                       content_type="multipart/form-data")


def accept(client, task_id):
    return client.post(f"/office/rectification/tasks/{task_id}/actions", data={"action": "accept"})


def stored_files(app) -> list[Path]:
    folder = evidence_dir(app.instance_path)
    return sorted(folder.iterdir()) if folder.exists() else []


def test_an_entity_sees_only_its_own_tasks_with_their_colours(login_as, make_item, on_day):
    make_item("K1", deadline=date(2021, 10, 31), text="甲县逾期的事项")
    make_item("K1", deadline=date(2021, 12, 31), text="甲县本月未报的事项")
    make_item("K2", deadline=date(2021, 12, 31), text="乙区的事项")
    on_day(date(2021, 11, 26))
    page = login_as("k1").get("/office/rectification/").get_data(as_text=True)
    assert "甲县逾期的事项" in page and "甲县本月未报的事项" in page and "乙区的事项" not in page
    assert "红色预警（逾期未销号） 1" in page and "黄色预警（本月未报） 0" in page  # not accepted yet: no report owed


def test_r4_colours_on_the_entity_page_follow_the_25th_and_the_deadline(login_as, make_item, on_day):
    soon = make_item("K1", deadline=date(2021, 6, 30), text="六天后到期").tasks[0].id
    unreported = make_item("K1", deadline=date(2021, 12, 31), text="路面修补事项").tasks[0].id
    client = login_as("k1")
    on_day(date(2021, 6, 20))
    accept(client, soon), accept(client, unreported)
    report(client, soon)
    on_day(date(2021, 6, 24))
    page = client.get("/office/rectification/").get_data(as_text=True)
    assert "蓝色预警（7日内到期） 1" in page and "黄色预警（本月未报） 0" in page
    on_day(date(2021, 6, 26))
    assert "黄色预警（本月未报） 1" in client.get("/office/rectification/?colour=yellow").get_data(as_text=True)
    on_day(date(2021, 7, 1))
    page = client.get("/office/rectification/?colour=red").get_data(as_text=True)
    assert "六天后到期" in page and "路面修补事项" not in page


def test_r7_a_5_mb_pdf_is_accepted_and_stored_outside_the_web_root(login_as, make_item, on_day, clean_app):
    task_id = make_item("K1").tasks[0].id
    on_day(date(2021, 6, 10))
    client = login_as("k1")
    accept(client, task_id)
    before = stored_files(clean_app)
    response = report(client, task_id, ("整改照片汇总.pdf", pdf_bytes(5 * MB)))
    assert response.status_code == 302
    stored = db.session.scalars(select(RectificationEvidence)).one()
    assert (stored.original_name, stored.kind, stored.size) == ("整改照片汇总.pdf", "pdf", 5 * MB)
    [path] = set(stored_files(clean_app)) - set(before)
    assert path.name == stored.stored_name and path.suffix == ".pdf" and "整改" not in path.name
    assert "static" not in path.parts and path.stat().st_size == 5 * MB


def test_r7_a_25_mb_file_and_an_exe_are_refused_and_nothing_is_written(login_as, make_item, on_day, clean_app):
    task_id = make_item("K1").tasks[0].id
    on_day(date(2021, 6, 10))
    client = login_as("k1")
    accept(client, task_id)
    before = stored_files(clean_app)
    too_big = report(client, task_id, ("现场照片.pdf", pdf_bytes(25 * MB)))
    assert too_big.status_code == 422
    assert "超过单个文件 20 MB 的上限" in too_big.get_data(as_text=True)
    exe = report(client, task_id, ("整改材料.exe", b"MZ\x90\x00" + b"\0" * 1000))
    assert exe.status_code == 422 and "类型不允许" in exe.get_data(as_text=True)
    disguised = report(client, task_id, ("ok.pdf", pdf_bytes(1000)), ("整改材料.pdf", b"MZ\x90\x00" * 100))
    assert disguised.status_code == 422 and "内容与扩展名不符" in disguised.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(RectificationReport)) == 0
    assert db.session.scalar(select(func.count()).select_from(RectificationEvidence)) == 0
    assert stored_files(clean_app) == before


def test_uploads_pass_with_csrf_on_while_other_routes_keep_the_small_body_limit(login_as, make_item, on_day,
                                                                                clean_app):
    task_id = make_item("K1").tasks[0].id
    on_day(date(2021, 6, 10))
    client = login_as("k1")
    accept(client, task_id)
    clean_app.config["WTF_CSRF_ENABLED"] = True
    try:
        page = client.get(f"/office/rectification/tasks/{task_id}").get_data(as_text=True)
        token = page.split('name="csrf_token" value="')[1].split('"')[0]
        response = report(client, task_id, ("a.pdf", pdf_bytes(5 * MB)), csrf_token=token)
        assert response.status_code == 302
        other = client.post("/office/rectification/tasks/1/actions", data={"note": "x" * (200 * 1024),
                                                                         "csrf_token": token})
        assert other.status_code == 413
    finally:
        clean_app.config["WTF_CSRF_ENABLED"] = False


def test_evidence_is_downloaded_as_an_attachment_by_its_entity_and_the_office_only(login_as, make_item, on_day):
    task_id = make_item("K1").tasks[0].id
    on_day(date(2021, 6, 10))
    client = login_as("k1")
    accept(client, task_id)
    assert report(client, task_id, ('<script>报告.pdf', pdf_bytes(2000))).status_code == 302
    evidence_id = db.session.scalar(select(RectificationEvidence.id))
    for username in ("k1", "admin"):
        response = login_as(username).get(f"/office/rectification/evidence/{evidence_id}")
        assert response.status_code == 200 and response.data.startswith(b"%PDF")
        assert response.headers["Content-Disposition"].startswith("attachment;")
        assert response.headers["X-Content-Type-Options"] == "nosniff"
        assert response.mimetype == "application/pdf"
    for username in ("k2", "u1"):
        assert login_as(username).get(f"/office/rectification/evidence/{evidence_id}").status_code == 404
    downloads = db.session.scalar(select(func.count()).select_from(AuditEvent).where(
        AuditEvent.action == "rectification_download_evidence"))
    assert downloads == 2


def test_r5_an_entity_posting_close_gets_403_and_the_office_closes(login_as, make_item, on_day):
    task_id = make_item("K1").tasks[0].id
    on_day(date(2021, 6, 10))
    client = login_as("k1")
    accept(client, task_id)
    report(client, task_id, then="claim", completed_on="2021-06-09")
    refused = client.post(f"/office/rectification/tasks/{task_id}/actions", data={"action": "close"})
    assert refused.status_code == 403 and "只能由绩效办操作" in refused.get_data(as_text=True)
    assert db.session.get(RectificationTask, task_id).status == "claimed"
    office = login_as("admin")
    assert office.post(f"/office/rectification/tasks/{task_id}/actions",
                       data={"action": "close", "note": "资料齐全", "completed_on": "2021-06-09"}).status_code == 302
    task = db.session.get(RectificationTask, task_id)
    db.session.refresh(task)
    assert (task.status, task.completed_on) == ("closed", date(2021, 6, 9))
    page = office.get(f"/office/rectification/tasks/{task_id}").get_data(as_text=True)
    assert "核实销号" in page and "资料齐全" in page and "按时完成" in page


def test_a_report_without_progress_is_a_clear_error(login_as, make_item, on_day):
    task_id = make_item("K1").tasks[0].id
    on_day(date(2021, 6, 10))
    client = login_as("k1")
    accept(client, task_id)
    response = report(client, task_id, progress="  ")
    assert response.status_code == 422 and "请填写本月进展" in response.get_data(as_text=True)
    assert client.post(f"/office/rectification/tasks/{task_id}/actions",
                       data={"action": "claim", "completed_on": "not-a-date"}).status_code == 400
    for action in ("report", "no-such-step"):  # a report without its form, or an invented step
        assert client.post(f"/office/rectification/tasks/{task_id}/actions", data={"action": action}).status_code == 422
    assert db.session.get(RectificationTask, task_id).status == "accepted"


def test_the_dashboard_shows_this_years_warnings_in_the_accounts_scope(login_as, make_item, on_day, campaign):
    make_item("K1", deadline=date(2026, 5, 31), year=2026, text="甲县逾期")
    make_item("U1", deadline=date(2026, 6, 5), year=2026, text="教育局将到期")
    on_day(date(2026, 6, 1))
    url = f"/dashboard/campaigns/{campaign.id}"
    office = login_as("admin").get(url).get_data(as_text=True)
    assert 'id="rectification-panel"' in office
    assert "红色 1</span>" in office and "蓝色 1</span>" in office and "（0 / 2 条）" in office
    county = login_as("k1").get(url).get_data(as_text=True)
    assert "甲县按时完成率" in county and "红色 1</span>" in county and "蓝色 0</span>" in county
    assert 'id="rectification-panel"' not in login_as("k2").get(url).get_data(as_text=True)  # no tasks
