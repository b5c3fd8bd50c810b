"""Satisfaction arithmetic from the seeds (weighted rates and the satisfaction index).

The one implementation every surface uses: the tally worker's counts become rates here
for the dashboard, the exports and the results engine alike. Indicator scores and grades
are the results engine's (questionnaire/results/rules.py, grades.py).
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable, Mapping
from fractions import Fraction
from typing import TypeVar

from questionnaire.campaigns.scales import WEIGHTS

DEFAULT_SCALE = "satisfaction"
K = TypeVar("K", bound=Hashable)
Counts = Mapping[str, int] | Iterable[tuple[str, int]]


def rate_points(counts: Counts, scale: str | None = DEFAULT_SCALE) -> tuple[int, int]:
    """(weighted points, rated answers) of one question's option counts.

    Kept apart so sums across scopes (entry points, townships) happen before dividing.
    "Don't know" (weight None) and values not on the scale are left out of both.
    """
    weights = WEIGHTS[scale or DEFAULT_SCALE]
    points = rated = 0
    for value, n in (counts.items() if isinstance(counts, Mapping) else counts):
        weight = weights.get(value)
        if weight is None:
            continue
        points += weight * n
        rated += n
    return points, rated


def exact_rate(counts: Counts, scale: str | None = DEFAULT_SCALE) -> Fraction | None:
    """The weighted rate in percent as an exact fraction (for scores rounded half-up at display)."""
    points, rated = rate_points(counts, scale)
    return Fraction(points, rated) if rated else None


def weighted_rate(counts: Counts, scale: str | None = DEFAULT_SCALE) -> float | None:
    """Weighted mean in percent over the answers that gave a level; None if there are none."""
    rate = exact_rate(counts, scale)
    return float(rate) if rate is not None else None


def exact_satisfaction_index(per_question_counts: Mapping[K, Counts],
                             scales: Mapping[K, str | None]) -> Fraction | None:
    """The satisfaction index (see `satisfaction_index`) as an exact fraction."""
    rates = [rate for rate in (exact_rate(counts, scales.get(key)) for key, counts in per_question_counts.items())
             if rate is not None]
    return sum(rates, Fraction(0)) / len(rates) if rates else None


def satisfaction_index(per_question_counts: Mapping[K, Counts], scales: Mapping[K, str | None]) -> float | None:
    """满意度指数: the mean of the rating questions' weighted rates, each question weighing the same.

    `per_question_counts` maps each rating question (any key) to its option counts, already
    summed over the scope; `scales` gives each question's scale. Questions without a rated
    answer are skipped; None if no question has one. The seeds score each question as an
    indicator of its own, so a question many people skipped ("不了解") still counts as one.
    """
    index = exact_satisfaction_index(per_question_counts, scales)
    return float(index) if index is not None else None
