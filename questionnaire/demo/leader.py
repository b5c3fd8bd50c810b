"""Demo leader evaluation: 40 heads of city units invited, 25 of them have rated every county.

Ratings go the way a rater's do (ballots.rate through the one intake), with a made-up identity per
rater, so the dashboard's 领导评价 channel, the progress page and the exports show real data.
"""

from __future__ import annotations

import random
import uuid
from datetime import datetime, timezone

from sqlalchemy import select
from sqlalchemy.orm import Session

from questionnaire.channels.leader import ballots, tokens
from questionnaire.channels.leader.models import LeaderInvitation, LeaderRater
from questionnaire.channels.leader.roster_service import import_roster
from questionnaire.intake.submissions import SubmissionStore
from questionnaire.org.models import OrgUnit

RATERS = 40
SUBMITTED = 25
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡"
LEVELS = ("5", "5", "4", "4", "4", "3", "2", "dk")


def _roster_csv(session: Session) -> bytes:
    units = session.scalars(select(OrgUnit.name).where(OrgUnit.kind == "city_unit")
                            .order_by(OrgUnit.sort_order).limit(RATERS)).all()
    lines = ["姓名,所在单位,职务,评价人类别,评价范围"]
    lines += [f"{SURNAMES[i % len(SURNAMES)]}局长,{unit},主要负责人,主要领导,县区" for i, unit in enumerate(units)]
    return ("\n".join(lines) + "\n").encode()


def seed_leader_evaluation(session: Session, store: SubmissionStore, campaign_id: int, hmac_key: str,
                           secret_key: str, seed: int = 2026) -> tuple[int, int]:
    """Import the demo roster and rate for the first raters (idempotent); returns (invited, submitted)."""
    result = import_roster(session, campaign_id, _roster_csv(session), "demo.csv", hmac_key, secret_key)
    if not result.written:
        raise ValueError(f"demo roster refused: {result.check.problems[:3]}")
    rng = random.Random(seed)
    invitations = session.scalars(select(LeaderInvitation).where(LeaderInvitation.campaign_id == campaign_id)
                                  .order_by(LeaderInvitation.id)).all()
    now = datetime.now(timezone.utc)
    for invitation in invitations[:SUBMITTED]:
        if invitation.submitted_at is not None:
            continue
        token = tokens.invitation_token(secret_key, invitation.nonce)
        ballot = ballots.load_ballot(session, hmac_key, token)
        identity = f"demo-rater-{invitation.id}"
        for ratee in ballot.remaining:
            bias = rng.choice(LEVELS)
            answers = {q: (bias if rng.random() < 0.6 else rng.choice(LEVELS))
                       for q in ("development", "delivery", "livelihood", "ecology", "style", "overall")}
            ballots.rate(session, store, ballot, identity, ratee.id, str(uuid.uuid4()), answers, now,
                         duration_seconds=rng.randint(30, 120))
        ballots.submit_ballot(session, ballot, identity, now)
    submitted = sum(1 for i in invitations if i.submitted_at is not None)
    return len(invitations), submitted


def demo_invitation_link(session: Session, secret_key: str, base_url: str) -> str | None:
    """A link of an invitation nobody has opened yet (for `flask links`)."""
    invitation = session.scalar(select(LeaderInvitation).join(LeaderRater)
                                .where(LeaderInvitation.bound_identity.is_(None)).order_by(LeaderInvitation.id))
    if invitation is None:
        return None
    return f"{base_url}/l/{tokens.invitation_token(secret_key, invitation.nonce)}"
