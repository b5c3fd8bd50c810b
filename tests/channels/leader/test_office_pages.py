"""Office pages (spec L1 on the page, L5): roster upload with its report, invitations, PDFs, progress."""

from __future__ import annotations

import io
import re
from datetime import datetime, timedelta, timezone

from sqlalchemy import func, select

from questionnaire.campaigns.models import Campaign
from questionnaire.channels.leader.models import LeaderInvitation, LeaderRater
from questionnaire.channels.leader.progress import InvitationState, percent_text, progress
from questionnaire.extensions import db
from tests.channels.leader.conftest import leader_campaign, roster_csv, token_of  # noqa: F401 - fixture


def _upload(client, campaign_id, data: bytes, name="名单.csv"):
    return client.post(f"/office/leader/campaigns/{campaign_id}/roster",
                       data={"roster": (io.BytesIO(data), name)}, content_type="multipart/form-data")


def test_300_invited_and_297_submitted_is_a_99_00_percent_return_with_three_non_returners():
    now = datetime.now(timezone.utc)
    states = [InvitationState(f"评价人{i}", "市教育局", "主要领导", "", now, now, now if i >= 3 else None)
              for i in range(300)]
    figures = progress(states)
    assert (figures.total.invited, figures.total.submitted) == (300, 297)
    assert percent_text(figures.total.return_rate) == "99.00%"
    assert [s.rater_name for s in figures.not_returned] == ["评价人0", "评价人1", "评价人2"]


def test_a_bad_roster_upload_shows_each_row_and_reason_and_writes_nothing(login_as, campaign, leader_campaign):
    client = login_as("admin")
    before = db.session.scalar(select(func.count()).select_from(LeaderRater))
    bad = roster_csv(("新局长", "市教育局", "局长", "主要领导", "县区", ""),
                     ("新局长", "市教育局", "局长", "主要领导", "县区", ""),
                     ("某主任", "市外星局", "主任", "主要领导", "县区", ""))
    response = _upload(client, leader_campaign.id, bad)
    page = response.get_data(as_text=True)
    assert response.status_code == 422 and "名单未导入：共读取 3 行，1 行无误，2 行有问题" in page
    assert "第 3 行" in page and "与第 2 行重复" in page
    assert "第 4 行" in page and "单位“市外星局”不在单位名单中" in page
    assert db.session.scalar(select(func.count()).select_from(LeaderRater)) == before
    unreadable = _upload(client, leader_campaign.id, b"x", "名单.doc")
    assert unreadable.status_code == 422 and "只支持 .xlsx 或 .csv 文件" in unreadable.get_data(as_text=True)
    assert client.post(f"/office/leader/campaigns/{leader_campaign.id}/roster").status_code == 400


def test_a_clean_roster_upload_imports_and_issues_invitations(login_as, campaign, leader_campaign):
    client = login_as("admin")
    response = _upload(client, leader_campaign.id, roster_csv(("新局长", "市教育局", "局长", "主要领导", "县区", "")))
    assert response.status_code == 302
    assert "新增 1 人" in client.get(response.headers["Location"]).get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(LeaderInvitation)) == 4
    template = client.get("/office/leader/roster-template.xlsx")
    assert template.status_code == 200 and template.data[:2] == b"PK"


def test_the_invitation_list_masks_codes_and_the_pdfs_carry_one_page_per_rater(login_as, campaign, leader_campaign,
                                                                               clean_app):
    client = login_as("admin")
    page = client.get(f"/office/leader/campaigns/{leader_campaign.id}/invitations").get_data(as_text=True)
    token = token_of(clean_app, leader_campaign.raters["王局长"])
    assert f"{token[:4]}****{token[-2:]}" in page and token not in page
    all_pdf = client.get(f"/office/leader/campaigns/{leader_campaign.id}/invitations.pdf")
    assert all_pdf.status_code == 200 and all_pdf.data.startswith(b"%PDF")
    assert len(re.findall(rb"/Type /Page\b", all_pdf.data)) == 3
    one = client.get(f"/office/leader/invitations/{leader_campaign.raters['王局长'].invitation.id}/invitation.pdf")
    assert one.status_code == 200 and len(re.findall(rb"/Type /Page\b", one.data)) == 1
    assert client.get("/office/leader/invitations/9999/invitation.pdf").status_code == 404


def test_progress_page_shows_the_return_rate_non_returners_and_closed_after_the_deadline(
        login_as, campaign, leader_campaign):
    client = login_as("admin")
    raters = list(leader_campaign.raters.values())
    raters[0].invitation.submitted_at = datetime.now(timezone.utc)
    db.session.commit()
    page = client.get(f"/office/leader/campaigns/{leader_campaign.id}/progress").get_data(as_text=True)
    assert "回收率 <strong>33.33%</strong>" in page and "未提交名单（2 人）" in page and "进行中" in page
    campaign_row = db.session.get(Campaign, leader_campaign.id)
    past = (datetime.now(timezone.utc) - timedelta(hours=1)).isoformat()
    campaign_row.settings = {**campaign_row.settings, "leader": {**campaign_row.settings["leader"], "deadline": past}}
    db.session.commit()
    assert "已截止" in client.get(f"/office/leader/campaigns/{leader_campaign.id}/progress").get_data(as_text=True)
    assert client.get("/office/leader/").status_code == 302


def test_the_demo_seeds_raters_invitations_and_leader_ratings_and_prints_an_invitation(runner, db_session):
    from questionnaire.dashboard import figures
    from questionnaire.org.scope import Scope

    result = runner.invoke(args=["seed-demo"])
    assert result.exit_code == 0, result.output
    assert "demo leader evaluation invited=40 submitted=25" in result.output
    campaign_id = db_session.scalar(select(Campaign.id))
    data = figures.load(db_session, campaign_id, Scope(role="admin"), True, "leader")
    assert sum(data.responses.values()) == 25 * 11  # every submitted rater rated the 11 counties
    assert again_is_a_no_op(runner)
    links = runner.invoke(args=["links"]).output
    token = re.search(r"leader invite: \S+/l/([a-z2-7]{20})", links).group(1)
    assert runner.app.test_client().get(f"/l/{token}").status_code == 200


def again_is_a_no_op(runner) -> bool:
    return "invited=40 submitted=25" in runner.invoke(args=["seed-demo"]).output
