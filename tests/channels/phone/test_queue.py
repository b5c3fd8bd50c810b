"""P4 retry timing and calling hours, P5 appointments, P11 second interviews, and completes
stored through the one intake (one per case, idempotent)."""

from __future__ import annotations

from datetime import datetime, time, timedelta

import pytest
from sqlalchemy import func, select

from questionnaire.channels.phone import interviews, queue
from questionnaire.channels.phone.interviews import CallRecord
from questionnaire.channels.phone.models import PhoneCase
from questionnaire.channels.phone.outcomes import PhonePolicy
from questionnaire.extensions import db, redis_store
from questionnaire.intake.models import Response
from questionnaire.intake.submissions import SubmissionStore
from questionnaire.kernel.china_time import CHINA
from tests.factories import good_answers

POLICY = PhonePolicy()  # 09:00-12:00 and 14:30-21:00, 3 attempts


def china(hour: int, minute: int = 0, days: int = 0) -> datetime:
    """Today (China) at hh:mm: after the test campaign opened (yesterday) and before it closes."""
    today = datetime.now(CHINA).replace(hour=0, minute=0, second=0, microsecond=0)
    return today + timedelta(days=days, hours=hour, minutes=minute)


@pytest.fixture
def store(clean_app):
    return SubmissionStore(engine=db.engine, redis=redis_store.client(clean_app),
                           hmac_key=clean_app.config["PARTICIPANT_HMAC_KEY"])


@pytest.fixture
def call(store):
    def do(case, interviewer, code, at, **extra):
        return interviews.record_call(db.session, store, POLICY, case.id, interviewer, CallRecord(code, **extra), at)

    return do


def answers_for(campaign, case) -> dict:
    """The county questionnaire's answers, or the city unit questionnaire's."""
    return {"overall": "4"} if case.evaluated_unit_id == campaign.units["U1"].id else good_answers()


def next_case(campaign, interviewer, at):
    return queue.claim_next(db.session, POLICY, campaign.id, interviewer, at)


def test_no_answer_at_ten_is_not_served_again_before_one(drawn, campaign, phone_staff, store):
    all_day = PhonePolicy(calling_hours=((time(9), time(21)),))
    case = queue.claim_next(db.session, all_day, campaign.id, phone_staff.i1, china(10))
    interviews.record_call(db.session, store, all_day, case.id, phone_staff.i1, CallRecord(31), china(10))
    before = queue.claim_next(db.session, all_day, campaign.id, phone_staff.i2, china(12, 59))
    assert before.id != case.id and before.attempts == 0  # a fresh case, not the retry
    assert queue.claim_next(db.session, all_day, campaign.id, phone_staff.s1, china(13)).id == case.id


def test_third_no_answer_makes_the_case_final_nc(drawn, campaign, phone_staff, call):
    case = next_case(campaign, phone_staff.i1, china(9))
    for hour in (9, 15, 19):
        held = next_case(campaign, phone_staff.i1, china(hour, 30))
        assert held.id == case.id
        case = call(held, phone_staff.i1, 31, china(hour, 30))
    assert (case.status, case.final_class, case.attempts) == ("final", "NC", 3)


def test_nothing_is_served_in_closed_hours(drawn, campaign, phone_staff):
    with pytest.raises(queue.OutsideCallingHours):
        next_case(campaign, phone_staff.i1, china(12, 30))
    with pytest.raises(queue.OutsideCallingHours):
        next_case(campaign, phone_staff.i1, china(21, 30))


def test_an_appointment_is_served_within_fifteen_minutes_ahead_of_fresh_cases(drawn, campaign, phone_staff, call):
    case = next_case(campaign, phone_staff.i1, china(10))
    call(case, phone_staff.i1, 24, china(10), appointment_at=china(19))
    early = next_case(campaign, phone_staff.i2, china(18, 40))
    assert early.id != case.id
    call(early, phone_staff.i2, 41, china(18, 40))
    assert next_case(campaign, phone_staff.i2, china(18, 45)).id == case.id


def test_a_missed_appointment_is_served_next(drawn, campaign, phone_staff, call):
    case = next_case(campaign, phone_staff.i1, china(10))
    call(case, phone_staff.i1, 24, china(10), appointment_at=china(11))
    assert next_case(campaign, phone_staff.i2, china(16)).id == case.id


def test_an_appointment_in_the_past_is_refused(drawn, campaign, phone_staff, call):
    case = next_case(campaign, phone_staff.i1, china(10))
    with pytest.raises(interviews.OutcomeRefused):
        call(case, phone_staff.i1, 24, china(10), appointment_at=china(9))


def test_a_complete_is_stored_through_the_intake_once_per_case(drawn, campaign, phone_staff, call, store):
    case = next_case(campaign, phone_staff.i1, china(10))
    done = call(case, phone_staff.i1, 11, china(10, 6), answers=good_answers())
    response = db.session.get(Response, done.response_id)
    assert (response.channel, response.evaluated_unit_id, response.identity_kind) == (
        "phone", case.evaluated_unit_id, "phone_case")
    assert (done.status, done.final_class) == ("final", "I")
    # A lost "save" retried: the intake returns the first receipt, nothing new is stored.
    again = interviews._store_answers(db.session, store, done, good_answers(), china(10, 7))
    assert again.response_id == done.response_id
    assert db.session.scalar(select(func.count()).select_from(Response)) == 1


def test_invalid_answers_store_nothing_and_keep_the_case(drawn, campaign, phone_staff, call):
    case = next_case(campaign, phone_staff.i1, china(10))
    with pytest.raises(Exception) as refused:
        call(case, phone_staff.i1, 11, china(10, 5), answers={"gov": "9"})
    assert getattr(refused.value, "status", None) == 422
    assert db.session.get(PhoneCase, case.id).status == "working"
    assert db.session.scalar(select(func.count()).select_from(Response)) == 0


def test_another_interviewer_cannot_record_on_a_case_not_theirs(drawn, campaign, phone_staff, call):
    case = next_case(campaign, phone_staff.i1, china(10))
    with pytest.raises(interviews.NotInScope):
        call(case, phone_staff.i2, 41, china(10, 1))


def test_a_number_interviewed_for_one_entity_waits_a_day_and_is_interviewed_at_most_twice(
        upload, campaign, phone_staff, call):
    from questionnaire.channels.phone import draw

    shared = ["13912345678"]
    upload("K1", shared)
    upload("K2", shared)
    upload("U1", shared)
    draw.run_draw(db.session, campaign.id, 3, seed="S", mode="equal")
    first = next_case(campaign, phone_staff.i1, china(10))
    call(first, phone_staff.i1, 11, china(10, 5), answers=answers_for(campaign, first))
    assert next_case(campaign, phone_staff.i2, china(15)) is None  # same number, another entity: not today
    second = next_case(campaign, phone_staff.i2, china(10, 10, days=1))
    assert second.evaluated_unit_id != first.evaluated_unit_id
    call(second, phone_staff.i2, 11, china(10, 15, days=1), answers=answers_for(campaign, second))
    assert next_case(campaign, phone_staff.i2, china(10, days=3)) is None  # two completes: the third waits forever
    completes = db.session.scalars(select(PhoneCase.evaluated_unit_id).where(PhoneCase.final_class == "I")).all()
    assert len(completes) == len(set(completes)) == 2


def test_reloading_the_work_page_keeps_the_held_case(drawn, campaign, phone_staff):
    case = next_case(campaign, phone_staff.i1, china(10))
    assert next_case(campaign, phone_staff.i1, china(10, 1)).id == case.id
