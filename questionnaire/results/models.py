"""Scoring schemes (versioned per campaign and evaluated kind), office-entered external figures,
publications of results, and objections to preliminary results."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from questionnaire.extensions import db
from questionnaire.kernel.sqltypes import JSONDoc, UTCDateTime, utcnow

PRELIMINARY, FINAL = "preliminary", "final"
STAGE_LABELS = {PRELIMINARY: "初步结果", FINAL: "最终结果"}


class ScoringScheme(db.Model):
    """One version of a kind's scheme (channel weights, indicator tree, grades, rounds) as JSON.

    Versions are never edited: a change is a new version, with a reason once any version of the
    kind has been published, so every published result names the version it used and older
    versions stay readable.
    """

    __tablename__ = "scoring_schemes"

    id: Mapped[int] = mapped_column(primary_key=True)
    campaign_id: Mapped[int] = mapped_column(sa.ForeignKey("campaigns.id"))
    kind: Mapped[str] = mapped_column(sa.String(16))  # county / city_unit (results.scheme.KINDS)
    version: Mapped[int]
    scheme: Mapped[dict] = mapped_column(JSONDoc)
    reason: Mapped[str] = mapped_column(sa.String(500), default="")
    created_by: Mapped[int | None] = mapped_column(sa.ForeignKey("office_users.id"))  # None: the campaign file
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    __table_args__ = (sa.UniqueConstraint("campaign_id", "kind", "version"),)


class ExternalValue(db.Model):
    """A figure the office enters for one entity (an external indicator), with its source.

    `value` holds one of {"rate": "86.56"} (percent), {"numerator": 541, "denominator": 625}
    (the rate is computed from the counts), {"count": 3} (incidents) or {"met": [...]} (checklist
    items met). Every change is written to the audit log with the old and new figure.
    """

    __tablename__ = "result_external_values"

    id: Mapped[int] = mapped_column(primary_key=True)
    campaign_id: Mapped[int] = mapped_column(sa.ForeignKey("campaigns.id"))
    unit_id: Mapped[int] = mapped_column(sa.ForeignKey("org_units.id"))
    key: Mapped[str] = mapped_column(sa.String(64))
    value: Mapped[dict] = mapped_column(JSONDoc)
    source: Mapped[str] = mapped_column(sa.String(500))
    entered_by: Mapped[int | None] = mapped_column(sa.ForeignKey("office_users.id"))
    entered_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    __table_args__ = (sa.UniqueConstraint("campaign_id", "unit_id", "key"),)


class ResultPublication(db.Model):
    """Results of one kind as published (初步结果 or 最终结果): a frozen copy naming its scheme version."""

    __tablename__ = "result_publications"

    id: Mapped[int] = mapped_column(primary_key=True)
    campaign_id: Mapped[int] = mapped_column(sa.ForeignKey("campaigns.id"))
    kind: Mapped[str] = mapped_column(sa.String(16))
    stage: Mapped[str] = mapped_column(sa.String(16))
    scheme_id: Mapped[int] = mapped_column(sa.ForeignKey("scoring_schemes.id"))
    results: Mapped[dict] = mapped_column(JSONDoc)  # {"entities": [...]} as the results JSON shows them
    objections_until: Mapped[datetime | None] = mapped_column(UTCDateTime())
    published_by: Mapped[int | None] = mapped_column(sa.ForeignKey("office_users.id"))
    published_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    __table_args__ = (sa.CheckConstraint(f"stage IN {(PRELIMINARY, FINAL)!r}", name="stage"),)


class ResultObjection(db.Model):
    """An entity's objection (异议) to its preliminary result, and the office's answer."""

    __tablename__ = "result_objections"

    id: Mapped[int] = mapped_column(primary_key=True)
    publication_id: Mapped[int] = mapped_column(sa.ForeignKey("result_publications.id"), index=True)
    unit_id: Mapped[int] = mapped_column(sa.ForeignKey("org_units.id"))
    text: Mapped[str] = mapped_column(sa.String(2000))
    filed_by: Mapped[int | None] = mapped_column(sa.ForeignKey("office_users.id"))
    filed_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    answer: Mapped[str | None] = mapped_column(sa.String(2000))
    answered_by: Mapped[int | None] = mapped_column(sa.ForeignKey("office_users.id"))
    answered_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
