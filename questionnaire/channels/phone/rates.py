"""The phone rates of spec §4.7 (pure): 访问成功率, 有效号码率, 拒访率, 接触率.

All are over the **finalised** cases of a frame: numbers still being worked are outside the
denominator, bad numbers (空号, 停机, 号码错误) stay inside it (a frame of dead numbers is the
unit's responsibility). Percentages exact (kernel.numbers), shown half-up to 2 decimals.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from fractions import Fraction

from questionnaire.channels.phone.outcomes import BAD_NUMBER
from questionnaire.kernel.numbers import percent_or_none

SMALL_N = 10  # fewer completes than this: "样本不足" on the unit's own sheet


@dataclass(frozen=True)
class FrameRates:
    finalised: int
    completes: int
    success_rate: Fraction | None  # 访问成功率 = I / finalised
    valid_number_rate: Fraction | None  # 有效号码率 = 1 - (41 + 42 + 43) / finalised
    refusal_rate: Fraction | None  # 拒访率 = R / finalised
    contact_rate: Fraction | None  # 接触率 = (I + P + R + 51) / finalised


def frame_rates(final_by_outcome: Mapping[int, int], classes: Mapping[int, str]) -> FrameRates:
    """Rates from the counts of finalised cases by their last outcome code (`classes`: code -> AAPOR)."""
    finalised = sum(final_by_outcome.values())

    def of(predicate) -> int:
        return sum(n for code, n in final_by_outcome.items() if predicate(code))

    completes = of(lambda c: classes.get(c) == "I")
    bad = of(lambda c: c in BAD_NUMBER)
    contact = of(lambda c: classes.get(c) in ("I", "P", "R") or c == 51)
    return FrameRates(
        finalised, completes, percent_or_none(completes, finalised),
        None if not finalised else 100 - percent_or_none(bad, finalised),
        percent_or_none(of(lambda c: classes.get(c) == "R"), finalised), percent_or_none(contact, finalised))
