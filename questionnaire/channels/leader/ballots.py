"""A rater's ballot: their invitation, their ratees and which of them they have rated.

Each rating is one response through the one intake (SubmissionStore) on the `leader` collection
point (ratee, rater's unit). Its participant is the pair (invitation, ratee), so the intake's
"one answer per participant per campaign" is exactly "one rating per rater and ratee", and a
retried submit returns the first receipt. Services here commit; views stay thin.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from questionnaire.accounts.service import record_event
from questionnaire.campaigns import answer_scope
from questionnaire.campaigns.models import Campaign, Questionnaire
from questionnaire.channels.leader import matrix, tokens
from questionnaire.channels.leader.campaign_settings import LeaderSettings, from_campaign_settings
from questionnaire.channels.leader.errors import (
    AlreadySubmitted,
    Incomplete,
    InvitationClosed,
    InvitationNotFound,
    InvitationRevoked,
    InvitationTaken,
    NoLeaderEvaluation,
    NotAssigned,
)
from questionnaire.channels.leader.models import LeaderInvitation, LeaderRater
from questionnaire.intake.channels import LEADER
from questionnaire.intake.identity import participant_hash
from questionnaire.intake.models import CollectionPoint, Response
from questionnaire.intake.points import ResolvedEntry, load_point
from questionnaire.intake.submissions import Participant, Receipt, Submission, SubmissionStore
from questionnaire.org.models import OrgUnit

IDENTITY_KIND = "leader"


@dataclass
class Ballot:
    invitation: LeaderInvitation
    rater: LeaderRater
    campaign: Campaign
    settings: LeaderSettings
    questionnaire_id: int
    ratees: list[matrix.Ratee]
    rated: set[int]

    def is_closed(self, now: datetime) -> bool:
        return self.settings.is_past_deadline(now)

    @property
    def remaining(self) -> list[matrix.Ratee]:
        return [r for r in self.ratees if r.id not in self.rated]

    def ratee(self, unit_id: int) -> matrix.Ratee | None:
        return next((r for r in self.ratees if r.id == unit_id), None)


def leader_settings(campaign: Campaign) -> LeaderSettings:
    settings = from_campaign_settings(campaign.settings)
    if settings is None:
        raise NoLeaderEvaluation()
    return settings


def leader_questionnaire_id(session: Session, campaign: Campaign, settings: LeaderSettings) -> int:
    qn_id = session.scalar(select(Questionnaire.id).where(
        Questionnaire.campaign_id == campaign.id, Questionnaire.key == settings.questionnaire))
    if qn_id is None:
        raise NoLeaderEvaluation()
    return qn_id


def ratee_lists(session: Session) -> tuple[list[matrix.Ratee], list[matrix.Ratee]]:
    """(counties, city units) in the org list's order."""
    rows = session.execute(select(OrgUnit.id, OrgUnit.name, OrgUnit.kind)
                           .where(OrgUnit.kind.in_(("county", "city_unit")))
                           .order_by(OrgUnit.sort_order, OrgUnit.code)).all()
    counties = [matrix.Ratee(*row) for row in rows if row.kind == "county"]
    return counties, [matrix.Ratee(*row) for row in rows if row.kind == "city_unit"]


def seat(rater: LeaderRater) -> matrix.RaterSeat:
    return matrix.RaterSeat(rater.unit_id, rater.unit.county_id, rater.scope, frozenset(rater.avoid_unit_ids or ()))


def rating_identity(invitation: LeaderInvitation, ratee_id: int) -> str:
    """The participant of one rating: (invitation, ballot round, ratee). Round 0 keeps the key
    ratings had before ballots could be reopened."""
    if not invitation.round:
        return f"invitation:{invitation.id}:ratee:{ratee_id}"
    return f"invitation:{invitation.id}:round:{invitation.round}:ratee:{ratee_id}"


def participant_hashes(hmac_key: str, invitation: LeaderInvitation, ratees: list[matrix.Ratee],
                       campaign: Campaign, questionnaire_id: int) -> dict[str, int]:
    """The participant keys the intake stores this invitation's ratings (current round) under:
    participant hash -> ratee (the campaign's answer scope is part of the key, as in SubmissionStore)."""
    return {participant_hash(hmac_key, invitation.campaign_id, IDENTITY_KIND, rating_identity(invitation, r.id),
                             answer_scope.scope_key(campaign.answer_scope, questionnaire_id, r.id)): r.id
            for r in ratees}


def rated_ratees(session: Session, hmac_key: str, invitation: LeaderInvitation, ratees: list[matrix.Ratee],
                 campaign: Campaign, questionnaire_id: int) -> set[int]:
    """The ratees this invitation has a stored rating of in its current round."""
    by_hash = participant_hashes(hmac_key, invitation, ratees, campaign, questionnaire_id)
    if not by_hash:
        return set()
    found = session.scalars(select(Response.participant_hash).where(
        Response.campaign_id == invitation.campaign_id, Response.participant_hash.in_(list(by_hash))))
    return {by_hash[h] for h in found}


def find_invitation(session: Session, hmac_key: str, token: str) -> LeaderInvitation:
    if not tokens.looks_like_token(token):
        raise InvitationNotFound()
    invitation = session.scalar(select(LeaderInvitation).where(
        LeaderInvitation.token_digest == tokens.token_digest(hmac_key, token)))
    if invitation is None:
        raise InvitationNotFound()
    if invitation.revoked_at is not None:
        raise InvitationRevoked()
    return invitation


def load_ballot(session: Session, hmac_key: str, token: str) -> Ballot:
    return ballot_of(session, hmac_key, find_invitation(session, hmac_key, token))


def ballot_of(session: Session, hmac_key: str, invitation: LeaderInvitation) -> Ballot:
    campaign = session.get(Campaign, invitation.campaign_id)
    settings = leader_settings(campaign)
    counties, units = ratee_lists(session)
    ratees = matrix.assignments(seat(invitation.rater), counties, units, settings.rate_city_units)
    questionnaire_id = leader_questionnaire_id(session, campaign, settings)
    return Ballot(invitation, invitation.rater, campaign, settings, questionnaire_id, ratees,
                  rated_ratees(session, hmac_key, invitation, ratees, campaign, questionnaire_id))


def identity_digest(hmac_key: str, campaign_id: int, participant: Participant) -> str:
    return participant_hash(hmac_key, campaign_id, participant.kind, participant.identity)


def open_ballot(session: Session, ballot: Ballot, identity: str, now: datetime, ip_hash: str | None = None) -> None:
    """Bind the invitation to the first identity that opens it; refuse any other (commits)."""
    if ballot.is_closed(now):
        raise InvitationClosed()
    invitation = ballot.invitation
    if invitation.bound_identity is None:
        invitation.bound_identity, invitation.opened_at = identity, now
        session.commit()
    elif invitation.bound_identity != identity:
        record_event(session, None, "leader_invitation_reused", f"leader_invitation:{invitation.id}",
                     {"campaign_id": invitation.campaign_id}, ip_hash)
        raise InvitationTaken()


def ensure_point(session: Session, ballot: Ballot, ratee_id: int, channel: str = LEADER) -> int:
    """The collection point of `channel` for (ratee, rater's unit), created on first use (commits)."""
    where = (CollectionPoint.campaign_id == ballot.campaign.id, CollectionPoint.channel == channel,
             CollectionPoint.questionnaire_id == ballot.questionnaire_id,
             CollectionPoint.evaluated_unit_id == ratee_id, CollectionPoint.collected_unit_id == ballot.rater.unit_id)
    point_id = session.scalar(select(CollectionPoint.id).where(*where))
    if point_id is not None:
        return point_id
    session.add(CollectionPoint(channel=channel, code=None, campaign_id=ballot.campaign.id,
                                questionnaire_id=ballot.questionnaire_id, evaluated_unit_id=ratee_id,
                                collected_unit_id=ballot.rater.unit_id))
    try:
        session.commit()
    except IntegrityError:  # another rater of the same unit made it a moment ago
        session.rollback()
    return session.scalar(select(CollectionPoint.id).where(*where))


def rating_point(session: Session, ballot: Ballot, ratee_id: int, channel: str = LEADER) -> ResolvedEntry:
    return load_point(session, ensure_point(session, ballot, ratee_id, channel))


def check_can_rate(session: Session, ballot: Ballot, identity: str, ratee_id: int, now: datetime,
                   ip_hash: str | None = None) -> None:
    """Refuse a rating before anything is stored; a ratee outside the assignment is audited."""
    open_ballot(session, ballot, identity, now, ip_hash)
    if ballot.invitation.submitted_at is not None:
        raise AlreadySubmitted()
    if ballot.ratee(ratee_id) is None:
        record_event(session, None, "leader_rating_refused", f"leader_invitation:{ballot.invitation.id}",
                     {"campaign_id": ballot.campaign.id, "ratee_unit_id": ratee_id, "reason": "not_assigned"},
                     ip_hash)
        raise NotAssigned()


def rate(session: Session, store: SubmissionStore, ballot: Ballot, identity: str, ratee_id: int,
         submission_id: str, answers: dict, now: datetime, duration_seconds: int | None = None,
         ip_hash: str | None = None) -> Receipt:
    """Store one rating through the one intake (acknowledged = committed)."""
    check_can_rate(session, ballot, identity, ratee_id, now, ip_hash)
    point = rating_point(session, ballot, ratee_id)
    participant = Participant(IDENTITY_KIND, rating_identity(ballot.invitation, ratee_id))
    # No IP hash on the rating: raters in one office network are not a burst (the audit keeps the IP hash).
    receipt = store.submit(point, Submission(participant, submission_id, answers, duration_seconds), now=now)
    ballot.rated.add(ratee_id)
    if ballot.invitation.started_at is None:
        ballot.invitation.started_at = now
        session.commit()
    return receipt


def submit_ballot(session: Session, ballot: Ballot, identity: str, now: datetime) -> None:
    """提交: lock the ballot once every ratee is rated (commits; submitting twice is a no-op)."""
    open_ballot(session, ballot, identity, now)
    if ballot.invitation.submitted_at is not None:
        return
    if ballot.remaining:
        raise Incomplete(f"还有 {len(ballot.remaining)} 个评价对象未评价，请全部评价后再提交")
    ballot.invitation.submitted_at = now
    session.commit()
