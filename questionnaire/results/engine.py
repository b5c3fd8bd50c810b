"""Score one entity with a scheme, and rank entities (pure).

Inputs are figures already computed from counts (channel and question rates from the tallies
through campaigns/scoring.py, external figures as the office entered them). Every leaf's score
comes from its rule; a branch's score is the sum of its children's. A not-applicable leaf is
left out: with the tree's policy `redistribute` its siblings' points are scaled up pro rata to
fill their parent's points, with `full_points` it keeps its full points. A leaf without a value
yet (no rated answers, nothing entered) scores 0 and says 暂无数据. A channel below the scheme's
minimum sample is flagged 样本不足 and, when the scheme drops such channels, scored as if it had no
data (results/samples.py).
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, field
from fractions import Fraction

from questionnaire.kernel.numbers import half_up
from questionnaire.results import rules
from questionnaire.results.grades import grade
from questionnaire.results.inputs import CHANNEL, EXTERNAL, QUESTION, WEIGHTED
from questionnaire.results.samples import DROP, SHORT_LABEL, short_channels
from questionnaire.results.scheme import FULL_POINTS, Scheme
from questionnaire.results.tree import Node
from questionnaire.results.weights import ChannelPart, composite

Value = Fraction | int | Collection[str]


@dataclass(frozen=True)
class EntityInputs:
    channel_rates: Mapping[str, Fraction | None]                    # channel -> satisfaction index
    channel_counts: Mapping[str, int] = field(default_factory=dict)  # channel -> responses (n)
    question_rates: Mapping[tuple[str, str], Fraction | None] = field(default_factory=dict)
    externals: Mapping[str, Value] = field(default_factory=dict)    # key -> figure entered by the office


@dataclass(frozen=True)
class NodeScore:
    node: Node
    points: Fraction          # the points this node counts for after not-applicable redistribution
    awarded: Fraction
    value: Value | None = None
    note: str = ""            # 暂无数据 / 不适用
    children: tuple[NodeScore, ...] = ()

    @property
    def lost(self) -> Fraction:
        return self.points - self.awarded


@dataclass(frozen=True)
class EntityScore:
    total: Fraction
    grade: str
    composite: Fraction | None
    channels: tuple[ChannelPart, ...]
    nodes: tuple[NodeScore, ...]
    short_channels: frozenset[str] = frozenset()  # below their minimum sample: 样本不足
    dropped_channels: frozenset[str] = frozenset()  # ... and left out of the score (below_min_sample: drop)

    def leaves(self) -> list[NodeScore]:
        out: list[NodeScore] = []
        stack = list(reversed(self.nodes))
        while stack:
            item = stack.pop()
            if item.children:
                stack.extend(reversed(item.children))
            else:
                out.append(item)
        return out

    def losses(self) -> list[NodeScore]:
        """Where the entity loses points: leaves below their points, the largest loss first."""
        return sorted((s for s in self.leaves() if s.lost > 0), key=lambda s: (-s.lost, s.node.path))


def evaluate(scheme: Scheme, inputs: EntityInputs) -> EntityScore:
    short = short_channels(scheme.min_sample, inputs.channel_counts)
    dropped = short if scheme.below_min_sample == DROP else frozenset()
    if dropped:
        inputs = _without(inputs, dropped)
    weighted, parts = composite(scheme.channel_weights, inputs.channel_rates, scheme.missing_channels)
    factor = Fraction(1)
    if scheme.not_applicable != FULL_POINTS:  # the first level shares 100 points like any parent
        live = sum((n.points for n in scheme.tree if _applicable(n)), Fraction(0))
        factor = Fraction(100) / live if live else Fraction(0)
    nodes = _score_nodes(scheme, scheme.tree, factor, inputs, weighted, dropped)
    total = sum((n.awarded for n in nodes), Fraction(0))
    return EntityScore(total, grade(total, scheme.grades), weighted, tuple(parts), nodes, short, dropped)


def _without(inputs: EntityInputs, channels: frozenset[str]) -> EntityInputs:
    """The inputs with these channels' rates taken out, as if they had no data (counts stay: n is shown)."""
    return EntityInputs({c: (None if c in channels else r) for c, r in inputs.channel_rates.items()},
                        inputs.channel_counts,
                        {k: (None if k[0] in channels else r) for k, r in inputs.question_rates.items()},
                        inputs.externals)


def _value(node: Node, inputs: EntityInputs, weighted: Fraction | None) -> Value | None:
    source = node.input
    if source.kind == WEIGHTED:
        return weighted
    if source.kind == CHANNEL:
        return inputs.channel_rates.get(source.channel)
    if source.kind == QUESTION:
        return inputs.question_rates.get((source.channel, source.question))
    if source.kind == EXTERNAL:
        return inputs.externals.get(source.key)
    raise ValueError(source.kind)


def _applicable(node: Node) -> bool:
    return not node.not_applicable if node.is_leaf else any(_applicable(c) for c in node.children)


def _score_nodes(scheme: Scheme, nodes: Sequence[Node], factor: Fraction, inputs: EntityInputs,
                 weighted: Fraction | None, dropped: frozenset[str]) -> tuple[NodeScore, ...]:
    return tuple(_score_node(scheme, n, factor, inputs, weighted, dropped) for n in nodes)


def _score_node(scheme: Scheme, node: Node, factor: Fraction, inputs: EntityInputs,
                weighted: Fraction | None, dropped: frozenset[str]) -> NodeScore:
    points = node.points * factor
    if not _applicable(node):
        # Under full_points an excluded node keeps its points; under redistribute the caller
        # scaled its siblings up, so it counts for nothing.
        kept = points if scheme.not_applicable == FULL_POINTS else Fraction(0)
        return NodeScore(node, kept, kept, note="不适用")
    if node.is_leaf:
        value = _value(node, inputs, weighted)
        if value is None:
            short = node.input.kind in (CHANNEL, QUESTION) and node.input.channel in dropped
            return NodeScore(node, points, Fraction(0), note=SHORT_LABEL if short else "暂无数据")
        return NodeScore(node, points, rules.score(node.rule, value) * factor, value=value)
    child_factor = factor
    if scheme.not_applicable != FULL_POINTS:
        live = sum((c.points for c in node.children if _applicable(c)), Fraction(0))
        child_factor = factor * node.points / live
    children = _score_nodes(scheme, node.children, child_factor, inputs, weighted, dropped)
    return NodeScore(node, points, sum((c.awarded for c in children), Fraction(0)), children=children)


def rank(totals: Mapping[int, Fraction]) -> dict[int, tuple[int, bool]]:
    """Rank by the published (two-decimal) score: equal scores share a rank (shown 并列).

    Returns id -> (rank, tied). Competition ranking: 1, 2, 2, 4.
    """
    shown = {key: half_up(total, 2) for key, total in totals.items()}
    ordered = sorted(shown.values(), reverse=True)
    counts: dict = {}
    for value in ordered:
        counts[value] = counts.get(value, 0) + 1
    return {key: (ordered.index(value) + 1, counts[value] > 1) for key, value in shown.items()}
