"""The organisation tree and targets from Excel: template, a per-row report of every bad row with
nothing written, a preview of the changes, then one transaction."""

from __future__ import annotations

import io
import re
from pathlib import Path

from sqlalchemy import func, select

from questionnaire.accounts.models import AuditEvent
from questionnaire.accounts.service import NewAccount, create_user
from questionnaire.campaign_file.importer import import_campaign, read_campaign_file
from questionnaire.campaigns.models import UnitTarget
from questionnaire.org.models import OrgUnit
from tests.admin.conftest import sheet_bytes, sheet_rows
from tests.fixtures.accounts import PASSWORD, login


def upload(client, campaign, data: bytes):
    return client.post(f"/office/admin/campaigns/{campaign.id}/tree/preview",
                       data={"file": (io.BytesIO(data), "tree.xlsx")})


def template(client, campaign) -> list[tuple]:
    response = client.get(f"/office/admin/campaigns/{campaign.id}/tree-template.xlsx")
    assert response.status_code == 200
    return sheet_rows(response.data)


def test_the_template_holds_the_tree_as_it_stands(login_as, campaign):
    rows = template(login_as("admin"), campaign)
    assert rows[0] == ("市", "C", "测试市", None, None)
    assert ("县区", "K1", "甲县", None, None) in rows and ("乡镇", "K1T2", "二乡", "K1", None) in rows
    assert rows[-1] == ("市直单位", "U1", "市教育局", None, None)


def test_five_kinds_of_bad_rows_are_each_reported_with_their_row_and_nothing_is_written(login_as, campaign,
                                                                                      db_session):
    client = login_as("admin")
    rows = [r for r in template(client, campaign) if r[1] != "U1"] + [  # rows 2-7: the tree, less 市教育局
        ("街道", "K3", "丙县", None, None),           # row 8: unknown type
        ("县区", "K4", None, None, 100),              # row 9: no name
        ("乡镇", "K1T1", "一镇重复", "K1", None),       # row 10: code repeated (row 4)
        ("乡镇", "K9T1", "九镇", "K9", None),           # row 11: county not in the sheet
        ("市直单位", "U2", "市卫健委", None, "很多"),    # row 12: target not a number
        ("县区", "U1", "市教育局", None, None),         # row 13: a city unit's code as a county
    ]
    units_before = db_session.scalar(select(func.count()).select_from(OrgUnit))
    response = upload(client, campaign, sheet_bytes(rows))
    html = response.get_data(as_text=True)
    assert response.status_code == 422 and "没有写入任何内容" in html
    listed = re.findall(r"<li>(第 \d+ 行：[^<]+)</li>", html)
    assert listed == [
        "第 8 行：类型“街道”不正确，应为 县区、乡镇、市直单位 或 市",
        "第 9 行：名称必填",
        "第 10 行：编码 K1T1 与第 4 行重复",
        "第 11 行：所属县区编码 K9 不是本表中的县区",
        "第 12 行：目标答卷数“很多”必须是正整数（不设目标时留空）",
        "第 13 行：编码 U1 已是市直单位，不能改为县区",
    ]
    assert db_session.scalar(select(func.count()).select_from(OrgUnit)) == units_before
    assert db_session.scalar(select(func.count()).select_from(UnitTarget)) == 0


def test_a_file_that_is_not_excel_is_one_clear_error(login_as, campaign):
    response = upload(login_as("admin"), campaign, b"name,code\n")
    assert response.status_code == 422 and "请上传用模板填写的 Excel 文件" in response.get_data(as_text=True)


def test_the_preview_lists_the_changes_and_confirming_writes_them(login_as, campaign, db_session):
    client = login_as("admin")
    rows = [r for r in template(client, campaign) if r[1] != "K1T2"]  # 二乡 left out
    rows = [("县区", "K1", "甲县（新名）", None, 800) if r[1] == "K1" else r for r in rows]
    rows.append(("乡镇", "K2T2", "四镇", "K2", 50))
    response = upload(client, campaign, sheet_bytes(rows))
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "乡镇 四镇（K2T2）" in html and "甲县 → 甲县（新名）（K1）" in html
    assert "乡镇 二乡（K1T2）" in html and "甲县（新名）：未设 → 800" in html
    assert db_session.scalar(select(OrgUnit).where(OrgUnit.code == "K2T2")) is None  # not yet

    token = re.search(r'name="token" value="([^"]+)"', html).group(1)
    response = client.post(f"/office/admin/campaigns/{campaign.id}/tree/apply", data={"token": token})
    assert response.status_code == 302
    township = db_session.scalar(select(OrgUnit).where(OrgUnit.code == "K2T2"))
    assert township.county_id == campaign.units["K2"].id
    assert db_session.get(UnitTarget, (campaign.id, township.id)).target == 50
    assert db_session.scalar(select(OrgUnit.name).where(OrgUnit.code == "K1")) == "甲县（新名）"
    assert db_session.scalar(select(OrgUnit).where(OrgUnit.code == "K1T2")) is not None  # kept, not deleted
    assert db_session.scalar(select(AuditEvent.detail).where(AuditEvent.action == "upload_tree"))["added"] == 1


def test_a_tampered_preview_is_refused(login_as, campaign):
    url = f"/office/admin/campaigns/{campaign.id}/tree/apply"
    response = login_as("admin").post(url, data={"token": ""})
    assert response.status_code == 400 and "请重新上传文件" in response.get_data(as_text=True)


def test_the_demo_tree_downloaded_and_uploaded_unchanged_changes_nothing(clean_app, db_session):
    demo = Path(__file__).resolve().parents[2] / "demo" / "hechi-2026.yaml"
    summary = import_campaign(db_session, read_campaign_file(demo))
    create_user(db_session, NewAccount("office", PASSWORD, "admin"))
    client = clean_app.test_client()
    login(client, "office")
    data = client.get(f"/office/admin/campaigns/{summary.campaign_id}/tree-template.xlsx").data
    assert len(sheet_rows(data)) == 1 + 11 + 139 + 83  # the city, counties, townships, city units
    response = client.post(f"/office/admin/campaigns/{summary.campaign_id}/tree/preview",
                           data={"file": (io.BytesIO(data), "tree.xlsx")})
    assert response.status_code == 200 and "完全相同" in response.get_data(as_text=True)
