"""A campaign (one evaluation round), its questionnaires and its per-unit response targets."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from questionnaire.extensions import db
from questionnaire.kernel.sqltypes import JSONDoc, UTCDateTime, utcnow


class Campaign(db.Model):
    __tablename__ = "campaigns"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(sa.String(64), unique=True)
    title: Mapped[str] = mapped_column(sa.String(200))
    year: Mapped[int]
    round: Mapped[str] = mapped_column(sa.String(16), default="annual")  # mid_year / year_end / annual
    target_responses: Mapped[int] = mapped_column(default=0)
    opens_at: Mapped[datetime] = mapped_column(UTCDateTime())
    closes_at: Mapped[datetime] = mapped_column(UTCDateTime())
    # How often one resident may answer (campaigns.answer_scope). The server default is the
    # rule every campaign had before the setting existed; a campaign file states it (its
    # default: once per questionnaire).
    answer_scope: Mapped[str] = mapped_column(sa.String(16), server_default="campaign")
    # Shown to residents so a survey reads as the government's and not a scam.
    organizer: Mapped[str] = mapped_column(sa.String(200), server_default="")  # 主办单位
    hotline: Mapped[str] = mapped_column(sa.String(40), server_default="")  # 咨询电话
    # Tunables for anti-fraud flags and similar per-campaign policy (JSON, validated on import).
    settings: Mapped[dict] = mapped_column(JSONDoc, default=dict)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    questionnaires = relationship("Questionnaire", back_populates="campaign", order_by="Questionnaire.id")


class Questionnaire(db.Model):
    """A versioned questionnaire; `definition` holds the validated question list."""

    __tablename__ = "questionnaires"

    id: Mapped[int] = mapped_column(primary_key=True)
    campaign_id: Mapped[int] = mapped_column(sa.ForeignKey("campaigns.id"), index=True)
    key: Mapped[str] = mapped_column(sa.String(64))
    title: Mapped[str] = mapped_column(sa.String(200))
    version: Mapped[int] = mapped_column(default=1)
    definition: Mapped[dict] = mapped_column(JSONDoc)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    campaign = relationship("Campaign", back_populates="questionnaires")

    __table_args__ = (sa.UniqueConstraint("campaign_id", "key"),)


class UnitTarget(db.Model):
    __tablename__ = "unit_targets"

    campaign_id: Mapped[int] = mapped_column(sa.ForeignKey("campaigns.id"), primary_key=True)
    unit_id: Mapped[int] = mapped_column(sa.ForeignKey("org_units.id"), primary_key=True)
    target: Mapped[int]

    __table_args__ = (sa.CheckConstraint("target > 0", name="positive"),)
