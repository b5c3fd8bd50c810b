"""P9: a complete marked 不合格 leaves the tallies (exactly: verify stays clean) and its case is
re-released when attempts remain; P10: the attendance totals equal the board's."""

from __future__ import annotations

import pytest  # noqa: E402
from sqlalchemy import func, select

from questionnaire.channels.phone import queue, supervision
from questionnaire.channels.phone.feedback import CLASSES
from questionnaire.channels.phone.models import CallAttempt, PhoneCase
from questionnaire.extensions import db
from questionnaire.intake.models import Response
from questionnaire.kernel.china_time import china_date
from questionnaire.tallies import counting
from questionnaire.tallies.flag_rules import VOID
from questionnaire.tallies.models import TallyEntry
from tests.channels.phone.test_queue import POLICY, answers_for, call, china, next_case, store  # noqa: F401

pytestmark = pytest.mark.both_backends


def _tallied(campaign_id) -> int:
    return db.session.scalar(select(func.coalesce(func.sum(TallyEntry.responses), 0))
                             .where(TallyEntry.campaign_id == campaign_id)) or 0


def _complete(campaign, phone_staff, call, minute=0):
    case = next_case(campaign, phone_staff.i1, china(10, minute))
    call(case, phone_staff.i1, 11, china(10, minute + 5), answers=answers_for(campaign, case))
    return db.session.scalar(select(CallAttempt).where(CallAttempt.case_id == case.id))


def test_a_failed_review_takes_the_answer_out_of_the_tallies_and_re_releases_the_case(
        drawn, campaign, phone_staff, call):
    attempt = _complete(campaign, phone_staff, call)
    counting.apply_pending(db.engine, campaign.id)
    assert _tallied(campaign.id) == 1
    supervision.review_complete(db.session, POLICY, attempt.id, False, "录音显示未按问卷提问", phone_staff.s1)
    assert _tallied(campaign.id) == 0 and counting.verify(db.engine, campaign.id) == []
    response = db.session.get(Response, attempt.response_id, populate_existing=True)
    assert response.flags & VOID  # kept for the record
    case = db.session.get(PhoneCase, attempt.case_id, populate_existing=True)
    assert (case.status, case.release_no, case.response_id) == ("retry", 1, None)
    again = next_case(campaign, phone_staff.i2, china(11))
    assert again.id == case.id  # re-released first, as a retry whose wait is over
    call(again, phone_staff.i2, 11, china(11, 5), answers=answers_for(campaign, again))
    counting.apply_pending(db.engine, campaign.id)
    assert _tallied(campaign.id) == 1 and counting.verify(db.engine, campaign.id) == []


def test_a_review_before_the_tally_run_is_never_counted(drawn, campaign, phone_staff, call):
    attempt = _complete(campaign, phone_staff, call)
    supervision.review_complete(db.session, POLICY, attempt.id, False, "不合格", phone_staff.s1)
    counting.apply_pending(db.engine, campaign.id)
    assert _tallied(campaign.id) == 0 and counting.verify(db.engine, campaign.id) == []


def test_a_passed_review_keeps_the_answer_counted(drawn, campaign, phone_staff, call):
    attempt = _complete(campaign, phone_staff, call)
    supervision.review_complete(db.session, POLICY, attempt.id, True, "", phone_staff.s1)
    counting.apply_pending(db.engine, campaign.id)
    assert _tallied(campaign.id) == 1


def test_attendance_totals_equal_the_board_for_the_day(drawn, campaign, phone_staff, call):
    _complete(campaign, phone_staff, call, 0)
    _complete(campaign, phone_staff, call, 10)
    case = next_case(campaign, phone_staff.i2, china(10, 20))
    call(case, phone_staff.i2, 31, china(10, 21))
    day = china_date(china(10))
    rows = supervision.interviewer_day(db.session, campaign.id, day)
    by_name = {r.name: (r.attempts, r.completes) for r in rows}
    assert by_name == {"i1": (2, 2), "i2": (1, 0)}
    board = supervision.entity_rows(db.session, campaign.id, CLASSES)
    assert sum(r.completes for r in rows) == sum(e.completes for e in board) == 2
    assert queue.current_case(db.session, campaign.id, phone_staff.i1) is None
