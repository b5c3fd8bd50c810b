"""An invitation's life after it is issued (this service commits; admin only, every step audited).

* **Leader changed mid-campaign** (channels-spec 3.5): the office revokes the old invitation and
  issues one to the successor, a new rater of the same unit who inherits the seat (category,
  scope, 回避对象). The old link answers 410 "该邀请已作废" from then on. The old rater's unfinished
  draft (ratings stored before 提交, online or on paper) is discarded: those responses stay in
  `responses` for the record and leave the tallies exactly (tallies.void). A submitted ballot is a
  returned questionnaire and is not revoked (reopen it first if it really must go).
* **Reopen a locked ballot** with a written reason: its ratings are voided the same way and the
  ballot's round goes up. The round is part of every rating's participant
  (ballots.rating_identity), so the rater rates every ratee again as new participants while the
  intake still holds exactly one counted rating per rater and ratee.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from questionnaire.accounts.service import add_event
from questionnaire.campaigns.models import Campaign
from questionnaire.channels.leader import ballots
from questionnaire.channels.leader.models import LeaderInvitation, LeaderRater
from questionnaire.channels.leader.roster_service import issue_invitation
from questionnaire.intake.models import Response
from questionnaire.kernel.errors import NotInScope, ServiceError
from questionnaire.tallies.void import void_responses

MAX_REASON = 500


class LifecycleRefused(ServiceError):
    status, code, message = 409, "invitation_state", "该邀请当前状态不允许此操作"


class ReasonRequired(ServiceError):
    status, code, message = 422, "reason_required", "请填写原因（最多 500 字）"


class SuccessorRequired(ServiceError):
    status, code, message = 422, "successor_required", "请填写接任评价人的姓名（最多 60 字）"


def invitation_of(session: Session, invitation_id: int) -> LeaderInvitation:
    invitation = session.get(LeaderInvitation, invitation_id)
    if invitation is None:
        raise NotInScope()
    return invitation


def _reason(raw: str | None) -> str:
    reason = (raw or "").strip()
    if not reason or len(reason) > MAX_REASON:
        raise ReasonRequired()
    return reason


def _void_current_round(session: Session, hmac_key: str, invitation: LeaderInvitation) -> int:
    """Void the invitation's ratings of its current round (online and paper); returns how many."""
    ballot = ballots.ballot_of(session, hmac_key, invitation)
    hashes = ballots.participant_hashes(hmac_key, invitation, ballot.ratees, ballot.campaign,
                                        ballot.questionnaire_id)
    ids = list(session.scalars(select(Response.id).where(Response.campaign_id == invitation.campaign_id,
                                                         Response.participant_hash.in_(hashes))))
    return void_responses(session.connection(), invitation.campaign_id, ids)


def replace_rater(session: Session, hmac_key: str, secret_key: str, invitation_id: int, admin_id: int,
                  successor_name: str, successor_post: str, reason: str, now: datetime) -> LeaderRater:
    """Revoke the invitation, discard its unfinished draft and issue one to the successor."""
    invitation = invitation_of(session, invitation_id)
    reason = _reason(reason)
    name, post = (successor_name or "").strip(), (successor_post or "").strip()[:100]
    if not name or len(name) > 60:
        raise SuccessorRequired()
    if invitation.revoked_at is not None:
        raise LifecycleRefused("该邀请已作废")
    if invitation.submitted_at is not None:
        raise LifecycleRefused("该评价人已提交评价，不能作废；如确需由接任者重新评价，请先重新开放评价")
    old = invitation.rater
    if session.scalar(select(LeaderRater.id).where(LeaderRater.campaign_id == old.campaign_id,
                                                   LeaderRater.name == name, LeaderRater.unit_id == old.unit_id)):
        raise LifecycleRefused(f"名单中已有{old.unit.name}的「{name}」")
    voided = _void_current_round(session, hmac_key, invitation)
    invitation.revoked_at = now
    successor = LeaderRater(campaign_id=old.campaign_id, name=name, unit_id=old.unit_id, post=post or old.post,
                            category=old.category, scope=old.scope, avoid_unit_ids=list(old.avoid_unit_ids or ()),
                            succeeds_rater_id=old.id)
    session.add(successor)
    session.flush()
    new_invitation = issue_invitation(session, successor, hmac_key, secret_key)
    session.flush()
    add_event(session, admin_id, "leader_invitation_revoked", f"leader_invitation:{invitation.id}",
              {"campaign_id": invitation.campaign_id, "reason": reason, "ratings_voided": voided,
               "successor_rater_id": successor.id, "successor_invitation_id": new_invitation.id}, now=now)
    session.commit()
    return successor


def reopen_ballot(session: Session, hmac_key: str, invitation_id: int, admin_id: int, reason: str,
                  now: datetime) -> int:
    """Unlock a submitted ballot for a new round of ratings (its ratings are voided); returns them."""
    invitation = invitation_of(session, invitation_id)
    reason = _reason(reason)
    if invitation.revoked_at is not None:
        raise LifecycleRefused("该邀请已作废")
    if invitation.submitted_at is None:
        raise LifecycleRefused("该评价尚未提交，无需重新开放")
    if ballots.leader_settings(session.get(Campaign, invitation.campaign_id)).is_past_deadline(now):
        raise LifecycleRefused("评价已截止，不能重新开放（如需延长，请先修改活动配置中的截止时间）")
    voided = _void_current_round(session, hmac_key, invitation)
    previous = invitation.round
    invitation.round, invitation.submitted_at, invitation.started_at = previous + 1, None, None
    add_event(session, admin_id, "leader_ballot_reopened", f"leader_invitation:{invitation.id}",
              {"campaign_id": invitation.campaign_id, "reason": reason, "ratings_voided": voided,
               "round": invitation.round}, now=now)
    session.commit()
    return voided
