"""An invitation's life (spec 3.5): a leader changed mid-campaign (the old link stops working, the
unfinished draft is discarded, the successor is invited) and a locked ballot reopened with a
written reason (audited). Ratings leave the tallies exactly: both backends."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from questionnaire.accounts.models import AuditEvent
from questionnaire.channels.leader.models import LeaderInvitation, LeaderRater
from questionnaire.extensions import db
from questionnaire.intake.models import Response
from questionnaire.tallies import counting
from questionnaire.tallies.flag_rules import VOID
from questionnaire.tallies.models import TallyEntry
from tests.channels.leader.conftest import leader_campaign, ratings, token_of  # noqa: F401 - fixture

pytestmark = pytest.mark.both_backends


def _form_token(page: str) -> str:
    return re.search(r'name="token" value="([^"]+)"', page).group(1)


def _rate(client, token, unit_id, **answers):
    page = client.get(f"/l/{token}/r/{unit_id}").get_data(as_text=True)
    return client.post(f"/l/{token}/r/{unit_id}", data={"token": _form_token(page), **(answers or ratings())})


def _submit(client, token):
    return client.post(f"/l/{token}/submit", data={"token": _form_token(client.get(f"/l/{token}").get_data(
        as_text=True))})


def _counted(campaign_id: int) -> int:
    counting.apply_pending(db.engine, campaign_id)
    return int(sum(db.session.scalars(select(TallyEntry.responses).where(TallyEntry.campaign_id == campaign_id))))


def _events(action: str) -> list[dict]:
    return list(db.session.scalars(select(AuditEvent.detail).where(AuditEvent.action == action)))


def test_a_leader_changed_mid_campaign_loses_the_link_and_the_draft_and_the_successor_is_invited(
        login_as, leader_campaign, clean_app):
    old = leader_campaign.raters["王局长"]
    units, old_token = leader_campaign.units, token_of(clean_app, old)
    rater = clean_app.test_client()
    assert _rate(rater, old_token, units["K1"].id).status_code == 303  # a draft: one of three, not submitted
    assert _counted(leader_campaign.id) == 1

    admin = login_as("admin")
    replaced = admin.post(f"/office/leader/invitations/{old.invitation.id}/replace",
                          data={"successor_name": "张局长", "successor_post": "局长", "reason": "工作调动"})
    assert replaced.status_code == 302
    gone = rater.get(f"/l/{old_token}")
    assert gone.status_code == 410 and "该邀请已作废" in gone.get_data(as_text=True)
    [draft] = db.session.scalars(select(Response)).all()
    assert draft.flags & VOID and _counted(leader_campaign.id) == 0
    assert counting.verify(db.engine, leader_campaign.id) == []

    successor = db.session.scalar(select(LeaderRater).where(LeaderRater.name == "张局长"))
    assert (successor.unit_id, successor.scope, successor.succeeds_rater_id) == (old.unit_id, old.scope, old.id)
    new_token = token_of(clean_app, successor)
    successor_phone = clean_app.test_client()
    assert "已评价 0 / 3" in successor_phone.get(f"/l/{new_token}").get_data(as_text=True)
    assert _rate(successor_phone, new_token, units["K1"].id).status_code == 303
    assert _counted(leader_campaign.id) == 1
    [event] = _events("leader_invitation_revoked")
    assert event["reason"] == "工作调动" and event["ratings_voided"] == 1
    listing = admin.get(f"/office/leader/campaigns/{leader_campaign.id}/invitations").get_data(as_text=True)
    assert "已作废（由张局长接替）" in listing and "接替王局长" in listing
    progress = admin.get(f"/office/leader/campaigns/{leader_campaign.id}/progress").get_data(as_text=True)
    assert "王局长" not in progress and "张局长" in progress  # the seat is counted once, for the successor


def test_a_submitted_ballot_is_not_revoked_and_every_step_needs_its_reason(login_as, leader_campaign, clean_app):
    rater_row = leader_campaign.raters["李局长"]
    token, units = token_of(clean_app, rater_row), leader_campaign.units
    rater = clean_app.test_client()
    admin = login_as("admin")
    url = f"/office/leader/invitations/{rater_row.invitation.id}"
    nameless = admin.post(f"{url}/replace", data={"successor_name": "", "reason": "调动"})
    assert nameless.status_code == 422 and "请填写接任评价人的姓名" in nameless.get_data(as_text=True)
    not_yet = admin.post(f"{url}/reopen", data={"reason": "误操作"})
    assert not_yet.status_code == 409 and "该评价尚未提交" in not_yet.get_data(as_text=True)
    for code in ("K1", "K2"):
        _rate(rater, token, units[code].id)
    assert _submit(rater, token).status_code == 200
    refused = admin.post(f"{url}/replace", data={"successor_name": "钱局长", "reason": "调动"})
    assert refused.status_code == 409 and "已提交评价，不能作废" in refused.get_data(as_text=True)
    reasonless = admin.post(f"{url}/reopen", data={"reason": "  "})
    assert reasonless.status_code == 422 and "请填写原因" in reasonless.get_data(as_text=True)
    assert db.session.scalar(select(LeaderRater).where(LeaderRater.name == "钱局长")) is None
    db.session.expire_all()
    invitation = db.session.get(LeaderInvitation, rater_row.invitation.id)
    assert invitation.submitted_at is not None and invitation.round == 0 and _counted(leader_campaign.id) == 2


def test_a_reopened_ballot_voids_its_ratings_and_the_rater_rates_again_once_each(login_as, leader_campaign,
                                                                                  clean_app):
    rater_row = leader_campaign.raters["李局长"]
    token, units = token_of(clean_app, rater_row), leader_campaign.units
    rater = clean_app.test_client()
    for code in ("K1", "K2"):
        _rate(rater, token, units[code].id, **ratings("2"))
    _submit(rater, token)
    assert _counted(leader_campaign.id) == 2

    admin = login_as("admin")
    reopened = admin.post(f"/office/leader/invitations/{rater_row.invitation.id}/reopen",
                          data={"reason": "评价人反映误选了等级"})
    assert reopened.status_code == 302
    assert _counted(leader_campaign.id) == 0 and counting.verify(db.engine, leader_campaign.id) == []
    ballot = rater.get(f"/l/{token}").get_data(as_text=True)  # the same link, the same bound phone
    assert "已评价 0 / 2" in ballot and "您已于" not in ballot
    for code in ("K1", "K2"):
        assert _rate(rater, token, units[code].id, **ratings("5")).status_code == 303
    # Rated in this round: the form sends the rater back to the list.
    assert rater.get(f"/l/{token}/r/{units['K1'].id}").status_code == 302
    assert _submit(rater, token).status_code == 200
    assert _counted(leader_campaign.id) == 2 and counting.verify(db.engine, leader_campaign.id) == []
    counted = [r.answers["overall"] for r in db.session.scalars(select(Response)) if not r.flags & VOID]
    assert counted == ["5", "5"]
    [event] = _events("leader_ballot_reopened")
    assert event == {"campaign_id": leader_campaign.id, "reason": "评价人反映误选了等级", "ratings_voided": 2,
                     "round": 1}
