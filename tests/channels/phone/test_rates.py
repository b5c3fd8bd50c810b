"""P7: the rates of frame F, and half-up rounding for display."""

from __future__ import annotations

from questionnaire.channels.phone.outcomes import OUTCOMES
from questionnaire.channels.phone.rates import frame_rates
from questionnaire.kernel.numbers import shown as round_half_up

CLASSES = {code: o.aapor for code, o in OUTCOMES.items()}


def test_frame_f_has_a_success_rate_of_60_and_valid_numbers_87_5_percent():
    # 200 drawn: 160 finalised (96 complete, 20 refused, 24 no answer after 3 attempts, 10 空号 + 10 停机);
    # the 40 still in progress are not passed in: they are outside every denominator.
    rates = frame_rates({11: 96, 21: 20, 31: 24, 41: 10, 42: 10}, CLASSES)
    assert (rates.finalised, rates.completes) == (160, 96)
    assert str(round_half_up(rates.success_rate)) == "60.00"
    assert str(round_half_up(rates.valid_number_rate)) == "87.50"
    assert str(round_half_up(rates.refusal_rate)) == "12.50"
    assert str(round_half_up(rates.contact_rate)) == "72.50"


def test_a_frame_with_nothing_finalised_has_no_rate_rather_than_zero():
    rates = frame_rates({}, CLASSES)
    assert rates.success_rate is None and rates.valid_number_rate is None


def test_rates_round_half_up_from_full_precision():
    assert str(round_half_up(11.29 / 12 * 100)) == "94.08"  # seed 000 printed 94.07
