"""Rater pages (spec L3, L4, L5's deadline): bind on first opening, one rating per ratee through the
one intake, no self-rating, a forwarded link refused, 已截止 after the deadline."""

from __future__ import annotations

import re
from datetime import datetime, timedelta, timezone

from sqlalchemy import func, select

from questionnaire.accounts.models import AuditEvent
from questionnaire.campaigns.models import Campaign
from questionnaire.channels.leader.models import LeaderInvitation
from questionnaire.extensions import db
from questionnaire.intake.models import Response
from tests.channels.leader.conftest import ratings, token_of


def _responses() -> list[Response]:
    return list(db.session.scalars(select(Response).order_by(Response.id)))


def _form_token(page: str) -> str:
    return re.search(r'name="token" value="([^"]+)"', page).group(1)


def _rate(client, token, unit_id, **answers):
    page = client.get(f"/l/{token}/r/{unit_id}").get_data(as_text=True)
    return client.post(f"/l/{token}/r/{unit_id}", data={"token": _form_token(page), **(answers or ratings())})


def test_the_invitation_lists_the_assigned_ratees_without_the_raters_own_unit(client, leader_campaign):
    page = client.get(f"/l/{token_of(client.application, leader_campaign.raters['王局长'])}")
    text = page.get_data(as_text=True)
    assert page.status_code == 200 and "王局长（市教育局）" in text
    assert "甲县" in text and "乙区" in text and "市财政局" in text
    assert re.findall(r'class="ratee-name"[^>]*>([^<]+)<', text) == ["甲县", "乙区", "市财政局"]  # never U1 itself
    township_token = token_of(client.application, leader_campaign.raters["赵主任"])
    township_head = client.application.test_client().get(f"/l/{township_token}")
    names = re.findall(r'class="ratee-name"[^>]*>([^<]+)<', township_head.get_data(as_text=True))
    assert names == ["乙区", "市教育局"]  # not 甲县 (its own county) nor 市财政局 (回避对象)


def test_a_rating_is_stored_once_through_the_one_intake_and_a_retry_returns_the_same(client, leader_campaign):
    units, token = leader_campaign.units, token_of(client.application, leader_campaign.raters["王局长"])
    page = client.get(f"/l/{token}/r/{units['K1'].id}").get_data(as_text=True)
    form = {"token": _form_token(page), **ratings("5", comment="发展势头好")}
    first = client.post(f"/l/{token}/r/{units['K1'].id}", data=form)
    retry = client.post(f"/l/{token}/r/{units['K1'].id}", data=form)
    assert first.status_code == retry.status_code == 303
    assert first.headers["Location"].endswith(f"/r/{units['K2'].id}")  # on to the next ratee
    [row] = _responses()
    assert (row.channel, row.evaluated_unit_id, row.collected_unit_id, row.identity_kind) == (
        "leader", units["K1"].id, units["U1"].id, "leader")
    assert row.answers["overall"] == "5" and row.answers["comment"] == "发展势头好"
    another_form = client.get(f"/l/{token}").get_data(as_text=True)
    assert "已评价 1 / 3" in another_form
    assert db.session.scalar(select(LeaderInvitation.started_at).where(
        LeaderInvitation.rater_id == leader_campaign.raters["王局长"].id)) is not None


def test_a_missing_answer_is_shown_in_chinese_and_nothing_is_stored(client, leader_campaign):
    token = token_of(client.application, leader_campaign.raters["王局长"])
    response = _rate(client, token, leader_campaign.units["K1"].id, **ratings(overall=""))
    assert response.status_code == 422 and "此题为必答题" in response.get_data(as_text=True)
    assert _responses() == []


def test_a_crafted_self_rating_is_refused_stores_nothing_and_is_audited(client, leader_campaign):
    units, token = leader_campaign.units, token_of(client.application, leader_campaign.raters["王局长"])
    valid_page = client.get(f"/l/{token}/r/{units['K1'].id}").get_data(as_text=True)
    # A form token for K1, posted at the rater's own unit U1.
    response = client.post(f"/l/{token}/r/{units['U1'].id}", data={"token": _form_token(valid_page), **ratings()})
    assert response.status_code == 403 and "回避" in response.get_data(as_text=True)
    assert client.get(f"/l/{token}/r/{units['U1'].id}").status_code == 403
    assert _responses() == []
    [event] = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "leader_rating_refused"))
    assert event.detail["ratee_unit_id"] == units["U1"].id


def test_a_forwarded_invitation_is_refused_for_a_second_identity_and_the_first_can_finish(client, leader_campaign):
    token = token_of(client.application, leader_campaign.raters["王局长"])
    assert client.get(f"/l/{token}").status_code == 200  # identity A binds it
    forwarded = client.application.test_client()  # identity B: another phone
    refused = forwarded.get(f"/l/{token}")
    assert refused.status_code == 403 and "该邀请已被使用" in refused.get_data(as_text=True)
    k1 = leader_campaign.units["K1"].id
    form_token = _form_token(client.get(f"/l/{token}/r/{k1}").get_data(as_text=True))
    assert forwarded.post(f"/l/{token}/r/{k1}", data={"token": form_token, **ratings()}).status_code == 403
    assert client.post(f"/l/{token}/r/{k1}", data={"token": form_token, **ratings()}).status_code == 303
    assert len(_responses()) == 1
    assert db.session.scalar(select(func.count()).select_from(AuditEvent)
                             .where(AuditEvent.action == "leader_invitation_reused")) >= 1


def test_submitting_needs_every_ratee_and_then_locks_the_ballot(client, leader_campaign):
    units, token = leader_campaign.units, token_of(client.application, leader_campaign.raters["王局长"])
    submit_token = _form_token(client.get(f"/l/{token}").get_data(as_text=True))
    early = client.post(f"/l/{token}/submit", data={"token": submit_token})
    assert early.status_code == 422 and "还有 3 个评价对象未评价" in early.get_data(as_text=True)
    for code in ("K1", "K2", "U2"):
        assert _rate(client, token, units[code].id, **ratings("dk")).status_code == 303
    done = client.post(f"/l/{token}/submit", data={"token": submit_token})
    assert done.status_code == 200 and "共评价 3 个单位" in done.get_data(as_text=True)
    assert "您已于" in client.get(f"/l/{token}").get_data(as_text=True)
    late = client.post(f"/l/{token}/r/{units['K1'].id}", data={"token": submit_token, **ratings()})
    assert late.status_code == 409 and "您已提交评价，不能再修改" in late.get_data(as_text=True)
    assert len(_responses()) == 3


def test_after_the_deadline_the_invitation_shows_closed_and_stores_nothing(client, leader_campaign):
    token = token_of(client.application, leader_campaign.raters["王局长"])
    form_page = client.get(f"/l/{token}/r/{leader_campaign.units['K1'].id}").get_data(as_text=True)
    campaign = db.session.get(Campaign, leader_campaign.id)
    past = (datetime.now(timezone.utc) - timedelta(minutes=1)).isoformat()
    campaign.settings = {**campaign.settings, "leader": {**campaign.settings["leader"], "deadline": past}}
    db.session.commit()
    closed = client.get(f"/l/{token}")
    assert closed.status_code == 410 and "已截止" in closed.get_data(as_text=True)
    late = client.post(f"/l/{token}/r/{leader_campaign.units['K1'].id}",
                       data={"token": _form_token(form_page), **ratings()})
    assert late.status_code == 410 and _responses() == []


def test_an_unknown_or_malformed_token_is_a_clear_404(client, leader_campaign):
    for token in ("a" * 20, "not-a-token", "x" * 300):
        response = client.get(f"/l/{token}")
        assert response.status_code == 404 and "邀请链接无效" in response.get_data(as_text=True)
