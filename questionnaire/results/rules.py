"""Leaf scoring rules of an indicator tree (pure), all found in the seeds (channels-spec 7.2).

| type | score |
|---|---|
| ratio_capped | min(value / target, 1) x points; `direction: at_most` (cost) uses target / value |
| proportional | value (percent, 0-100) / 100 x points |
| threshold | points when value reaches target (at_most: stays at or below it), else 0 |
| deduct_per_incident | max(0, points - k x incidents) |
| checklist | the points of the items 达成 (met); each item 达成 or 未达成 |
| not_applicable | the node is left out; the tree's policy says what its points become |

A rule's `points` may be left out (it takes its node's); when given it must equal them.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any

from questionnaire.kernel.numbers import NotANumber, exact

RATIO_CAPPED = "ratio_capped"
PROPORTIONAL = "proportional"
THRESHOLD = "threshold"
DEDUCT_PER_INCIDENT = "deduct_per_incident"
CHECKLIST = "checklist"
NOT_APPLICABLE = "not_applicable"
RULE_TYPES = (RATIO_CAPPED, PROPORTIONAL, THRESHOLD, DEDUCT_PER_INCIDENT, CHECKLIST, NOT_APPLICABLE)
RULE_LABELS = {RATIO_CAPPED: "达标率封顶", PROPORTIONAL: "按比例", THRESHOLD: "达标得分",
               DEDUCT_PER_INCIDENT: "按次扣分", CHECKLIST: "逐项达成", NOT_APPLICABLE: "不适用"}
AT_LEAST, AT_MOST = "at_least", "at_most"
# What kind of figure a rule scores: a rate in percent, a count of incidents, or the items met.
RATE, COUNT, ITEMS = "rate", "count", "items"


@dataclass(frozen=True)
class ChecklistItem:
    name: str
    points: Fraction


@dataclass(frozen=True)
class Rule:
    type: str
    points: Fraction
    target: Fraction | None = None
    direction: str = AT_LEAST
    per_incident: Fraction | None = None
    items: tuple[ChecklistItem, ...] = field(default_factory=tuple)

    @property
    def value_kind(self) -> str | None:
        return {DEDUCT_PER_INCIDENT: COUNT, CHECKLIST: ITEMS, NOT_APPLICABLE: None}.get(self.type, RATE)

    def describe(self) -> str:
        """The rule as the office reads it on the results page."""
        sign = "≤" if self.direction == AT_MOST else "≥"
        if self.type == RATIO_CAPPED:
            ratio = "目标值 ÷ 实际值" if self.direction == AT_MOST else "实际值 ÷ 目标值"
            return f"得分 = min({ratio}, 1) × {number_text(self.points)} 分（目标 {sign}{number_text(self.target)}%）"
        if self.type == PROPORTIONAL:
            return f"得分 = 实际值 × {number_text(self.points)} 分"
        if self.type == THRESHOLD:
            return f"达到 {sign}{number_text(self.target)}% 得 {number_text(self.points)} 分，否则 0 分"
        if self.type == DEDUCT_PER_INCIDENT:
            return f"每出现 1 次扣 {number_text(self.per_incident)} 分，扣完为止（{number_text(self.points)} 分）"
        if self.type == CHECKLIST:
            return "逐项达成得分：" + "、".join(f"{i.name}（{number_text(i.points)} 分）" for i in self.items)
        return "此项不涉及"


def number_text(value: Fraction | None) -> str:
    if value is None:
        return ""
    return str(value.numerator) if value.denominator == 1 else f"{float(value):g}"


def _number(raw: Any, path: str, problems: list[str], positive: bool = True) -> Fraction | None:
    try:
        value = exact(raw)
    except NotANumber:
        problems.append(f"{path}: 必须是数字")
        return None
    if value < 0 or (positive and value == 0):
        problems.append(f"{path}: 必须大于 0" if positive else f"{path}: 不能为负数")
        return None
    return value


def parse_rule(raw: Any, node_points: Fraction, node_name: str, path: str, problems: list[str]) -> Rule | None:
    """A leaf's rule; refused (with the node named) when its points differ from the node's."""
    if isinstance(raw, str):
        raw = {"type": raw}
    if not isinstance(raw, Mapping) or raw.get("type") not in RULE_TYPES:
        problems.append(f"{path}: 指标「{node_name}」的计分规则 type 必须是 {'/'.join(RULE_TYPES)} 之一")
        return None
    kind = raw["type"]
    points = node_points
    if raw.get("points") is not None:
        declared = _number(raw["points"], f"{path}.points", problems)
        if declared is None:
            return None
        if declared != node_points:
            problems.append(f"{path}.points: 指标「{node_name}」的计分规则分值 {number_text(declared)} 分"
                            f"与指标分值 {number_text(node_points)} 分不一致")
            return None
    direction = raw.get("direction", AT_LEAST)
    if direction not in (AT_LEAST, AT_MOST):
        problems.append(f"{path}.direction: 必须是 {AT_LEAST}（越高越好）或 {AT_MOST}（越低越好）")
        return None
    if kind in (RATIO_CAPPED, THRESHOLD):
        target = _number(raw.get("target"), f"{path}.target", problems)
        return Rule(kind, points, target=target, direction=direction) if target is not None else None
    if kind == DEDUCT_PER_INCIDENT:
        k = _number(raw.get("per_incident"), f"{path}.per_incident", problems)
        return Rule(kind, points, per_incident=k) if k is not None else None
    if kind == CHECKLIST:
        return _checklist(raw.get("items"), points, node_name, path, problems)
    return Rule(kind, points)


def _checklist(raw: Any, points: Fraction, node_name: str, path: str, problems: list[str]) -> Rule | None:
    if not isinstance(raw, Sequence) or isinstance(raw, str) or not raw:
        problems.append(f"{path}.items: 指标「{node_name}」的逐项达成规则需要评价要点列表")
        return None
    items = []
    for i, item in enumerate(raw):
        if not isinstance(item, Mapping) or not isinstance(item.get("name"), str) or not item["name"].strip():
            problems.append(f"{path}.items[{i}]: 需要要点名称 name 和分值 points")
            return None
        item_points = _number(item.get("points"), f"{path}.items[{i}].points", problems)
        if item_points is None:
            return None
        items.append(ChecklistItem(item["name"].strip(), item_points))
    total = sum((i.points for i in items), Fraction(0))
    if total != points:
        problems.append(f"{path}.items: 指标「{node_name}」的评价要点分值合计 {number_text(total)} 分"
                        f"与指标分值 {number_text(points)} 分不一致")
        return None
    return Rule(CHECKLIST, points, items=tuple(items))


def score(rule: Rule, value: Fraction | int | Collection[str]) -> Fraction:
    """Points awarded for `value` (a rate in percent, a count of incidents, or the items met)."""
    if rule.type == RATIO_CAPPED:
        value = Fraction(value)
        if rule.direction == AT_MOST:
            ratio = Fraction(1) if value <= 0 else rule.target / value
        else:
            ratio = value / rule.target
        return min(max(ratio, Fraction(0)), Fraction(1)) * rule.points
    if rule.type == PROPORTIONAL:
        return min(max(Fraction(value), Fraction(0)), Fraction(100)) / 100 * rule.points
    if rule.type == THRESHOLD:
        value = Fraction(value)
        met = value <= rule.target if rule.direction == AT_MOST else value >= rule.target
        return rule.points if met else Fraction(0)
    if rule.type == DEDUCT_PER_INCIDENT:
        return max(Fraction(0), rule.points - rule.per_incident * int(value))
    if rule.type == CHECKLIST:
        met = set(value)
        return sum((item.points for item in rule.items if item.name in met), Fraction(0))
    raise ValueError("a not-applicable node has no score")
