"""Minimum sample per channel in results (pure; channels-spec 7.3).

A channel with fewer answers for an entity than the scheme's minimum is flagged 样本不足; the
office decides per evaluated kind whether it is used anyway (`below_min_sample: use`, the
default) or dropped (`drop`: treated like a channel without data, so its weight is redistributed
or zeroed by the scheme's `missing_channels`, and leaves read from it score 样本不足). Defaults
are the spec's proposal: leader 10 ratings, phone 30 completes, hotline 30 reached; the WeChat
questionnaire has none. n is the channel's clean responses for the entity, counted together for
channels scored as another (a paper leader form counts as a leader rating,
intake.channels.scored_channel).

Not to be confused with intake.channels.MIN_ANSWERS_FOR_UNITS (leader: 5): that is a
confidentiality rule, how many ratings a county or unit ACCOUNT needs before it may see its own
leader rate on the dashboard and in exports. This one is a scoring rule: whether a channel's rate
is reliable enough to score with. The office sees every number either way.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from questionnaire.intake.channels import CHANNELS, HOTLINE, LEADER, PHONE, SCORED_AS, scored_channel

DEFAULT_MIN_SAMPLE = {LEADER: 10, PHONE: 30, HOTLINE: 30}
USE, DROP = "use", "drop"
BELOW_MIN_POLICIES = (USE, DROP)
SHORT_LABEL = "样本不足"


def parse_min_sample(raw: Any, path: str, problems: list[str]) -> dict[str, int]:
    """The defaults, overridden channel by channel by the file (0 = no minimum for that channel)."""
    minimums = dict(DEFAULT_MIN_SAMPLE)
    if raw is None:
        return minimums
    if not isinstance(raw, Mapping):
        problems.append(f"{path}: 必须是各渠道的最低样本量，例如 {{leader: 10, phone: 30, hotline: 30}}")
        return minimums
    for channel, value in raw.items():
        if channel in SCORED_AS:
            problems.append(f"{path}.{channel}: 该渠道与「{SCORED_AS[channel]}」合并计算样本量，请在 "
                            f"{SCORED_AS[channel]} 下设定")
        elif channel not in CHANNELS:
            problems.append(f"{path}.{channel}: 未知渠道，必须是 {'/'.join(CHANNELS)} 之一")
        elif isinstance(value, bool) or not isinstance(value, int) or value < 0:
            problems.append(f"{path}.{channel}: 最低样本量必须是不小于 0 的整数")
        else:
            minimums[channel] = value
    return {c: n for c, n in minimums.items() if n > 0}


def short_channels(minimums: Mapping[str, int], counts: Mapping[str, int]) -> frozenset[str]:
    """Channels that have answers for the entity, but fewer than their minimum (no answers at all
    is a missing channel, not a small sample)."""
    totals: dict[str, int] = {}
    for channel, n in counts.items():
        totals[scored_channel(channel)] = totals.get(scored_channel(channel), 0) + n
    return frozenset(c for c, least in minimums.items() if 0 < totals.get(c, 0) < least)
