"""Satisfaction arithmetic from the seeds (weighted rates, indicator scores, grades)."""

from __future__ import annotations

from collections.abc import Mapping

from questionnaire.campaigns.scales import WEIGHTS


def weighted_rate(counts: Mapping[str, int], scale: str = "satisfaction") -> float | None:
    """Weighted mean in percent over the answers that gave a level; None if there are none.

    "Don't know" (weight None) is left out of both numerator and denominator.
    """
    weights = WEIGHTS[scale]
    total = 0
    points = 0
    for value, count in counts.items():
        weight = weights.get(value)
        if weight is None:
            continue
        total += count
        points += weight * count
    if total == 0:
        return None
    return points / total


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
