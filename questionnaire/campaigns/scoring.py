"""Satisfaction arithmetic from the seeds (weighted rates, the satisfaction index, indicator scores, grades).

The one implementation every surface uses: the tally worker's counts become rates here
for the dashboard and the exports alike.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable, Mapping
from decimal import ROUND_HALF_UP, Decimal
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


def weighted_rate(counts: Counts, scale: str | None = DEFAULT_SCALE) -> float | None:
    """Weighted mean in percent over the answers that gave a level; None if there are none."""
    points, rated = rate_points(counts, scale)
    return points / rated if rated else None


def satisfaction_index(per_question_counts: Mapping[K, Counts], scales: Mapping[K, str | None]) -> float | None:
    """满意度指数: the mean of the rating questions' weighted rates, each question weighing the same.

    `per_question_counts` maps each rating question (any key) to its option counts, already
    summed over the scope; `scales` gives each question's scale. Questions without a rated
    answer are skipped; None if no question has one. The seeds score each question as an
    indicator of its own, so a question many people skipped ("不了解") still counts as one.
    """
    rates = [rate for rate in (weighted_rate(counts, scales.get(key)) for key, counts in per_question_counts.items())
             if rate is not None]
    return sum(rates) / len(rates) if rates else None


def indicator_score(rate: float, target: float, points: float) -> float:
    """Score = rate / target x points, capped at the indicator's points (85/96 x 10 = 8.85)."""
    if target <= 0:
        raise ValueError("target must be positive")
    return min(points, round(rate / target * points, 2))


def grade(score: float) -> str:
    """>= 90 优, 80-90 良, 60-80 中, < 60 差."""
    if score >= 90:
        return "优"
    if score >= 80:
        return "良"
    if score >= 60:
        return "中"
    return "差"


def round_half_up(value: float | None, places: int = 2) -> Decimal | None:
    """A rate for display: half-up at `places` decimals (94.075 -> 94.08), from full precision."""
    if value is None:
        return None
    return Decimal(repr(value)).quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)


def ratio_percent(part: int, whole: int) -> float | None:
    """part / whole in percent; None when there is no whole (a rate of nothing is not 0 %)."""
    return part * 100 / whole if whole else None
