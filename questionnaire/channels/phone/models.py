"""Phone interviews: sample frames and their numbers, the draw, cases and call attempts.

A number is stored only as a Fernet token (`phone_cipher`) and a keyed HMAC (`phone_hmac`,
for duplicates); see kernel/personal_data.py. A completed interview is an ordinary response
stored through the one intake on the entity's `phone` collection point; the case keeps its id.
"""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from questionnaire.accounts.models import OfficeUser
from questionnaire.campaigns.models import Campaign
from questionnaire.extensions import db
from questionnaire.intake.models import CollectionPoint
from questionnaire.kernel.sqltypes import BigIntPK, JSONDoc, UTCDateTime, utcnow
from questionnaire.org.models import OrgUnit

FRAME_STATUSES = ("draft", "locked")
CASE_STATUSES = ("fresh", "retry", "appointment", "working", "hold", "final")
CASE_KINDS = ("interview", "callback")


class SampleFrame(db.Model):
    """One entity's sample frame (样本框) in a campaign: replaced by a re-upload until locked."""

    __tablename__ = "phone_frames"

    id: Mapped[int] = mapped_column(primary_key=True)
    campaign_id: Mapped[int] = mapped_column(sa.ForeignKey("campaigns.id"))
    org_unit_id: Mapped[int] = mapped_column(sa.ForeignKey("org_units.id"))  # the evaluated entity
    status: Mapped[str] = mapped_column(sa.String(16), default="draft")
    filename: Mapped[str] = mapped_column(sa.String(200), default="")
    file_sha256: Mapped[str] = mapped_column(sa.String(64))
    rows_total: Mapped[int] = mapped_column(default=0)
    rows_valid: Mapped[int] = mapped_column(default=0)  # distinct valid numbers kept
    rows_invalid: Mapped[int] = mapped_column(default=0)
    duplicates: Mapped[int] = mapped_column(default=0)  # repeats removed within the frame
    uploaded_by: Mapped[int | None] = mapped_column(sa.ForeignKey("office_users.id"))
    uploaded_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    locked_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    campaign = relationship(Campaign)
    org_unit = relationship(OrgUnit)

    __table_args__ = (
        sa.UniqueConstraint("campaign_id", "org_unit_id"),
        sa.CheckConstraint(f"status IN {FRAME_STATUSES!r}", name="status"),
    )


class FrameNumber(db.Model):
    """A distinct valid number of a frame (duplicates within the frame are kept once)."""

    __tablename__ = "phone_frame_numbers"

    id: Mapped[int] = mapped_column(BigIntPK, primary_key=True)
    frame_id: Mapped[int] = mapped_column(sa.ForeignKey("phone_frames.id", ondelete="CASCADE"))
    row_no: Mapped[int]  # the first row of the file that carried it
    phone_hmac: Mapped[str] = mapped_column(sa.String(64), index=True)
    phone_cipher: Mapped[str] = mapped_column(sa.Text)
    sample_type: Mapped[str] = mapped_column(sa.String(32), default="")  # the draw's stratum
    township: Mapped[str] = mapped_column(sa.String(64), default="")

    __table_args__ = (sa.UniqueConstraint("frame_id", "phone_hmac"),)


class Draw(db.Model):
    """The office's draw of a campaign: allocation per entity and the seed that reproduces it."""

    __tablename__ = "phone_draws"

    id: Mapped[int] = mapped_column(primary_key=True)
    campaign_id: Mapped[int] = mapped_column(sa.ForeignKey("campaigns.id"), unique=True)
    seed: Mapped[str] = mapped_column(sa.String(64))
    allocation: Mapped[dict] = mapped_column(JSONDoc)  # {str(org_unit_id): allocated}
    drawn: Mapped[int] = mapped_column(default=0)
    warnings: Mapped[list] = mapped_column(JSONDoc, default=list)
    drawn_by: Mapped[int | None] = mapped_column(sa.ForeignKey("office_users.id"))
    drawn_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class PhoneCase(db.Model):
    """A drawn number to be interviewed about one entity; served to one interviewer at a time."""

    __tablename__ = "phone_cases"

    id: Mapped[int] = mapped_column(BigIntPK, primary_key=True)
    campaign_id: Mapped[int] = mapped_column(sa.ForeignKey("campaigns.id"))
    # An interview's number comes from a frame; a 12345 callback case (kind "callback", made by
    # channels/hotline) has no frame number and carries its own encrypted number and the order's
    # date, type and summary for the interviewer (`context`). Both are served by the one queue.
    kind: Mapped[str] = mapped_column(sa.String(16), default="interview", server_default="interview")
    frame_number_id: Mapped[int | None] = mapped_column(sa.ForeignKey("phone_frame_numbers.id"), unique=True)
    phone_cipher: Mapped[str | None] = mapped_column(sa.Text)
    context: Mapped[dict | None] = mapped_column(JSONDoc)
    collection_point_id: Mapped[int] = mapped_column(sa.ForeignKey("collection_points.id"))
    evaluated_unit_id: Mapped[int] = mapped_column(sa.ForeignKey("org_units.id"))
    phone_hmac: Mapped[str] = mapped_column(sa.String(64))
    draw_order: Mapped[int]  # position in the seeded draw: fresh cases are served in this order
    status: Mapped[str] = mapped_column(sa.String(16), default="fresh")
    attempts: Mapped[int] = mapped_column(default=0)
    next_call_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    appointment_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    last_outcome: Mapped[int | None]
    final_class: Mapped[str | None] = mapped_column(sa.String(8))  # AAPOR class once final
    assigned_to: Mapped[int | None] = mapped_column(sa.ForeignKey("office_users.id"))
    claimed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    last_called_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # A complete voided in review re-releases the case: the next interview is a new participant.
    release_no: Mapped[int] = mapped_column(default=0)
    response_id: Mapped[int | None] = mapped_column(sa.BigInteger)
    review: Mapped[str | None] = mapped_column(sa.String(8))  # pass / fail
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    point = relationship(CollectionPoint)
    evaluated_unit = relationship(OrgUnit)
    interviewer = relationship(OfficeUser)

    __table_args__ = (
        sa.CheckConstraint(f"status IN {CASE_STATUSES!r}", name="status"),
        sa.CheckConstraint(f"kind IN {CASE_KINDS!r}", name="kind"),
        # The claim's scans (queue.claim_next): due appointments and retries by time; fresh cases
        # in draw order and the working ones (held, or left open too long) on partial indexes
        # that hold only the rows of their tier, so a scan never walks over the final cases.
        sa.Index("ix_phone_cases_queue", "campaign_id", "status", "next_call_at"),
        sa.Index("ix_phone_cases_fresh", "campaign_id", "draw_order",
                 postgresql_where=sa.text("status = 'fresh'"), sqlite_where=sa.text("status = 'fresh'")),
        sa.Index("ix_phone_cases_working", "campaign_id", "assigned_to", "claimed_at",
                 postgresql_where=sa.text("status = 'working'"), sqlite_where=sa.text("status = 'working'")),
        sa.Index("ix_phone_cases_phone", "campaign_id", "phone_hmac"),
    )


class CallAttempt(db.Model):
    """One call of a case: who dialled, when, and its outcome code (outcomes.OUTCOMES)."""

    __tablename__ = "phone_call_attempts"

    id: Mapped[int] = mapped_column(BigIntPK, primary_key=True)
    case_id: Mapped[int] = mapped_column(sa.ForeignKey("phone_cases.id"), index=True)
    interviewer_id: Mapped[int] = mapped_column(sa.ForeignKey("office_users.id"))
    outcome: Mapped[int]
    started_at: Mapped[datetime] = mapped_column(UTCDateTime())
    ended_at: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)
    appointment_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    response_id: Mapped[int | None] = mapped_column(sa.BigInteger)
    note: Mapped[str] = mapped_column(sa.String(200), default="")
    review: Mapped[str | None] = mapped_column(sa.String(8))  # pass / fail (completes only)
    review_reason: Mapped[str] = mapped_column(sa.String(200), default="")
    reviewed_by: Mapped[int | None] = mapped_column(sa.ForeignKey("office_users.id"))

    case = relationship(PhoneCase)
