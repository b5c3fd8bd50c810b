"""Where a leaf indicator's value comes from (pure).

* `{channel: qr}`: the channel's satisfaction index for the entity (campaigns/scoring.py, from
  the tallies' counts; never a typed percentage);
* `{channel: qr, question: public_security}`: one question's weighted rate in that channel;
* `weighted_channels`: the channel composite, Σ weight x channel rate over the scheme's weights;
* `{external: KEY, label: 名称}`: a figure the office enters per entity with its source (an
  external indicator: hotline KPIs, a rectification rate from its counts, incidents, items met);
* `{external: KEY, feed: rectification}`: the same leaf, read from a feature's own records where
  it has data for the entity (the rectification package's on-time rate, results/feeds.py), the
  entered figure under KEY being the fallback.

Rules that score a count of incidents or the items met take only an external input.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from questionnaire.intake.channels import CHANNEL_LABELS, CHANNELS
from questionnaire.results.rules import COUNT, ITEMS, RATE, Rule

CHANNEL, QUESTION, WEIGHTED, EXTERNAL = "channel", "question", "weighted_channels", "external"
KEY_CHARS = set("abcdefghijklmnopqrstuvwxyz0123456789_")
RECTIFICATION = "rectification"
FEEDS = {RECTIFICATION: "意见建议整改台账"}  # feed name -> where its figures come from


@dataclass(frozen=True)
class LeafInput:
    kind: str
    channel: str | None = None
    question: str | None = None
    key: str | None = None     # an external figure's key
    label: str | None = None   # an external figure's name as the office enters it
    feed: str | None = None    # a feed that supplies the figure where it has data (FEEDS)
    value_kind: str = RATE     # rate (percent), count (incidents) or items (checklist items met)

    def describe(self) -> str:
        if self.kind == WEIGHTED:
            return "各渠道加权满意率"
        if self.kind == CHANNEL:
            return f"{CHANNEL_LABELS[self.channel]}满意度指数"
        if self.kind == QUESTION:
            return f"{CHANNEL_LABELS[self.channel]}第「{self.question}」题满意率"
        if self.feed:
            return f"{FEEDS[self.feed]}（无台账数据时为绩效办录入）：{self.label or self.key}"
        return f"绩效办录入：{self.label or self.key}"


def parse_input(raw: Any, rule: Rule, node_name: str, path: str, problems: list[str]) -> LeafInput | None:
    value_kind = rule.value_kind
    if raw == WEIGHTED:
        parsed = LeafInput(WEIGHTED)
    elif isinstance(raw, Mapping) and raw.get("external") is not None:
        key = raw["external"]
        if not isinstance(key, str) or not key or not set(key) <= KEY_CHARS:
            problems.append(f"{path}.external: 指标「{node_name}」的外部指标编号只能用小写字母、数字和下划线")
            return None
        label, feed = raw.get("label"), raw.get("feed")
        if feed is not None and (feed not in FEEDS or value_kind != RATE):
            problems.append(f"{path}.feed: 指标「{node_name}」的数据来源只能是 {'/'.join(FEEDS)}"
                            "（且须为比率类计分规则）")
            return None
        return LeafInput(EXTERNAL, key=key, label=str(label) if label else node_name, value_kind=value_kind,
                         feed=feed)
    elif isinstance(raw, Mapping) and raw.get("channel") is not None:
        if raw["channel"] not in CHANNELS:
            problems.append(f"{path}.channel: 指标「{node_name}」的渠道必须是 {'/'.join(CHANNELS)} 之一")
            return None
        question = raw.get("question")
        if question is not None and (not isinstance(question, str) or not question):
            problems.append(f"{path}.question: 指标「{node_name}」的题目编号必须是文本")
            return None
        parsed = LeafInput(QUESTION if question else CHANNEL, channel=raw["channel"], question=question)
    else:
        problems.append(f"{path}: 指标「{node_name}」需要数据来源：{{channel: 渠道}}、"
                        f"{{channel: 渠道, question: 题目}}、{WEIGHTED} 或 {{external: 编号}}")
        return None
    if value_kind in (COUNT, ITEMS):
        problems.append(f"{path}: 指标「{node_name}」按次扣分或逐项达成，数据须由绩效办录入（external）")
        return None
    return parsed
