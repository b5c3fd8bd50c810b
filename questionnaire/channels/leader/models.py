"""The leader channel's own tables: the rater roster and one invitation per rater.

Ratings are not here: each is a `responses` row on a `leader` collection point (evaluated unit =
the ratee, collected unit = the rater's unit), stored through the one intake.
"""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from questionnaire.channels.leader.matrix import SCOPES
from questionnaire.extensions import db
from questionnaire.kernel.sqltypes import JSONDoc, UTCDateTime, utcnow
from questionnaire.org.models import OrgUnit


class LeaderRater(db.Model):
    """One person on the office's roster for one campaign."""

    __tablename__ = "leader_raters"

    id: Mapped[int] = mapped_column(primary_key=True)
    campaign_id: Mapped[int] = mapped_column(sa.ForeignKey("campaigns.id"), index=True)
    name: Mapped[str] = mapped_column(sa.String(60))
    unit_id: Mapped[int] = mapped_column(sa.ForeignKey("org_units.id"))
    post: Mapped[str] = mapped_column(sa.String(100), default="")
    category: Mapped[str] = mapped_column(sa.String(20))  # 主要领导 / 绩效考评负责人 / 其他
    scope: Mapped[str] = mapped_column(sa.String(16))  # see matrix.SCOPES
    # Extra units this rater must not rate (回避对象), on top of their own unit and county.
    avoid_unit_ids: Mapped[list] = mapped_column(JSONDoc, default=list)
    # The rater this one took over from when the leader changed mid-campaign (lifecycle.replace).
    succeeds_rater_id: Mapped[int | None] = mapped_column(sa.ForeignKey("leader_raters.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    unit = relationship(OrgUnit)
    invitation = relationship("LeaderInvitation", back_populates="rater", uselist=False)

    __table_args__ = (
        sa.UniqueConstraint("campaign_id", "name", "unit_id"),
        sa.CheckConstraint(f"scope IN {SCOPES!r}", name="scope"),
    )


class LeaderInvitation(db.Model):
    """A rater's personal link. The token is derived from the server key and `nonce`
    (channels.leader.tokens) and never stored; `token_digest` finds the row."""

    __tablename__ = "leader_invitations"

    id: Mapped[int] = mapped_column(primary_key=True)
    campaign_id: Mapped[int] = mapped_column(sa.ForeignKey("campaigns.id"), index=True)
    rater_id: Mapped[int] = mapped_column(sa.ForeignKey("leader_raters.id"), unique=True)
    nonce: Mapped[str] = mapped_column(sa.String(32))
    token_digest: Mapped[str] = mapped_column(sa.String(64), unique=True)
    # Keyed HMAC of the WeChat (or device) identity that opened it first; None until opened.
    bound_identity: Mapped[str | None] = mapped_column(sa.String(64))
    opened_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    started_at: Mapped[datetime | None] = mapped_column(UTCDateTime())  # first rating stored
    submitted_at: Mapped[datetime | None] = mapped_column(UTCDateTime())  # 提交: the form is locked
    # Revoked (the leader changed): the link stops working and its unfinished ratings are void.
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # Ballot round, raised when the office reopens a locked ballot: the round is part of each
    # rating's participant (ballots.rating_identity), so the earlier round's ratings (voided) do
    # not block the new ones and one counted rating per rater and ratee still holds.
    round: Mapped[int] = mapped_column(default=0, server_default="0")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    rater = relationship("LeaderRater", back_populates="invitation")


class LeaderPaperForm(db.Model):
    """One rater's paper form for one ratee, keyed in twice by two different office staff.

    Items the two entries disagree on are 待核对 until an admin resolves them; only then is the
    form stored as a rating (channel leader_paper, same participant as the online rating, so
    whichever comes first counts and the other is shown as a duplicate).
    """

    __tablename__ = "leader_paper_forms"

    id: Mapped[int] = mapped_column(primary_key=True)
    campaign_id: Mapped[int] = mapped_column(sa.ForeignKey("campaigns.id"), index=True)
    invitation_id: Mapped[int] = mapped_column(sa.ForeignKey("leader_invitations.id"))
    ratee_unit_id: Mapped[int] = mapped_column(sa.ForeignKey("org_units.id"))
    first_clerk_id: Mapped[int] = mapped_column(sa.ForeignKey("office_users.id"))
    first_entry: Mapped[dict] = mapped_column(JSONDoc)
    second_clerk_id: Mapped[int | None] = mapped_column(sa.ForeignKey("office_users.id"))
    second_entry: Mapped[dict | None] = mapped_column(JSONDoc)
    resolved: Mapped[dict] = mapped_column(JSONDoc, default=dict)  # item -> value chosen by an admin
    status: Mapped[str] = mapped_column(sa.String(16))  # see paper.STATUSES
    response_id: Mapped[int | None] = mapped_column(sa.BigInteger)
    round: Mapped[int] = mapped_column(default=0, server_default="0")  # the invitation's ballot round
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    __table_args__ = (sa.UniqueConstraint("invitation_id", "ratee_unit_id", "round"),)
