"""Office pages a clerk meets: the office's own refusal page, the favicon, flagged responses
left out by default on both the dashboard and the export form, hidden flagged suggestions named."""

from __future__ import annotations

from questionnaire.extensions import db
from questionnaire.tallies import counting as tallies


def test_a_refusal_inside_the_office_keeps_the_office_menu_and_wording(login_as, campaign):
    page = login_as("k2").get(f"/office/entries/{99999}/qr.png")
    html = page.get_data(as_text=True)
    assert page.status_code == 404
    assert "未找到该内容" in html and "退出登录" in html and "入口与海报" in html
    assert "请确认链接或二维码是否正确" not in html


def test_a_resident_still_gets_the_resident_404(client):
    html = client.get("/s/nosuchcode").get_data(as_text=True)
    assert "退出登录" not in html


def test_the_favicon_is_served(client):
    response = client.get("/favicon.ico")
    assert response.status_code == 200 and response.mimetype == "image/vnd.microsoft.icon"


def test_export_and_dashboard_both_leave_flagged_responses_out_by_default(login_as, campaign):
    client = login_as("admin")
    form = client.get(f"/office/exports?campaign={campaign.id}").get_data(as_text=True)
    assert 'name="include_flagged" value="1" >' in form  # offered, not ticked
    assert "默认不含标记答卷" in form
    dash = client.get(f"/dashboard/campaigns/{campaign.id}").get_data(as_text=True)
    assert "当前数字不含标记答卷" in dash


def test_flagged_suggestions_are_announced_when_none_other_exist(login_as, campaign, submit):
    submit("K1", duration=3, suggestion="路灯坏了")  # answered in 3 s: flagged 答题过快
    tallies.apply_pending(db.engine, campaign.id)
    html = login_as("admin").get(f"/dashboard/campaigns/{campaign.id}").get_data(as_text=True)
    assert "另有 1 条意见建议来自标记答卷" in html and "不含标记答卷时暂无意见建议" in html
    html = login_as("admin").get(f"/dashboard/campaigns/{campaign.id}?flagged=1").get_data(as_text=True)
    assert "路灯坏了" in html and "另有" not in html
