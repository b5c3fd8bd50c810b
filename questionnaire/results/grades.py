"""Grades (优 / 良 / 中 / 差) from a score, with bounds the office may change (pure).

Default bounds are the seeds' (002/003): >= 90 优, >= 80 良, >= 60 中, below 60 差, each bound
inclusive. The grade is read off the score as published, rounded half-up to two decimals, so a
score shown as 90.00 is never graded 良.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

from questionnaire.kernel.numbers import NotANumber, as_text, exact, half_up


@dataclass(frozen=True)
class GradeBound:
    label: str
    min_score: Fraction


DEFAULT_BOUNDS: tuple[GradeBound, ...] = (
    GradeBound("优", Fraction(90)), GradeBound("良", Fraction(80)), GradeBound("中", Fraction(60)),
    GradeBound("差", Fraction(0)),
)


def parse_bounds(raw: Any, path: str, problems: list[str]) -> tuple[GradeBound, ...]:
    """[{label, min}, ...] from best to worst; the last bound must be 0 (every score gets a grade)."""
    if raw is None:
        return DEFAULT_BOUNDS
    if not isinstance(raw, Sequence) or isinstance(raw, str) or not raw:
        problems.append(f"{path}: 必须是等级列表，例如 [{{label: 优, min: 90}}, ...]")
        return DEFAULT_BOUNDS
    bounds: list[GradeBound] = []
    for i, item in enumerate(raw):
        if not isinstance(item, Mapping) or not isinstance(item.get("label"), str) or not item["label"].strip():
            problems.append(f"{path}[{i}]: 需要等级名称 label 和下限 min")
            continue
        try:
            low = exact(item.get("min"))
        except NotANumber:
            problems.append(f"{path}[{i}].min: 必须是数字")
            continue
        bounds.append(GradeBound(item["label"].strip(), low))
    lows = [b.min_score for b in bounds]
    if bounds and any(a <= b for a, b in zip(lows, lows[1:], strict=False)):
        problems.append(f"{path}: 等级下限必须从高到低严格递减")
    if bounds and lows[-1] != 0:
        problems.append(f"{path}: 最后一个等级的下限必须是 0，使每个得分都有等级")
    return tuple(bounds) if bounds else DEFAULT_BOUNDS


def grade(score: Fraction, bounds: Sequence[GradeBound] = DEFAULT_BOUNDS) -> str:
    """The first grade whose lower bound the published (two-decimal) score reaches."""
    shown = Fraction(half_up(score, 2))
    for bound in bounds:
        if shown >= bound.min_score:
            return bound.label
    return bounds[-1].label


def bounds_to_data(bounds: Sequence[GradeBound]) -> list[dict]:
    return [{"label": b.label, "min": as_text(b.min_score)} for b in bounds]
