""""下一个": the system chooses the interviewer's next case; two interviewers never get the same one.

Order (spec §4.5): appointments due (from 15 minutes before their time; a missed one stays
first), then retries whose wait is over, then cases left open longer than the claim timeout,
then fresh cases in draw order. Nothing is served outside the campaign's calling hours.

Each tier is one statement, `UPDATE phone_cases SET status='working' ... WHERE id = (SELECT
... LIMIT 1 FOR UPDATE SKIP LOCKED) RETURNING id`: on PostgreSQL concurrent claimers skip each
other's row instead of waiting for it; SQLite has one writer and runs the statement atomically
(kernel.dialect.skip_locked says which). A tier's choice runs on its own index (status + due
time, or status + draw order), so the claim costs the same on a queue of 15,000 cases as on 10.

A number is not served while another case of the same number is being worked or was called
within a day (a different entity's interview), nor once it has two valid completes (P11).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import and_, case, exists, func, or_, select, update
from sqlalchemy.orm import Session, aliased

from questionnaire.channels.phone.models import PhoneCase
from questionnaire.channels.phone.outcomes import APPOINTMENT, PhonePolicy
from questionnaire.kernel import dialect
from questionnaire.kernel.errors import ServiceError

cases = PhoneCase.__table__


class OutsideCallingHours(ServiceError):
    status, code, message = 409, "outside_calling_hours", "当前不在拨打时段"


def _number_free(policy: PhonePolicy, now: datetime):
    """The case's number is not busy elsewhere, not called about another entity within a day,
    and has fewer than the allowed number of valid completes."""
    other = cases.alias("other")
    busy = exists().where(
        other.c.campaign_id == cases.c.campaign_id, other.c.phone_hmac == cases.c.phone_hmac,
        other.c.id != cases.c.id,
        or_(and_(other.c.status == "working", other.c.claimed_at >= now - policy.claim_timeout),
            other.c.last_called_at >= now - policy.other_entity_gap))
    done = aliased(PhoneCase)
    completes = (select(func.count()).select_from(done)
                 .where(done.campaign_id == cases.c.campaign_id, done.phone_hmac == cases.c.phone_hmac,
                        done.final_class == "I", or_(done.review.is_(None), done.review != "fail"))
                 .scalar_subquery())
    return and_(~busy, completes < policy.max_completes_per_number)


def _tiers(policy: PhonePolicy, now: datetime):
    """(condition, order) per tier, in serving order; each tier has its own (partial) index."""
    c = cases.c
    return (
        (and_(c.status == "appointment", c.next_call_at <= now), (c.next_call_at, c.id)),
        (and_(c.status == "retry", c.next_call_at <= now), (c.next_call_at, c.id)),
        (and_(c.status == "working", c.claimed_at < now - policy.claim_timeout), (c.claimed_at, c.id)),
        (c.status == "fresh", (c.draw_order,)),
    )


def _held_by(campaign_id: int, interviewer_id: int):
    c = cases.c
    return (select(c.id).where(c.campaign_id == campaign_id, c.status == "working", c.assigned_to == interviewer_id)
            .order_by(c.claimed_at.desc()).limit(1))


def current_case(session: Session, campaign_id: int, interviewer_id: int) -> PhoneCase | None:
    """The case this interviewer holds (a reload or a second tab shows it again)."""
    held = _held_by(campaign_id, interviewer_id).scalar_subquery()
    return session.scalar(select(PhoneCase).where(PhoneCase.id == held))


def claim_next(session: Session, policy: PhonePolicy, campaign_id: int, interviewer_id: int,
               now: datetime) -> PhoneCase | None:
    """Give the interviewer their next case (commits); None when nothing is due.

    One statement: `UPDATE ... WHERE id = COALESCE(held, tier 1, ..., tier 4) RETURNING *`.
    COALESCE evaluates its arguments only until one is not null (PostgreSQL and SQLite), so a
    claim runs the held-case lookup and then the tiers' locking choices in order, each on its
    own index, and stops at the first that finds a case: one round trip instead of five.
    """
    if not policy.in_calling_hours(now):
        held = current_case(session, campaign_id, interviewer_id)
        if held is not None:
            return held
        raise OutsideCallingHours(f"当前不在拨打时段（拨打时段：{policy.hours_label()}）")
    bind = session.connection()
    free = _number_free(policy, now)
    choices = [_held_by(campaign_id, interviewer_id).scalar_subquery()]
    for condition, order in _tiers(policy, now):
        choices.append(dialect.skip_locked(
            select(cases.c.id).where(cases.c.campaign_id == campaign_id, condition, free).order_by(*order).limit(1),
            bind).scalar_subquery())
    mine = and_(PhoneCase.status == "working", PhoneCase.assigned_to == interviewer_id)
    claimed = session.scalars(
        update(PhoneCase).where(PhoneCase.id == func.coalesce(*choices))
        # The held case keeps its claim time (its timeout runs from the first claim).
        .values(status="working", assigned_to=interviewer_id, updated_at=now,
                claimed_at=case((mine, PhoneCase.claimed_at), else_=now))
        .returning(PhoneCase), execution_options={"populate_existing": True}).first()
    session.commit()
    return claimed


def release(session: Session, case: PhoneCase, now: datetime) -> None:
    """Hand a held case back untouched (the interviewer ends the shift before calling; commits)."""
    if case.last_outcome == APPOINTMENT and case.appointment_at is not None:
        case.status = "appointment"
    else:
        case.status = "fresh" if case.attempts == 0 else "retry"
    case.next_call_at = case.next_call_at or now
    case.assigned_to = None
    case.claimed_at = None
    session.commit()
