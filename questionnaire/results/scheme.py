"""A scoring scheme for one evaluated kind (county or city unit) of a campaign (pure).

The campaign file's optional `scoring` section holds one per kind:

    scoring:
      county:
        channel_weights: {qr: 60, leader: 25, phone: 15}   # percent, exactly 100 in all
        missing_channels: redistribute                    # or zero (weights.py)
        not_applicable: redistribute                      # or full_points (engine.py)
        grades: [{label: 优, min: 90}, {label: 良, min: 80}, {label: 中, min: 60}, {label: 差, min: 0}]
        rounds: {mid_year: 30, year_end: 70}              # how 中期 and 年终 combine (rounds.py)
        mid_year_campaign: hechi-2026-mid                 # on the year-end campaign: its mid-year round
        min_sample: {leader: 10, phone: 30, hotline: 30}  # the defaults; below it: 样本不足 (samples.py)
        below_min_sample: use                             # or drop (treated like a missing channel)
        tree: [...]                                       # tree.py

Parsing collects every problem with its path before refusing the scheme.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any

from questionnaire.results.grades import GradeBound, parse_bounds
from questionnaire.results.rounds import MID_YEAR, parse_rounds
from questionnaire.results.samples import BELOW_MIN_POLICIES, DEFAULT_MIN_SAMPLE, USE, parse_min_sample
from questionnaire.results.tree import Node, TreeError, parse_tree
from questionnaire.results.weights import MISSING_POLICIES, REDISTRIBUTE, parse_weights

KINDS = ("county", "city_unit")
KIND_LABELS = {"county": "县区", "city_unit": "市直单位"}
FULL_POINTS = "full_points"
NOT_APPLICABLE_POLICIES = (REDISTRIBUTE, FULL_POINTS)
KNOWN_KEYS = {"channel_weights", "missing_channels", "not_applicable", "grades", "rounds", "mid_year_campaign", "tree",
              "min_sample", "below_min_sample", "reason"}


@dataclass(frozen=True)
class Scheme:
    kind: str
    channel_weights: Mapping[str, Fraction]
    missing_channels: str
    not_applicable: str
    grades: tuple[GradeBound, ...]
    rounds: Mapping[str, Fraction]
    tree: tuple[Node, ...]
    mid_year_campaign: str | None = None  # slug of the mid-year campaign whose final results blend in
    min_sample: Mapping[str, int] = field(default_factory=lambda: dict(DEFAULT_MIN_SAMPLE))
    below_min_sample: str = USE  # or samples.DROP


class SchemeError(ValueError):
    def __init__(self, problems: list[str]):
        super().__init__("\n".join(problems))
        self.problems = problems


def scheme_data(raw: Any) -> dict:
    """The part of a campaign file's scheme that is stored as a version (without its `reason`)."""
    return {k: v for k, v in raw.items() if k != "reason"} if isinstance(raw, Mapping) else raw


def parse_scheme(kind: str, raw: Any, path: str | None = None) -> Scheme:
    path = path or f"scoring.{kind}"
    problems: list[str] = []
    if kind not in KINDS:
        raise SchemeError([f"{path}: 被评价对象类型必须是 {'/'.join(KINDS)} 之一"])
    if not isinstance(raw, Mapping):
        raise SchemeError([f"{path}: 必须是计分方案对象（channel_weights、tree 等）"])
    for key in sorted(set(raw) - KNOWN_KEYS):
        problems.append(f"{path}.{key}: 未知设置项")
    weights = parse_weights(raw.get("channel_weights"), f"{path}.channel_weights", problems)
    missing = raw.get("missing_channels", REDISTRIBUTE)
    if missing not in MISSING_POLICIES:
        problems.append(f"{path}.missing_channels: 必须是 {'/'.join(MISSING_POLICIES)} 之一")
    not_applicable = raw.get("not_applicable", REDISTRIBUTE)
    if not_applicable not in NOT_APPLICABLE_POLICIES:
        problems.append(f"{path}.not_applicable: 必须是 {'/'.join(NOT_APPLICABLE_POLICIES)} 之一")
    grades = parse_bounds(raw.get("grades"), f"{path}.grades", problems)
    rounds = parse_rounds(raw.get("rounds"), f"{path}.rounds", problems)
    mid_year_campaign = raw.get("mid_year_campaign")
    if mid_year_campaign is not None and (not isinstance(mid_year_campaign, str) or not mid_year_campaign.strip()):
        problems.append(f"{path}.mid_year_campaign: 必须是中期评议活动的 slug")
    if rounds.get(MID_YEAR) and mid_year_campaign is None:
        problems.append(f"{path}.mid_year_campaign: 轮次权重含中期评议，须写明中期评议活动的 slug")
    min_sample = parse_min_sample(raw.get("min_sample"), f"{path}.min_sample", problems)
    below = raw.get("below_min_sample", USE)
    if below not in BELOW_MIN_POLICIES:
        problems.append(f"{path}.below_min_sample: 必须是 {'/'.join(BELOW_MIN_POLICIES)} 之一"
                        "（use：样本不足仍计分；drop：按缺少数据的渠道处理）")
    tree: tuple[Node, ...] = ()
    try:
        tree = parse_tree(raw.get("tree"), f"{path}.tree")
    except TreeError as exc:
        problems.extend(exc.problems)
    if problems:
        raise SchemeError(problems)
    return Scheme(kind, weights, missing, not_applicable, grades, rounds, tree, mid_year_campaign, min_sample, below)
