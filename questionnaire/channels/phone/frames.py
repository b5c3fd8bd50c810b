"""Sample frames: upload (replacing the draft), lock, and what each account may see of them.

A county or unit account uploads its own entity's frame and sees only its own counts; the
office sees all of them. The numbers themselves never leave this module unmasked: they are
stored encrypted, deduplicated on their keyed HMAC, and no page lists them to a submitter.
The service owns the transaction (one commit per upload: the file is stored whole or not at all).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from sqlalchemy import delete, func, insert, select
from sqlalchemy.orm import Session, aliased

from questionnaire.channels.phone.frame_file import FrameFileError, FrameReport, read_frame
from questionnaire.channels.phone.models import FrameNumber, PhoneCase, SampleFrame
from questionnaire.kernel.crypto import Cipher
from questionnaire.kernel.errors import NotInScope, ServiceError
from questionnaire.kernel.personal_data import phone_hmac
from questionnaire.kernel.sqltypes import utcnow
from questionnaire.org.models import OrgUnit
from questionnaire.org.scope import Scope

ENTITY_KINDS = ("county", "city_unit")
INSERT_CHUNK = 5000


class FrameLocked(ServiceError):
    status, code, message = 409, "frame_locked", "该样本框已由绩效办锁定，不能再替换"


class FrameRejected(ServiceError):
    status, code, message = 422, "frame_rejected", "样本框文件无法接收"


@dataclass(frozen=True)
class PersonalKeys:
    """The two keys kept outside the database (app config FIELD_ENCRYPTION_KEY, PARTICIPANT_HMAC_KEY)."""

    cipher: Cipher
    hmac_key: str

    @classmethod
    def from_config(cls, config) -> PersonalKeys:
        return cls(Cipher(config["FIELD_ENCRYPTION_KEY"]), config["PARTICIPANT_HMAC_KEY"])


def entity_for_upload(session: Session, scope: Scope, unit_id: int | None) -> OrgUnit:
    """The entity a frame is uploaded for: the account's own county or city unit (admins choose)."""
    if scope.role == "county":
        unit_id = scope.county_id
    elif scope.role == "unit":
        unit_id = scope.unit_id
    elif not scope.is_admin:
        raise NotInScope()
    unit = session.get(OrgUnit, unit_id) if unit_id is not None else None
    if unit is None or unit.kind not in ENTITY_KINDS or not scope.allows_unit(unit):
        raise NotInScope()
    return unit


def upload(session: Session, keys: PersonalKeys, campaign_id: int, unit: OrgUnit, filename: str, data: bytes,
           user_id: int | None) -> tuple[SampleFrame, FrameReport]:
    """Clean the file and store it as the entity's draft frame, replacing an earlier draft (commits)."""
    try:
        report = read_frame(filename, data)
    except FrameFileError as exc:
        raise FrameRejected(exc.message) from None
    frame = session.scalar(select(SampleFrame).where(SampleFrame.campaign_id == campaign_id,
                                                     SampleFrame.org_unit_id == unit.id).with_for_update())
    if frame is not None and frame.status == "locked":
        raise FrameLocked()
    if frame is None:
        frame = SampleFrame(campaign_id=campaign_id, org_unit_id=unit.id)
        session.add(frame)
    else:
        session.execute(delete(FrameNumber).where(FrameNumber.frame_id == frame.id))
    frame.filename = (filename or "")[:200]
    frame.file_sha256 = hashlib.sha256(data).hexdigest()
    frame.rows_total = report.rows_total
    frame.rows_valid = len(report.kept)
    frame.rows_invalid = len(report.rejected)
    frame.duplicates = len(report.duplicates)
    frame.uploaded_by = user_id
    frame.uploaded_at = utcnow()
    session.flush()
    rows = [{"frame_id": frame.id, "row_no": r.row_no, "phone_hmac": phone_hmac(keys.hmac_key, r.number),
             "phone_cipher": keys.cipher.encrypt(r.number), "sample_type": r.sample_type, "township": r.township}
            for r in report.kept]
    for start in range(0, len(rows), INSERT_CHUNK):
        session.execute(insert(FrameNumber), rows[start:start + INSERT_CHUNK])
    session.commit()
    return frame, report


def set_locked(session: Session, frame_id: int, locked: bool) -> SampleFrame:
    """The office locks a reviewed frame (no more replacing) or unlocks it before the draw (commits)."""
    frame = session.get(SampleFrame, frame_id)
    if frame is None:
        raise NotInScope()
    if not locked and session.scalar(
            select(PhoneCase.id).join(FrameNumber, FrameNumber.id == PhoneCase.frame_number_id)
            .where(FrameNumber.frame_id == frame.id).limit(1)) is not None:
        raise ServiceError("该样本框已抽样，不能解锁")
    frame.status = "locked" if locked else "draft"
    frame.locked_at = utcnow() if locked else None
    session.commit()
    return frame


@dataclass(frozen=True)
class FrameSummary:
    frame: SampleFrame
    unit_name: str
    shared_numbers: int  # numbers also in another entity's frame (flagged, kept in both)


def shared_counts(session: Session, campaign_id: int) -> dict[int, int]:
    """Per frame: how many of its numbers appear in another entity's frame of the campaign."""
    other = aliased(FrameNumber)
    other_frame = aliased(SampleFrame)
    query = (
        select(FrameNumber.frame_id, func.count(func.distinct(FrameNumber.id)))
        .join(SampleFrame, SampleFrame.id == FrameNumber.frame_id)
        .join(other, other.phone_hmac == FrameNumber.phone_hmac)
        .join(other_frame, other_frame.id == other.frame_id)
        .where(SampleFrame.campaign_id == campaign_id, other_frame.campaign_id == campaign_id,
               other.frame_id != FrameNumber.frame_id)
        .group_by(FrameNumber.frame_id)
    )
    return dict(session.execute(query).all())


def list_frames(session: Session, scope: Scope, campaign_id: int) -> list[FrameSummary]:
    """The frames an account may see: its own entity's (county, unit), every one (office)."""
    query = (select(SampleFrame, OrgUnit.name).join(OrgUnit, OrgUnit.id == SampleFrame.org_unit_id)
             .where(SampleFrame.campaign_id == campaign_id).order_by(OrgUnit.sort_order, OrgUnit.id))
    if not scope.is_admin:
        own = scope.county_id if scope.role == "county" else scope.unit_id if scope.role == "unit" else None
        if own is None:
            return []
        query = query.where(SampleFrame.org_unit_id == own)
    shared = shared_counts(session, campaign_id)
    return [FrameSummary(frame, name, shared.get(frame.id, 0)) for frame, name in session.execute(query)]
