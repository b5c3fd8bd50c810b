"""Record a call: its outcome, and for a completed interview the answers, through the one intake.

The participant of a phone interview is the case (and its release: a complete voided in review
re-releases the case as a new participant), and the submission id is derived from the same, so
a retried "save" after a lost connection returns the first receipt instead of a second answer.
The answers are stored (and committed) by `SubmissionStore.submit` before the case is updated;
if the case update then fails, the retry meets its own submission id. Services own the commit.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from questionnaire.channels.phone.models import CallAttempt, PhoneCase
from questionnaire.channels.phone.outcomes import COMPLETED, OUTCOMES, OutcomeError, PhonePolicy, next_state
from questionnaire.intake.points import load_point
from questionnaire.intake.submissions import Outcome, Participant, Receipt, Submission, SubmissionStore
from questionnaire.kernel.errors import NotInScope, ServiceError

PARTICIPANT_KIND = "phone_case"
SUBMISSION_NAMESPACE = uuid.UUID("6f1c1c55-4d0e-4c3b-9a59-0b6a9d6c7e11")


class OutcomeRefused(ServiceError):
    status, code, message = 422, "outcome_refused", "访问结果有误"


@dataclass(frozen=True)
class CallRecord:
    code: int
    answers: Mapping | None = None
    appointment_at: datetime | None = None
    note: str = ""


def held_case(session: Session, case_id: int, interviewer_id: int, lock: bool = False) -> PhoneCase:
    """The case, if this interviewer holds it now; any other case is a 404 (not confirmed)."""
    query = select(PhoneCase).where(PhoneCase.id == case_id)
    if lock:
        query = query.with_for_update()
    case = session.scalar(query)
    if case is None or case.status != "working" or case.assigned_to != interviewer_id:
        raise NotInScope()
    return case


def participant_of(case: PhoneCase) -> Participant:
    return Participant(PARTICIPANT_KIND, f"{case.campaign_id}:{case.id}:{case.release_no}")


def submission_id_of(case: PhoneCase) -> str:
    return str(uuid.uuid5(SUBMISSION_NAMESPACE, f"{case.campaign_id}:{case.id}:{case.release_no}"))


def _store_answers(session: Session, store: SubmissionStore, case: PhoneCase, answers: Mapping,
                   now: datetime) -> Receipt:
    point = load_point(session, case.collection_point_id)
    started = case.claimed_at or now
    sub = Submission(participant_of(case), submission_id_of(case), answers,
                     duration_seconds=max(0, int((now - started).total_seconds())), user_agent_class="phone")
    receipt = store.submit(point, sub, now=now)
    if receipt.outcome is Outcome.ALREADY_PARTICIPATED:  # the case's slot holds other answers
        raise OutcomeRefused("该样本已有一份不同的成功访问记录，请联系督导")
    return receipt


def record_call(session: Session, store: SubmissionStore, policy: PhonePolicy, case_id: int, interviewer_id: int,
                record: CallRecord, now: datetime) -> PhoneCase:
    """Store the call's outcome (and answers) and move the case on (commits)."""
    if record.code not in OUTCOMES:
        raise OutcomeRefused("请选择访问结果")
    case = held_case(session, case_id, interviewer_id)
    previous = list(session.scalars(select(CallAttempt.outcome).where(CallAttempt.case_id == case.id)
                                    .order_by(CallAttempt.id)))
    try:
        state = next_state(policy, record.code, now, previous, record.appointment_at)
    except OutcomeError as exc:
        raise OutcomeRefused(exc.message) from None
    response_id = None
    if record.code == COMPLETED:
        # Committed by the intake before the case moves on (acknowledged = stored).
        response_id = _store_answers(session, store, case, record.answers or {}, now).response_id
    case = held_case(session, case_id, interviewer_id, lock=True)
    session.add(CallAttempt(case_id=case.id, interviewer_id=interviewer_id, outcome=record.code,
                            started_at=case.claimed_at or now, ended_at=now, appointment_at=state.appointment_at,
                            response_id=response_id, note=record.note[:200]))
    case.attempts += 1
    case.last_outcome = record.code
    case.last_called_at = now
    case.status = state.status
    case.next_call_at = state.next_call_at
    case.appointment_at = state.appointment_at
    case.final_class = state.final_class
    case.assigned_to = None
    case.claimed_at = None
    case.updated_at = now
    if response_id is not None:
        case.response_id = response_id
        case.review = None
    session.commit()
    return case
