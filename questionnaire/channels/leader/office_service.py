"""What the office pages read: raters, invitations (with printable links) and return progress."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session, joinedload

from questionnaire.campaigns.models import Campaign
from questionnaire.channels.leader import matrix, tokens
from questionnaire.channels.leader.ballots import leader_settings, ratee_lists, seat
from questionnaire.channels.leader.invitation_pdf import InvitationSheet
from questionnaire.channels.leader.models import LeaderInvitation, LeaderRater
from questionnaire.channels.leader.progress import InvitationState, Progress, progress
from questionnaire.kernel.errors import NotInScope


@dataclass(frozen=True)
class InvitationRow:
    invitation_id: int
    rater_name: str
    unit_name: str
    post: str
    category: str
    scope_label: str
    ratee_count: int
    short_code: str
    status: str
    revoked: bool = False


def raters(session: Session, campaign_id: int) -> list[LeaderRater]:
    return list(session.scalars(select(LeaderRater).options(joinedload(LeaderRater.unit), joinedload(
        LeaderRater.invitation)).where(LeaderRater.campaign_id == campaign_id).order_by(LeaderRater.id)))


def _status(invitation: LeaderInvitation | None) -> str:
    if invitation is None:
        return "未发出"
    if invitation.revoked_at:
        return "已作废"
    if invitation.submitted_at:
        return "已提交"
    if invitation.started_at:
        return "评价中"
    return "已打开" if invitation.opened_at else "未打开"


def invitation_rows(session: Session, campaign: Campaign, secret_key: str) -> list[InvitationRow]:
    settings = leader_settings(campaign)
    counties, units = ratee_lists(session)
    rows = []
    everyone = raters(session, campaign.id)
    successors = {r.succeeds_rater_id: r.name for r in everyone if r.succeeds_rater_id}
    predecessors = {r.id: r.name for r in everyone}
    for rater in everyone:
        ratees = matrix.assignments(seat(rater), counties, units, settings.rate_city_units)
        invitation = rater.invitation
        code = tokens.masked(tokens.invitation_token(secret_key, invitation.nonce)) if invitation else ""
        status = _status(invitation)
        if rater.id in successors:
            status += f"（由{successors[rater.id]}接替）"
        if rater.succeeds_rater_id:
            status += f"（接替{predecessors.get(rater.succeeds_rater_id, '')}）"
        rows.append(InvitationRow(invitation.id if invitation else 0, rater.name, rater.unit.name, rater.post,
                                  rater.category, matrix.SCOPE_LABELS[rater.scope], len(ratees), code,
                                  status, bool(invitation and invitation.revoked_at)))
    return rows


def invitation_sheets(session: Session, campaign: Campaign, secret_key: str, base_url: str,
                      invitation_id: int | None = None) -> list[InvitationSheet]:
    """Printable sheets for every rater of the campaign, or for one invitation (NotInScope if unknown)."""
    settings = leader_settings(campaign)
    counties, units = ratee_lists(session)
    sheets = []
    for rater in raters(session, campaign.id):
        invitation = rater.invitation
        if invitation is None or invitation.revoked_at is not None:
            continue  # a revoked invitation is never printed again
        if invitation_id is not None and invitation.id != invitation_id:
            continue
        token = tokens.invitation_token(secret_key, invitation.nonce)
        ratees = matrix.assignments(seat(rater), counties, units, settings.rate_city_units)
        sheets.append(InvitationSheet(campaign.title, rater.name, rater.unit.name, rater.post,
                                      f"{base_url}/l/{token}", settings.deadline, len(ratees)))
    if not sheets:
        raise NotInScope()
    return sheets


def campaign_of_invitation(session: Session, invitation_id: int) -> Campaign:
    invitation = session.get(LeaderInvitation, invitation_id)
    if invitation is None:
        raise NotInScope()
    return session.get(Campaign, invitation.campaign_id)


def return_progress(session: Session, campaign_id: int) -> Progress:
    return progress(
        InvitationState(r.name, r.unit.name, r.category, r.post, r.invitation.opened_at, r.invitation.started_at,
                        r.invitation.submitted_at)
        for r in raters(session, campaign_id) if r.invitation is not None and r.invitation.revoked_at is None)
