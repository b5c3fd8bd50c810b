"""H3-H6 with the spec's worked numbers, from the pure rates module (no app)."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from fractions import Fraction

from questionnaire.channels.hotline.rates import (
    RESOLUTION,
    CheckedOrder,
    RateOptions,
    closed_on_time,
    entity_rates,
    problems,
)
from questionnaire.kernel.numbers import shown
from questionnaire.results.rules import parse_rule, score

RECEIVED = datetime(2023, 3, 1, 1, 0, tzinfo=timezone.utc)
DEADLINE = RECEIVED + timedelta(days=15)
PERIOD_END = datetime(2023, 9, 30, 16, 0, tzinfo=timezone.utc)


def order(closed_days: float | None, extended_days: float | None = None, **check) -> CheckedOrder:
    return CheckedOrder(DEADLINE, None if extended_days is None else RECEIVED + timedelta(days=extended_days),
                        None if closed_days is None else RECEIVED + timedelta(days=closed_days), **check)


def entity_e() -> list[CheckedOrder]:
    """Entity E of H3/H4/H5: 125 sampled; 116 closed in time, 4 in an approved extension, 5 late;
    110 reached; Q2 80/12/8 (10 reached left Q2 blank); Q3 50/30/10/6/4 (10 left it blank)."""
    timing = [(10, None)] * 116 + [(20, 25)] * 4 + [(20, None)] * 5
    resolutions = ["已解决"] * 80 + ["部分解决"] * 12 + ["未解决"] * 8 + [None] * 10
    levels = ["5"] * 50 + ["4"] * 30 + ["3"] * 10 + ["2"] * 6 + ["1"] * 4 + [None] * 10
    out = []
    for i, (closed, extended) in enumerate(timing):
        if i < 110:
            out.append(order(closed, extended, reached=True, resolution=resolutions[i], satisfaction=levels[i]))
        else:
            out.append(order(closed, extended, reached=False))
    return out


def test_h3_on_time_uses_the_approved_extended_deadline_and_scores_against_the_target():
    rates = entity_rates(entity_e(), PERIOD_END)
    assert (rates.on_time, rates.due) == (120, 125)
    assert str(shown(rates.on_time_rate)) == "96.00"
    rule = parse_rule({"type": "ratio_capped", "target": 99}, Fraction(10), "按时办结率", "rule", [])
    assert str(shown(score(rule, rates.on_time_rate))) == "9.70"


def test_an_order_closed_in_its_extension_is_on_time_and_an_open_order_past_its_deadline_is_late():
    assert closed_on_time(order(20, 25), PERIOD_END) is True
    assert closed_on_time(order(20), PERIOD_END) is False
    assert closed_on_time(order(None), PERIOD_END) is False
    assert closed_on_time(order(None), RECEIVED + timedelta(days=3)) is None  # not yet due: not judged


def test_h4_reach_and_resolution_with_partial_counted_as_zero_or_half():
    rates = entity_rates(entity_e(), PERIOD_END)
    assert str(shown(rates.reach_rate)) == "88.00"
    assert rates.resolution_n == 100
    assert str(shown(rates.resolution_rate)) == "80.00"
    half = entity_rates(entity_e(), PERIOD_END, RateOptions(Fraction(1, 2)))
    assert str(shown(half.resolution_rate)) == "86.00"
    assert RateOptions.from_settings({"hotline": {"partial_resolved": "half"}}).partial_weight == Fraction(1, 2)


def test_h5_satisfaction_is_the_weighted_rate_of_the_five_levels():
    rates = entity_rates(entity_e(), PERIOD_END)
    assert rates.satisfaction_n == 100
    assert str(shown(rates.satisfaction_rate)) == "81.80"


def test_h6_two_approved_appeals_leave_the_resolution_denominator():
    orders = entity_e()
    unresolved = [i for i, o in enumerate(orders) if o.resolution == "未解决"][:2]
    for i in unresolved:
        o = orders[i]
        orders[i] = CheckedOrder(o.deadline_at, o.extended_deadline_at, o.closed_at, o.reached,
                                 o.perceived_on_time, o.resolution, o.satisfaction, frozenset({RESOLUTION}))
    rates = entity_rates(orders, PERIOD_END)
    assert rates.resolution_n == 98
    assert rates.resolution_rate == Fraction(8000, 98)
    assert str(shown(rates.resolution_rate)) == "81.63"
    assert rates.on_time_rate == entity_rates(entity_e(), PERIOD_END).on_time_rate  # appeals never touch on-time


def test_problem_labels_of_an_order():
    late_unresolved = order(20, reached=True, resolution="未解决", satisfaction="2")
    assert problems(late_unresolved, PERIOD_END) == ["超时", "未解决", "不满意"]
    assert problems(order(10, reached=False), PERIOD_END, denied=True) == ["否认诉求"]
    assert problems(order(10, reached=True, resolution="已解决", satisfaction="5"), PERIOD_END) == []
