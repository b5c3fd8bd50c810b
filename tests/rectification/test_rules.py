"""The pure rectification rules, without an app: workflow, lateness, rates, colours, year end."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from questionnaire.rectification import rules
from questionnaire.rectification.rules import (
    ACCEPTED,
    ASSIGNED,
    CLAIMED,
    CLOSED,
    IN_PROGRESS,
    LONG_TERM,
    LONG_TERM_REQUESTED,
    TaskFacts,
    TransitionRefused,
)

OCT_31 = date(2021, 10, 31)


def closed(deadline=OCT_31, completed_on=date(2021, 10, 20)) -> TaskFacts:
    return TaskFacts(CLOSED, deadline, completed_on=completed_on)


def open_task(status=IN_PROGRESS, deadline=OCT_31, **kw) -> TaskFacts:
    return TaskFacts(status, deadline, **kw)


# R2: 541 of 625 items closed on time; the other 84 are late, long-term or overdue.
def test_the_2021_completion_rate_is_541_of_625_shown_as_86_6_percent():
    on_time = [rules.outcome([closed()], date(2022, 1, 10))] * 541
    others = ([rules.outcome([closed(completed_on=date(2021, 11, 5))], date(2022, 1, 10))] * 30
              + [rules.outcome([open_task(LONG_TERM)], date(2022, 1, 10))] * 40
              + [rules.outcome([open_task()], date(2022, 1, 10))] * 14)
    result = rules.figures(on_time + others)
    assert (result.due, result.on_time, result.late, result.long_term, result.overdue) == (625, 541, 30, 40, 14)
    assert result.rate == Decimal(541) * 100 / Decimal(625) == Decimal("86.56")
    assert result.rate_text == "86.6%"


def test_rates_round_half_up_for_display():
    assert rules.format_rate(rules.completion_rate(1, 8)) == "12.5%"  # 12.5 exactly
    assert rules.format_rate(rules.completion_rate(1, 16)) == "6.3%"  # 6.25 -> 6.3, not banker's 6.2
    assert rules.format_rate(rules.completion_rate(2, 3), places=2) == "66.67%"
    assert rules.format_rate(rules.completion_rate(0, 0)) == "—"  # nothing due: no rate, not 0 %


# R3: closed after the deadline is 逾期完成, not on time.
def test_a_task_closed_on_2021_11_05_against_2021_10_31_is_late():
    assert not rules.closed_on_time(date(2021, 11, 5), OCT_31)
    assert rules.closed_on_time(OCT_31, OCT_31)  # on the deadline day is on time
    assert rules.outcome([closed(completed_on=date(2021, 11, 5))], date(2021, 12, 1)) == rules.LATE


def test_an_item_is_on_time_only_when_every_task_is():
    today = date(2021, 12, 1)
    assert rules.outcome([closed(), closed()], today) == rules.ON_TIME
    assert rules.outcome([closed(), closed(completed_on=date(2021, 11, 1))], today) == rules.LATE
    assert rules.outcome([closed(), open_task()], today) == rules.OVERDUE  # one task still open, past deadline
    assert rules.outcome([closed(), open_task()], date(2021, 10, 1)) == rules.OPEN
    assert rules.outcome([closed(), open_task(LONG_TERM)], today) == rules.LONG_TERM_OPEN


# R4: monthly reports due on the 25th.
def test_a_task_without_this_months_report_is_yellow_on_the_26th():
    task = open_task(deadline=date(2021, 12, 31), assigned_on=date(2021, 5, 10))
    assert rules.warning_colour(task, date(2021, 6, 25)) is None  # due day itself: not yet late
    assert rules.warning_colour(task, date(2021, 6, 26)) == rules.YELLOW
    reported = open_task(deadline=date(2021, 12, 31), reported_months=frozenset({(2021, 6)}))
    assert rules.warning_colour(reported, date(2021, 6, 26)) is None


def test_a_task_assigned_after_the_due_day_owes_its_first_report_next_month():
    task = open_task(deadline=date(2021, 12, 31), assigned_on=date(2021, 6, 27))
    assert rules.warning_colour(task, date(2021, 6, 28)) is None
    assert rules.warning_colour(task, date(2021, 7, 26)) == rules.YELLOW


def test_a_task_six_days_from_its_deadline_is_blue():
    task = open_task(deadline=OCT_31, reported_months=frozenset({(2021, 10)}))
    assert rules.warning_colour(task, date(2021, 10, 25)) == rules.BLUE


def test_the_blue_window_is_seven_days():
    task = open_task(deadline=OCT_31, reported_months=frozenset({(2021, 10)}))
    assert rules.warning_colour(task, date(2021, 10, 24)) == rules.BLUE  # 7 days ahead
    assert rules.warning_colour(task, date(2021, 10, 23)) is None  # 8 days ahead
    assert rules.warning_colour(task, OCT_31) == rules.BLUE  # the deadline day itself


def test_a_task_past_its_deadline_without_closure_is_red_the_next_day():
    for status in (ASSIGNED, IN_PROGRESS, CLAIMED):
        assert rules.warning_colour(open_task(status), date(2021, 11, 1)) == rules.RED
    assert rules.warning_colour(closed(completed_on=date(2021, 11, 5)), date(2021, 11, 6)) is None


def test_red_outranks_yellow_and_yellow_outranks_blue():
    late_and_unreported = open_task(deadline=date(2021, 6, 20), assigned_on=date(2021, 5, 1))
    assert rules.warning_colour(late_and_unreported, date(2021, 6, 26)) == rules.RED
    near_and_unreported = open_task(deadline=date(2021, 6, 30), assigned_on=date(2021, 5, 1))
    assert rules.warning_colour(near_and_unreported, date(2021, 6, 26)) == rules.YELLOW
    assert rules.worst_colour([None, rules.BLUE, rules.YELLOW]) == rules.YELLOW
    assert rules.worst_colour([]) is None


def test_an_approved_long_term_task_is_watched_against_its_planned_date():
    task = open_task(LONG_TERM, planned_on=date(2022, 6, 30), reported_months=frozenset({(2021, 11)}))
    assert rules.warning_colour(task, date(2021, 11, 26)) is None
    assert rules.outcome([task], date(2021, 11, 26)) == rules.LONG_TERM_OPEN  # never on time in 2021


def test_waiting_tasks_owe_no_monthly_report():
    for status in (ASSIGNED, CLAIMED):
        assert not rules.report_missing(open_task(status, deadline=date(2021, 12, 31)), date(2021, 6, 26))


# R5: the workflow; the entity never closes its own task.
def test_only_the_office_can_close_a_task():
    with pytest.raises(TransitionRefused) as refused:
        rules.next_status("close", CLAIMED, rules.ENTITY)
    assert refused.value.forbidden
    assert rules.next_status("close", CLAIMED, rules.OFFICE) == CLOSED
    assert "close" not in rules.actions_for(CLAIMED, rules.ENTITY)


def test_the_workflow_from_assignment_to_closure():
    status = rules.next_status("accept", ASSIGNED, rules.ENTITY)
    assert status == ACCEPTED
    status = rules.next_status("report", status, rules.ENTITY)
    assert status == IN_PROGRESS
    assert rules.next_status("report", LONG_TERM, rules.ENTITY) == LONG_TERM  # a report keeps long-term
    status = rules.next_status("claim", status, rules.ENTITY)
    assert rules.next_status("return", status, rules.OFFICE, "佐证不足") == IN_PROGRESS
    assert rules.next_status("close", status, rules.OFFICE) == CLOSED


def test_refusals_say_why_in_chinese():
    with pytest.raises(TransitionRefused, match="不能申请销号"):
        rules.next_status("claim", ASSIGNED, rules.ENTITY)
    with pytest.raises(TransitionRefused, match="须填写原因"):
        rules.next_status("return", CLAIMED, rules.OFFICE, "  ")
    with pytest.raises(TransitionRefused, match="须填写原因"):
        rules.next_status("request_long_term", IN_PROGRESS, rules.ENTITY)
    assert rules.next_status("request_long_term", IN_PROGRESS, rules.ENTITY, "资金未到位") == LONG_TERM_REQUESTED


# R8: what carries into the next year.
def test_items_with_an_open_task_carry_over_and_closed_ones_do_not():
    assert rules.carries_over([closed(), open_task(LONG_TERM)])
    assert rules.carries_over([open_task(CLAIMED)])  # 销号 not yet approved
    assert not rules.carries_over([closed(), closed(completed_on=date(2021, 11, 5))])
