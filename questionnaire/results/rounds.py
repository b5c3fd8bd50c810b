"""How the 中期 (mid-year) and 年终 (year-end) rounds combine into the year's result (pure).

The seeds are silent, so it is a scheme setting: round weights in percent adding up to 100,
e.g. `{mid_year: 30, year_end: 70}`. Left out, the year's result is the year-end round's alone
(`{year_end: 100}`), which the results page states.
"""

from __future__ import annotations

from collections.abc import Mapping
from fractions import Fraction
from typing import Any

from questionnaire.kernel.numbers import NotANumber, exact
from questionnaire.results.rules import number_text

MID_YEAR, YEAR_END = "mid_year", "year_end"
ROUND_LABELS = {MID_YEAR: "中期评议", YEAR_END: "年终评议"}
YEAR_END_ONLY: Mapping[str, Fraction] = {YEAR_END: Fraction(100)}


def parse_rounds(raw: Any, path: str, problems: list[str]) -> Mapping[str, Fraction]:
    if raw is None:
        return YEAR_END_ONLY
    if not isinstance(raw, Mapping) or not raw or set(raw) - set(ROUND_LABELS):
        problems.append(f"{path}: 必须是各轮次权重，例如 {{mid_year: 30, year_end: 70}}")
        return YEAR_END_ONLY
    weights = {}
    for name, value in raw.items():
        try:
            weights[name] = exact(value)
        except NotANumber:
            problems.append(f"{path}.{name}: 权重必须是数字（百分比）")
            return YEAR_END_ONLY
        if weights[name] < 0:
            problems.append(f"{path}.{name}: 权重不能为负数")
            return YEAR_END_ONLY
    total = sum(weights.values(), Fraction(0))
    if total != 100:
        problems.append(f"{path}: 轮次权重合计为 {number_text(total)}%，必须恰好等于 100%")
    return weights


def combine_rounds(scores: Mapping[str, Fraction | None], weights: Mapping[str, Fraction]) -> Fraction | None:
    """The year's score: Σ round weight x round score; None while a weighted round has no score."""
    total = Fraction(0)
    for name, weight in weights.items():
        if weight == 0:
            continue
        score = scores.get(name)
        if score is None:
            return None
        total += weight * score / 100
    return total


def describe_rounds(weights: Mapping[str, Fraction]) -> str:
    parts = [f"{ROUND_LABELS[n]} {number_text(w)}%" for n, w in weights.items() if w]
    return "全年结果 = " + " + ".join(parts)
