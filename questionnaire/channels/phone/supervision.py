"""Supervisors: the live board, review of completes (不合格 voids the answer), attendance.

The board and the attendance report count a day's completes with the same query
(`interviewer_day`), so the report's totals equal the board's for that day (P10).
Login and logout (the audit log's `login` / `logout` events) are the attendance record.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from questionnaire.accounts.models import AuditEvent, OfficeUser
from questionnaire.channels.phone.models import CallAttempt, Draw, PhoneCase
from questionnaire.channels.phone.outcomes import COMPLETED, OTHER, PhonePolicy
from questionnaire.channels.phone.rates import frame_rates
from questionnaire.kernel.china_time import CHINA
from questionnaire.kernel.errors import NotInScope, ServiceError
from questionnaire.kernel.sqltypes import utcnow
from questionnaire.org.models import OrgUnit
from questionnaire.tallies.void import void_responses


def china_day_bounds(day: date) -> tuple[datetime, datetime]:
    start = datetime.combine(day, time(0), CHINA).astimezone(timezone.utc)
    return start, start + timedelta(days=1)


@dataclass(frozen=True)
class EntityRow:
    unit_id: int
    name: str
    allocated: int
    drawn: int
    finalised: int
    completes: int
    success_rate: float | None


def entity_rows(session: Session, campaign_id: int, classes: dict[int, str]) -> list[EntityRow]:
    """Per entity: allocation, drawn, finalised, valid completes, 访问成功率."""
    draw = session.scalar(select(Draw).where(Draw.campaign_id == campaign_id))
    allocation = {int(k): v for k, v in (draw.allocation if draw else {}).items()}
    drawn = dict(session.execute(select(PhoneCase.evaluated_unit_id, func.count())
                                 .where(PhoneCase.campaign_id == campaign_id, PhoneCase.kind == "interview")
                                 .group_by(PhoneCase.evaluated_unit_id)).all())
    finals: dict[int, dict[int, int]] = defaultdict(dict)
    for unit_id, code, n in session.execute(
            select(PhoneCase.evaluated_unit_id, PhoneCase.last_outcome, func.count())
            .where(PhoneCase.campaign_id == campaign_id, PhoneCase.status == "final", PhoneCase.kind == "interview")
            .group_by(PhoneCase.evaluated_unit_id, PhoneCase.last_outcome)):
        finals[unit_id][code] = n
    names = dict(session.execute(select(OrgUnit.id, OrgUnit.name)
                                 .where(OrgUnit.id.in_(set(allocation) | set(drawn)))).all())
    rows = []
    for unit_id in sorted(set(allocation) | set(drawn), key=lambda u: names.get(u, "")):
        rates = frame_rates(finals.get(unit_id, {}), classes)
        rows.append(EntityRow(unit_id, names.get(unit_id, ""), allocation.get(unit_id, 0), drawn.get(unit_id, 0),
                              rates.finalised, rates.completes, rates.success_rate))
    return rows


@dataclass(frozen=True)
class InterviewerDay:
    user_id: int
    name: str
    attempts: int
    completes: int
    per_hour: dict[int, int]  # China hour -> completes
    first_login: datetime | None = None
    last_logout: datetime | None = None
    hours_online: float = 0.0


def interviewer_day(session: Session, campaign_id: int, day: date) -> list[InterviewerDay]:
    """Attempts and valid completes per interviewer on a China day, completes per hour, and sessions."""
    start, end = china_day_bounds(day)
    counts = {}
    hours: dict[int, dict[int, int]] = defaultdict(dict)
    for user_id, ended_at, outcome, review in session.execute(
            select(CallAttempt.interviewer_id, CallAttempt.ended_at, CallAttempt.outcome, CallAttempt.review)
            .join(PhoneCase, PhoneCase.id == CallAttempt.case_id)
            .where(PhoneCase.campaign_id == campaign_id, CallAttempt.ended_at >= start, CallAttempt.ended_at < end)):
        attempts, completes = counts.get(user_id, (0, 0))
        valid = outcome == COMPLETED and review != "fail"
        counts[user_id] = (attempts + 1, completes + int(valid))
        if valid:
            hour = ended_at.astimezone(CHINA).hour
            hours[user_id][hour] = hours[user_id].get(hour, 0) + 1
    sessions = _sessions(session, start, end)
    ids = set(counts) | set(sessions)
    names = dict(session.execute(select(OfficeUser.id, OfficeUser.display_name)
                                 .where(OfficeUser.id.in_(ids), OfficeUser.role == "interviewer")).all())
    rows = []
    for user_id in sorted(names, key=lambda u: names[u]):
        attempts, completes = counts.get(user_id, (0, 0))
        first, last, online = sessions.get(user_id, (None, None, 0.0))
        rows.append(InterviewerDay(user_id, names[user_id], attempts, completes, dict(sorted(hours[user_id].items())),
                                   first, last, online))
    return rows


def _sessions(session: Session, start: datetime, end: datetime) -> dict[int, tuple]:
    """Per user: first login, last logout and hours between logins and their logouts that day."""
    out: dict[int, list] = {}
    opened: dict[int, datetime] = {}
    for user_id, action, at in session.execute(
            select(AuditEvent.user_id, AuditEvent.action, AuditEvent.at)
            .where(AuditEvent.at >= start, AuditEvent.at < end, AuditEvent.action.in_(("login", "logout")),
                   AuditEvent.user_id.is_not(None)).order_by(AuditEvent.at, AuditEvent.id)):
        first, last, online = out.get(user_id, [None, None, 0.0])
        if action == "login":
            first = first or at
            opened.setdefault(user_id, at)
        else:
            last = at
            if user_id in opened:
                online += (at - opened.pop(user_id)).total_seconds() / 3600
        out[user_id] = [first, last, online]
    return {u: tuple(v) for u, v in out.items()}


class ReviewRefused(ServiceError):
    status, code, message = 409, "review_refused", "该访问已复核或不是成功访问"


def review_complete(session: Session, policy: PhonePolicy, attempt_id: int, passed: bool, reason: str,
                    reviewer_id: int, now: datetime | None = None) -> CallAttempt:
    """合格 / 不合格. 不合格 voids the response (it leaves the tallies at once, tallies.void) and
    re-releases the case as a new participant if it has attempts left (commits)."""
    now = now or utcnow()
    attempt = session.get(CallAttempt, attempt_id, with_for_update=True)
    if attempt is None:
        raise NotInScope()
    if attempt.outcome != COMPLETED or attempt.response_id is None or attempt.review is not None:
        raise ReviewRefused()
    if not passed and not reason.strip():
        raise ServiceError("判为不合格须填写原因")
    case = session.get(PhoneCase, attempt.case_id, with_for_update=True)
    attempt.review = "pass" if passed else "fail"
    attempt.review_reason, attempt.reviewed_by = reason[:200], reviewer_id
    if passed:
        case.review = "pass"
    else:
        void_responses(session.connection(), case.campaign_id, [attempt.response_id])
        case.review = None
        case.response_id = None
        case.release_no += 1  # the next interview of this case is a new participant for the intake
        if case.attempts < policy.max_attempts:
            case.status, case.final_class, case.next_call_at = "retry", None, now
        else:
            # No attempts left: final as 其他, not a complete (the attempt keeps its 11 and the verdict).
            case.final_class, case.last_outcome = "O", OTHER
        case.updated_at = now
    session.commit()
    return attempt


def completes_for_review(session: Session, campaign_id: int, limit: int = 200) -> list:
    """Completes waiting for review, newest first (interviewer, entity, time, duration)."""
    return session.execute(
        select(CallAttempt.id, CallAttempt.ended_at, CallAttempt.started_at, OfficeUser.display_name,
               OrgUnit.name.label("unit_name"), CallAttempt.review)
        .join(PhoneCase, PhoneCase.id == CallAttempt.case_id)
        .join(OfficeUser, OfficeUser.id == CallAttempt.interviewer_id)
        .join(OrgUnit, OrgUnit.id == PhoneCase.evaluated_unit_id)
        .where(PhoneCase.campaign_id == campaign_id, CallAttempt.outcome == COMPLETED,
               CallAttempt.response_id.is_not(None))
        .order_by(CallAttempt.review.is_not(None), CallAttempt.id.desc()).limit(limit)).all()
