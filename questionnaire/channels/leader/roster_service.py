"""Import a checked roster: raters and their invitations in one transaction (this service commits).

Nothing is written unless every row is clean. Re-importing the same roster is idempotent: a
rater is keyed by (campaign, 姓名, 单位); their post, category, scope and 回避对象 are updated and
their invitation (and its link) stays the same.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from questionnaire.channels.leader import tokens
from questionnaire.channels.leader.models import LeaderInvitation, LeaderRater
from questionnaire.channels.leader.roster import RosterCheck, check_rows, read_table
from questionnaire.org.models import OrgUnit


@dataclass(frozen=True)
class RosterImport:
    check: RosterCheck
    created: int = 0
    updated: int = 0

    @property
    def written(self) -> bool:
        return self.check.is_clean


def units_by_name(session: Session) -> dict[str, int]:
    """Org units a rater may belong to or avoid, by name and by code (the city itself excluded)."""
    names: dict[str, int] = {}
    for unit_id, code, name in session.execute(
            select(OrgUnit.id, OrgUnit.code, OrgUnit.name).where(OrgUnit.kind != "city")):
        names.setdefault(name, unit_id)
        names.setdefault(code, unit_id)
    return names


def check_file(session: Session, data: bytes, filename: str) -> RosterCheck:
    """Read and check a roster file (raises roster.RosterFileError for an unreadable file)."""
    return check_rows(read_table(data, filename), units_by_name(session))


def import_roster(session: Session, campaign_id: int, data: bytes, filename: str, hmac_key: str,
                  secret_key: str) -> RosterImport:
    check = check_file(session, data, filename)
    if not check.is_clean:
        return RosterImport(check)
    existing = {(r.name, r.unit_id): r for r in session.scalars(
        select(LeaderRater).where(LeaderRater.campaign_id == campaign_id))}
    created = updated = 0
    for row in check.accepted:
        rater = existing.get((row.name, row.unit_id))
        if rater is None:
            rater = LeaderRater(campaign_id=campaign_id, name=row.name, unit_id=row.unit_id)
            session.add(rater)
            created += 1
        else:
            updated += 1
        rater.post, rater.category, rater.scope = row.post, row.category, row.scope
        rater.avoid_unit_ids = list(row.avoid_unit_ids)
    session.flush()
    for rater in session.scalars(select(LeaderRater).where(
            LeaderRater.campaign_id == campaign_id, ~LeaderRater.invitation.has())):
        issue_invitation(session, rater, hmac_key, secret_key)
    session.commit()
    return RosterImport(check, created, updated)


def issue_invitation(session: Session, rater: LeaderRater, hmac_key: str, secret_key: str) -> LeaderInvitation:
    """A fresh invitation for a rater (the caller commits)."""
    nonce = tokens.new_nonce()
    token = tokens.invitation_token(secret_key, nonce)
    invitation = LeaderInvitation(campaign_id=rater.campaign_id, rater_id=rater.id, nonce=nonce,
                                  token_digest=tokens.token_digest(hmac_key, token))
    session.add(invitation)
    return invitation
