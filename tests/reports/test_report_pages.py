"""Report pages: the office downloads every report and builds them all; an entity's account only its own."""

from __future__ import annotations

import io
import zipfile

from docx import Document

PDF = "application/pdf"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def test_the_office_downloads_the_city_wide_report_and_any_entitys(reported, login_as):
    client = login_as("admin")
    page = client.get(f"/reports/campaigns/{reported.id}").get_data(as_text=True)
    assert "全市报告" in page and "甲县" in page and "市教育局" in page
    city = client.get(f"/reports/campaigns/{reported.id}/city.docx")
    assert city.status_code == 200 and city.mimetype == DOCX
    assert "测试市" in Document(io.BytesIO(city.data)).paragraphs[0].text
    assert "filename*=UTF-8''" in city.headers["Content-Disposition"]
    for code in ("K1", "K2", "U1"):
        response = client.get(f"/reports/campaigns/{reported.id}/entities/{reported.units[code].id}.pdf")
        assert response.status_code == 200 and response.mimetype == PDF and response.data.startswith(b"%PDF")


def test_a_county_downloads_its_own_report_only(reported, login_as):
    client = login_as("k1")
    page = client.get(f"/reports/campaigns/{reported.id}").get_data(as_text=True)
    assert "甲县" in page and "乙区" not in page and "全市报告" not in page
    own = client.get(f"/reports/campaigns/{reported.id}/entities/{reported.units['K1'].id}.docx")
    assert own.status_code == 200 and "甲县" in Document(io.BytesIO(own.data)).paragraphs[0].text
    assert client.get(f"/reports/campaigns/{reported.id}/entities/{reported.units['K2'].id}.docx").status_code == 404
    assert client.get(f"/reports/campaigns/{reported.id}/entities/{reported.units['U1'].id}.pdf").status_code == 404
    assert client.get(f"/reports/campaigns/{reported.id}/city.pdf").status_code == 403


def test_a_township_account_has_no_report_and_bad_requests_are_clear(reported, login_as):
    client = login_as("k1t1")
    assert "没有可下载的评价报告" in client.get(f"/reports/campaigns/{reported.id}").get_data(as_text=True)
    assert client.get(f"/reports/campaigns/{reported.id}/entities/{reported.units['K1'].id}.pdf").status_code == 404
    admin = login_as("admin")
    assert admin.get(f"/reports/campaigns/{reported.id}/entities/{reported.units['K1'].id}.xls").status_code == 404
    assert admin.get(f"/reports/campaigns/{reported.id}/entities/{reported.units['K1T1'].id}.pdf").status_code == 404
    assert admin.get("/reports/campaigns/999/city.pdf").status_code == 404
    assert admin.get("/reports/jobs/not-a-job").status_code == 404


def test_the_batch_job_builds_every_entitys_report_with_progress(reported, login_as):
    client = login_as("admin")
    queued = client.post(f"/reports/campaigns/{reported.id}/batch")
    assert queued.status_code == 302  # RQ runs inline in the tests: the job is done when the page loads
    job_url = queued.headers["Location"]
    page = client.get(job_url).get_data(as_text=True)
    assert "已生成 4 份报告" in page and "下载压缩包" in page  # the city-wide report, two counties, one unit
    archive = zipfile.ZipFile(io.BytesIO(client.get(job_url + "/reports.zip").data))
    names = archive.namelist()
    assert len(names) == 8 and sum(n.endswith(".pdf") for n in names) == 4
    assert any(n.startswith("K1-甲县") for n in names)
    assert Document(io.BytesIO(archive.read(next(n for n in names if n.startswith("U1") and n.endswith(".docx")))))
    assert login_as("k1").get(job_url).status_code == 404  # another account's batch: not even confirmed
