"""Where answers come in: collection points, stored answer sheets (答卷), and the tally outbox.

Narrow response rows: answers live in one JSON column."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from questionnaire.campaigns.models import Campaign, Questionnaire
from questionnaire.extensions import db
from questionnaire.intake.channels import CHANNELS
from questionnaire.kernel.sqltypes import BigIntPK, JSONDoc, UTCDateTime, utcnow
from questionnaire.org.models import OrgUnit


class Response(db.Model):
    __tablename__ = "responses"

    id: Mapped[int] = mapped_column(BigIntPK, primary_key=True)
    # The collection point is the answer's one foreign key; channel, campaign, questionnaire and
    # the two units are copies of the point's, written by the submit path for grouping without a
    # join (a foreign key each cost a parent-row lock per insert; migration 0005).
    collection_point_id: Mapped[int] = mapped_column(sa.ForeignKey("collection_points.id"))
    channel: Mapped[str] = mapped_column(sa.String(16))  # see intake.channels
    campaign_id: Mapped[int]
    questionnaire_id: Mapped[int]
    questionnaire_version: Mapped[int]
    evaluated_unit_id: Mapped[int]  # the county or city unit this answer evaluates
    collected_unit_id: Mapped[int]  # where it was collected: poster's unit, rater's unit, frame's unit
    # Keyed HMAC of the participant identity (never the openid or device id itself).
    participant_hash: Mapped[str] = mapped_column(sa.String(64))
    identity_kind: Mapped[str] = mapped_column(sa.String(16))  # wechat / device / (channel-specific)
    # Client idempotency key: a retried submit returns the first receipt.
    submission_id: Mapped[str] = mapped_column(sa.String(64), unique=True)
    answers: Mapped[dict] = mapped_column(JSONDoc)  # free text with typed numbers masked (intake.free_text)
    # The free texts as typed, when a number was masked in them: a Fernet token (FIELD_ENCRYPTION_KEY,
    # kept outside the database) of {question id: text}, opened only for an admin, audited.
    free_text_sealed: Mapped[str | None] = mapped_column(sa.Text)
    answers_digest: Mapped[str] = mapped_column(sa.String(64))
    duration_seconds: Mapped[int | None]
    ip_hash: Mapped[str | None] = mapped_column(sa.String(32))
    user_agent_class: Mapped[str | None] = mapped_column(sa.String(32))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    # Anti-fraud flags set by workers (bit set, see questionnaire.tallies.flag_rules); 0 = clean.
    # Whether a response is counted yet is not kept here: see TallyPending.
    flags: Mapped[int] = mapped_column(default=0, server_default="0")

    __table_args__ = (
        # The truth for "one answer per person per campaign", whatever Redis says.
        sa.UniqueConstraint("campaign_id", "participant_hash"),
        # Burst flags count rows per IP hash / collection point and time window (migration 0003).
        sa.Index("ix_responses_campaign_ip_created", "campaign_id", "ip_hash", "created_at"),
        sa.Index("ix_responses_point_created", "collection_point_id", "created_at"),
        # Newest-first reads per campaign and per collection point (suggestions; migration 0004).
        sa.Index("ix_responses_campaign_id_id", "campaign_id", "id"),
        sa.Index("ix_responses_collection_point_id_id", "collection_point_id", "id"),
    )


class CollectionPoint(db.Model):
    """Where answers of one channel come in: campaign + channel + questionnaire + the unit they
    evaluate + the unit where they are collected.

    Tallies, dashboard figures, exports and office scope are keyed by collection point, so they
    work per channel and per evaluated unit without knowing any channel. A QR entry point (the
    `qr` channel) is a collection point with a public short `code` (/s/<code>) hung at its
    collected unit; points of other channels need no public code.
    """

    __tablename__ = "collection_points"

    id: Mapped[int] = mapped_column(primary_key=True)
    channel: Mapped[str] = mapped_column(sa.String(16))
    code: Mapped[str | None] = mapped_column(sa.String(16), unique=True)
    campaign_id: Mapped[int] = mapped_column(sa.ForeignKey("campaigns.id"), index=True)
    questionnaire_id: Mapped[int] = mapped_column(sa.ForeignKey("questionnaires.id"))
    evaluated_unit_id: Mapped[int] = mapped_column(sa.ForeignKey("org_units.id"), index=True)
    collected_unit_id: Mapped[int] = mapped_column(sa.ForeignKey("org_units.id"), index=True)
    is_enabled: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    # Classes, not names: a process that imports only this module (a bench check, a job) still
    # has every mapper its relationships need.
    campaign = relationship(Campaign)
    questionnaire = relationship(Questionnaire)
    evaluated_unit = relationship(OrgUnit, foreign_keys=[evaluated_unit_id])
    collected_unit = relationship(OrgUnit, foreign_keys=[collected_unit_id])

    __table_args__ = (
        # One point per channel, questionnaire and (evaluated, collected) pair; named explicitly
        # because the convention's name would pass PostgreSQL's 63-character limit.
        sa.UniqueConstraint("campaign_id", "channel", "questionnaire_id", "evaluated_unit_id", "collected_unit_id",
                            name="uq_collection_points_pair"),
        sa.CheckConstraint(f"channel IN {CHANNELS!r}", name="channel"),
    )


class TallyPending(db.Model):
    """Responses stored but not yet counted: the tally worker's queue.

    The submit path writes a row here in the same statement that stores the response, and
    the worker deletes the rows it counts in the transaction that counts them; a response
    is counted exactly when it has no row here. Rows that commit out of id order are simply
    still here at the next run. Keeping this outside `responses` means a response row is
    written once and updated only when an anti-fraud flag is set on it (a minority; see
    tallies/flags.py). Marking each one counted rewrote every row and all its index entries
    once more, and on a table of a million rows the claim's plan degraded to a full scan
    (measured: 600 ms a batch at 320 k rows, the load benchmark's rate halved).
    """

    __tablename__ = "tally_pending"

    campaign_id: Mapped[int] = mapped_column(primary_key=True)
    response_id: Mapped[int] = mapped_column(sa.BigInteger, primary_key=True)
