"""Export pages: scope on every route, owner-only jobs, Chinese file names, audit, CSRF (the tests that
run an export or read its job run on both backends)."""

from __future__ import annotations

from urllib.parse import quote

import pytest
from sqlalchemy import select

from questionnaire.accounts.models import AuditEvent, OfficeUser
from questionnaire.campaigns.models import Questionnaire
from questionnaire.extensions import db
from questionnaire.org.models import OrgUnit
from tests.exports.conftest import as_dicts, read_csv, read_xlsx
from tests.fixtures.accounts import login


def unit_id(code):
    return db.session.scalar(select(OrgUnit.id).where(OrgUnit.code == code))


def county_questionnaire():
    return db.session.scalar(select(Questionnaire.id).where(Questionnaire.key == "county"))


def start(client, campaign, **form):
    data = {"campaign": str(campaign.id), "dataset": "responses", "fmt": "xlsx", "include_flagged": "1", **form}
    return client.post("/office/exports", data=data)


def start_job(client, campaign, **form) -> str:
    response = start(client, campaign, **form)
    assert response.status_code == 303, response.get_data(as_text=True)
    return response.headers["Location"].rstrip("/").split("/")[-1]


def audits(action):
    return list(db.session.scalars(select(AuditEvent).where(AuditEvent.action == action).order_by(AuditEvent.id)))


def test_export_pages_require_login(client, campaign):
    assert client.get("/office/exports").status_code == 302
    assert start(client, campaign).status_code == 302
    status = client.get("/office/exports/jobs/" + "0" * 32 + "/status", headers={"Accept": "application/json"})
    assert status.status_code == 401 and status.get_json()["error"]["code"] == "unauthorized"


def test_the_form_offers_only_units_in_the_accounts_scope(login_as, campaign):
    page = login_as("k1").get("/office/exports").get_data(as_text=True)
    assert "甲县（含所辖乡镇）" in page and "一镇" in page and "二乡" in page
    assert "乙区" not in page and "三镇" not in page and "市教育局" not in page
    assert 'name="csrf_token"' in page
    assert "数据导出" in page  # the nav link in the office header


@pytest.mark.both_backends  # a job streams rows from the database
def test_raw_export_runs_as_a_job_then_downloads_under_its_chinese_name(login_as, campaign, respond, accounts):
    respond("K1T1", suggestion="-意见：路灯")
    respond("K2")
    client = login_as("k1")
    job_id = start_job(client, campaign)
    page = client.get(f"/office/exports/jobs/{job_id}").get_data(as_text=True)
    assert "下载" in page and "已导出 1 行" in page
    status = client.get(f"/office/exports/jobs/{job_id}/status").get_json()
    assert status["status"] == "finished" and status["ready"] and status["done"] == 1
    download = client.get(status["download_url"])
    assert download.status_code == 200
    assert download.mimetype == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    disposition = download.headers["Content-Disposition"]
    assert disposition.startswith('attachment; filename="export.xlsx"; filename*=UTF-8\'\'')
    assert quote("2026年度测试市社会评价-原始答卷-甲县-") in disposition
    rows = as_dicts(read_xlsx(download.data)["县区满意度问卷"])
    assert [(r["乡镇/单位"], r["4. 意见建议"]) for r in rows] == [("一镇", "'-意见：路灯")]
    queued, downloaded = audits("queue_export"), audits("download_export")
    assert len(queued) == 1 and queued[0].user_id == accounts.k1
    assert queued[0].detail["scope"] == "甲县（含所辖乡镇）" and queued[0].detail["dataset"] == "responses"
    assert len(downloaded) == 1 and downloaded[0].detail["job"] == job_id


@pytest.mark.both_backends  # job status and progress live in Redis
def test_a_progress_page_of_a_running_export_refreshes_itself(login_as, campaign, clean_app, accounts):
    from rq.job import Job

    from questionnaire.extensions import redis_store

    client = login_as("k1")
    job_id = start_job(client, campaign)
    job = Job.fetch(job_id, connection=redis_store.client(clean_app))
    job.set_status("started")
    job.meta.update(done=4000, total=10000)
    job.save_meta()
    page = client.get(f"/office/exports/jobs/{job_id}").get_data(as_text=True)
    assert '<noscript><meta http-equiv="refresh"' in page and "export_progress.js" in page
    assert "4000 / 10000" in page
    status = client.get(f"/office/exports/jobs/{job_id}/status").get_json()
    assert status == {"status": "started", "done": 4000, "total": 10000, "ready": False, "expired": False,
                      "download_url": None}


def test_a_forged_filter_for_another_county_is_not_found(login_as, campaign, respond):
    respond("K1")
    for username in ("k2", "u1", "k1t1"):
        client = login_as(username)
        for dataset in ("responses", "tallies"):
            response = start(client, campaign, dataset=dataset, unit=str(unit_id("K1")))
            assert response.status_code == 404, (username, dataset)
        assert start(client, campaign, unit=str(unit_id("K1T2"))).status_code == 404
    assert audits("queue_export") == [] and audits("export") == []


def test_another_accounts_export_job_is_not_found(login_as, campaign, respond):
    respond("K1")
    job_id = start_job(login_as("k1"), campaign)
    for username in ("k2", "u1", "admin"):  # even an admin cannot fetch someone else's file
        client = login_as(username)
        for url in (f"/office/exports/jobs/{job_id}", f"/office/exports/jobs/{job_id}/status",
                    f"/office/exports/jobs/{job_id}/download"):
            assert client.get(url).status_code == 404, (username, url)
    assert audits("download_export") == []


def test_a_download_is_refused_once_the_owners_scope_no_longer_covers_it(login_as, campaign, respond, accounts):
    respond("K1T1")
    client = login_as("k1")
    job_id = start_job(client, campaign, unit=str(unit_id("K1T1")))
    user = db.session.get(OfficeUser, accounts.k1)
    user.org_unit_id = unit_id("K2")
    db.session.commit()
    assert client.get(f"/office/exports/jobs/{job_id}/download").status_code == 404


def test_unknown_and_malformed_job_ids_are_not_found(login_as, campaign):
    client = login_as("admin")
    assert client.get("/office/exports/jobs/" + "a" * 32).status_code == 404
    assert client.get("/office/exports/jobs/../../etc/passwd/download").status_code == 404
    assert client.get("/office/exports/jobs/not-a-job/status").status_code == 404


@pytest.mark.both_backends  # streamed from the database in the request
def test_tallies_stream_back_in_the_request_as_csv_and_xlsx(login_as, campaign, respond, accounts):
    respond("K1", gov="5")
    respond("K2", gov="3")
    client = login_as("k2")
    csv_response = start(client, campaign, dataset="tallies", fmt="csv")
    assert csv_response.status_code == 200 and csv_response.mimetype == "text/csv"
    disposition = csv_response.headers["Content-Disposition"]
    assert "filename*=UTF-8''" + quote("2026年度测试市社会评价-统计汇总-乙区-") in disposition
    rows = as_dicts(read_csv(csv_response.data))
    assert {r["县区"] for r in rows if r["层级"] != "合计"} == {"乙区"}  # never 甲县
    gov = [r for r in rows if r["层级"] == "县区本级" and r["题号"] == "1"]
    assert [(r["选项"], r["人数"]) for r in gov][:3] == [("非常满意", "0"), ("满意", "0"), ("一般", "1")]
    xlsx_response = start(client, campaign, dataset="tallies", fmt="xlsx")
    assert list(read_xlsx(xlsx_response.data)) == ["说明", "单位汇总", "分题统计"]
    events = audits("export")
    assert [(e.user_id, e.detail["fmt"], e.detail["scope"]) for e in events] == [
        (accounts.k2, "csv", "乙区（含所辖乡镇）"), (accounts.k2, "xlsx", "乙区（含所辖乡镇）")]


@pytest.mark.both_backends  # a job streams rows from the database
def test_a_csv_of_several_questionnaires_puts_them_side_by_side(login_as, campaign, respond):
    respond("K1", gov="5")
    respond("U1", gov="2")
    client = login_as("admin")
    status = client.get(f"/office/exports/jobs/{start_job(client, campaign, fmt='csv')}/status").get_json()
    rows = read_csv(client.get(status["download_url"]).data)
    header = rows[0]
    assert header[7] == "问卷"
    assert "【县区满意度问卷】1. 您对当地政府工作的总体评价" in header
    assert "【市直单位满意度问卷】1. 您对该单位工作的总体评价" in header
    assert header[-3:] == ["答题用时（秒）", "异常标记", "终端类型"]
    body = as_dicts(rows)
    county_q = "【县区满意度问卷】1. 您对当地政府工作的总体评价"
    unit_q = "【市直单位满意度问卷】1. 您对该单位工作的总体评价"
    assert [(r["问卷"], r[county_q], r[unit_q]) for r in body] == [
        ("县区满意度问卷", "非常满意", ""), ("市直单位满意度问卷", "", "不满意")]
    assert all(len(row) == len(header) for row in rows)


def test_bad_form_values_are_client_errors(login_as, campaign):
    client = login_as("admin")
    assert start(client, campaign, unit="abc").status_code == 400
    assert start(client, campaign, dataset="everything").status_code == 422
    assert start(client, campaign, questionnaire="99999").status_code == 404
    assert client.post("/office/exports", data={"dataset": "responses"}).status_code == 400
    assert client.get("/office/exports?campaign=99999").status_code == 404


def test_starting_an_export_needs_the_csrf_token(client, accounts, campaign, clean_app):
    login(client, "k1")
    clean_app.config["WTF_CSRF_ENABLED"] = True
    try:
        assert start(client, campaign).status_code == 400
        page = client.get("/office/exports").get_data(as_text=True)
        token = page.split('name="csrf_token" value="')[1].split('"')[0]
        assert start(client, campaign, csrf_token=token).status_code == 303
    finally:
        clean_app.config["WTF_CSRF_ENABLED"] = False


def test_every_exports_route_refuses_another_countys_account(login_as, campaign, respond, clean_app):
    respond("K1")
    job_id = start_job(login_as("k1"), campaign, unit=str(unit_id("K1")))
    requests = {
        "exports.start": ("post", "/office/exports", {"campaign": str(campaign.id), "dataset": "responses",
                                                      "fmt": "xlsx", "unit": str(unit_id("K1"))}),
        "exports.job": ("get", f"/office/exports/jobs/{job_id}", None),
        "exports.job_status": ("get", f"/office/exports/jobs/{job_id}/status", None),
        "exports.download": ("get", f"/office/exports/jobs/{job_id}/download", None),
    }
    routes = {r.endpoint for r in clean_app.url_map.iter_rules() if r.endpoint.startswith("exports.")}
    assert routes == set(requests) | {"exports.index"}, "a new exports route needs a scope test"
    for username in ("k2", "u1"):
        client = login_as(username)
        for endpoint, (method, url, data) in requests.items():
            assert getattr(client, method)(url, data=data).status_code in (403, 404), (username, endpoint)
    owner = login_as("k1")
    for endpoint, (method, url, data) in requests.items():
        assert getattr(owner, method)(url, data=data).status_code in (200, 303), endpoint


def test_the_export_page_lists_the_accounts_own_recent_exports(login_as, campaign, respond):
    respond("K1")
    job_id = start_job(login_as("k1"), campaign)
    assert f"/office/exports/jobs/{job_id}" in login_as("k1").get("/office/exports").get_data(as_text=True)
    assert f"/office/exports/jobs/{job_id}" not in login_as("k2").get("/office/exports").get_data(as_text=True)
