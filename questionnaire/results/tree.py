"""Indicator trees (一级 / 二级 / 三级 indicators) and their validation (pure).

A tree is a list of first-level nodes. Every node has a name and points (分值); a branch has
children whose points add up to its own, a leaf has a rule and (unless not applicable) an
input. The first-level points add up to 100. A tree that breaks either rule is refused
with a message naming the node: seed 003 breaks both (「过程：分值 23 分」 over a table giving
20; 预算执行率 is a 6-point indicator whose formula says 「×4分」).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any

from questionnaire.kernel.numbers import NotANumber, exact
from questionnaire.results.inputs import LeafInput, parse_input
from questionnaire.results.rules import NOT_APPLICABLE, Rule, number_text, parse_rule

LEVEL_LABELS = ("一级指标", "二级指标", "三级指标")
TOTAL_POINTS = Fraction(100)
TEXT_FIELDS = ("explanation", "criteria", "evidence_source", "method")  # 指标解释, 评价标准, 依据来源, 证据收集方式


@dataclass(frozen=True)
class Node:
    name: str
    points: Fraction
    level: int  # 1, 2 or 3
    path: str   # "群众满意度 > 治安满意率": names from the root, unique in the tree
    children: tuple[Node, ...] = ()
    rule: Rule | None = None
    input: LeafInput | None = None
    texts: Mapping[str, str] = field(default_factory=dict)

    @property
    def is_leaf(self) -> bool:
        return not self.children

    @property
    def level_label(self) -> str:
        return LEVEL_LABELS[self.level - 1]

    @property
    def not_applicable(self) -> bool:
        return self.rule is not None and self.rule.type == NOT_APPLICABLE


class TreeError(ValueError):
    def __init__(self, problems: list[str]):
        super().__init__("\n".join(problems))
        self.problems = problems


def parse_tree(raw: Any, path: str = "tree") -> tuple[Node, ...]:
    """Parse and validate a tree; TreeError lists every problem, each naming its node."""
    problems: list[str] = []
    nodes = _parse_nodes(raw, 1, "", path, problems)
    if not problems:
        total = sum((n.points for n in nodes), Fraction(0))
        if total != TOTAL_POINTS:
            problems.append(f"{path}: 一级指标分值合计 {number_text(total)} 分，必须为 100 分")
        paths = [n.path for n in walk(nodes)]
        dupes = sorted({p for p in paths if paths.count(p) > 1})
        if dupes:
            problems.append(f"{path}: 同一上级下的指标名称重复：{'、'.join(dupes)}")
    if problems:
        raise TreeError(problems)
    return nodes


def _parse_nodes(raw: Any, level: int, parent_path: str, path: str, problems: list[str]) -> tuple[Node, ...]:
    if not isinstance(raw, Sequence) or isinstance(raw, str) or not raw:
        problems.append(f"{path}: 必须是指标列表（至少一项）")
        return ()
    nodes = []
    for i, item in enumerate(raw):
        node = _parse_node(item, level, parent_path, f"{path}[{i}]", problems)
        if node is not None:
            nodes.append(node)
    return tuple(nodes)


def _parse_node(raw: Any, level: int, parent_path: str, path: str, problems: list[str]) -> Node | None:
    if not isinstance(raw, Mapping) or not isinstance(raw.get("name"), str) or not raw["name"].strip():
        problems.append(f"{path}: 每个指标需要名称 name")
        return None
    name = raw["name"].strip()
    try:
        points = exact(raw.get("points"))
    except NotANumber:
        problems.append(f"{path}.points: 指标「{name}」的分值必须是数字")
        return None
    if points <= 0:
        problems.append(f"{path}.points: 指标「{name}」的分值必须大于 0")
        return None
    node_path = f"{parent_path} > {name}" if parent_path else name
    texts = {key: str(raw[key]) for key in TEXT_FIELDS if raw.get(key) is not None}
    children_raw = raw.get("children")
    if children_raw is not None:
        if level == len(LEVEL_LABELS):
            problems.append(f"{path}.children: 指标「{name}」已是三级指标，不能再有下级")
            return None
        if raw.get("rule") is not None:
            problems.append(f"{path}: 指标「{name}」有下级指标，计分规则应写在末级指标上")
        children = _parse_nodes(children_raw, level + 1, node_path, f"{path}.children", problems)
        total = sum((c.points for c in children), Fraction(0))
        if children and len(children) == len(children_raw) and total != points:
            problems.append(f"{path}: 指标「{name}」的分值为 {number_text(points)} 分，"
                            f"下级指标分值合计却为 {number_text(total)} 分")
        return Node(name, points, level, node_path, children=children, texts=texts)
    rule = parse_rule(raw.get("rule"), points, name, f"{path}.rule", problems)
    if rule is None:
        return None
    leaf_input = None
    if rule.type != NOT_APPLICABLE:
        leaf_input = parse_input(raw.get("input"), rule, name, f"{path}.input", problems)
        if leaf_input is None:
            return None
    return Node(name, points, level, node_path, rule=rule, input=leaf_input, texts=texts)


def walk(nodes: Sequence[Node]) -> Iterator[Node]:
    for node in nodes:
        yield node
        yield from walk(node.children)


def leaves(nodes: Sequence[Node]) -> list[Node]:
    return [n for n in walk(nodes) if n.is_leaf]
