"""The audit log viewer: filters by account, action, unit and date; a CSV export (itself audited);
no route that writes to the log."""

from __future__ import annotations

import csv
import io
from datetime import date, timedelta

from sqlalchemy import select

from questionnaire.accounts.models import AuditEvent


def test_filters_narrow_the_log(login_as, accounts, campaign):
    login_as("k1").get(f"/office/campaigns/{campaign.id}/entries")
    client = login_as("admin")
    page = client.get(f"/office/admin/audit?user={accounts.k1}").get_data(as_text=True)
    assert "查看入口" in page and "<td>k1</td>" in page and "<td>admin</td>" not in page
    page = client.get("/office/admin/audit?action=view_entries").get_data(as_text=True)
    assert "<td>k1</td>" in page and "登录</td>" not in page
    page = client.get(f"/office/admin/audit?unit={campaign.units['K2'].id}").get_data(as_text=True)
    assert "没有符合条件的记录" in page
    tomorrow = (date.today() + timedelta(days=2)).isoformat()
    assert "没有符合条件的记录" in client.get(f"/office/admin/audit?from={tomorrow}").get_data(as_text=True)
    assert client.get("/office/admin/audit?from=yesterday").status_code == 400


def test_the_export_is_a_csv_excel_opens_and_is_itself_audited(login_as, accounts, db_session):
    client = login_as("admin")
    response = client.get(f"/office/admin/audit.csv?user={accounts.admin}")
    assert response.status_code == 200 and response.data.startswith("\ufeff".encode())
    rows = list(csv.reader(io.StringIO(response.data.decode("utf-8-sig"))))
    assert rows[0][:4] == ["时间（北京时间）", "账号", "所属单位", "操作"]
    assert {r[1] for r in rows[1:]} == {"admin"} and any(r[3] == "登录" for r in rows[1:])
    assert db_session.scalar(select(AuditEvent.detail).where(AuditEvent.action == "export_audit"))["user"] == \
        accounts.admin


def test_the_log_is_read_only_in_the_browser(clean_app):
    methods = {m for rule in clean_app.url_map.iter_rules() if rule.endpoint.startswith("admin.audit")
               for m in rule.methods}
    assert methods <= {"GET", "HEAD", "OPTIONS"}
