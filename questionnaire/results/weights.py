"""Channel weights and the channel composite (pure; channels-spec 7.3).

社会评价得分 = Σ_c w_c x rate_c with Σ w_c = 100 %. The seeds give no weights, so the office
enters them per evaluated kind; a set that does not add up to exactly 100 % is refused, and
nothing is ever defaulted. A channel without rated answers for an entity (no phone interviews
yet, say) is handled by the scheme's `missing_channels` policy: `redistribute` (its weight is
shared pro rata by the channels that have data; the default, and the page says so) or `zero`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

from questionnaire.intake.channels import CHANNELS
from questionnaire.kernel.numbers import NotANumber, exact
from questionnaire.results.rules import number_text

REDISTRIBUTE, ZERO = "redistribute", "zero"
MISSING_POLICIES = (REDISTRIBUTE, ZERO)


def parse_weights(raw: Any, path: str, problems: list[str]) -> dict[str, Fraction]:
    """{channel: percent}; refused unless every channel is known, positive, and they sum to 100."""
    if not isinstance(raw, Mapping) or not raw:
        problems.append(f"{path}: 必须为每个计分渠道设定权重（百分比），例如 {{qr: 60, leader: 25, phone: 15}}")
        return {}
    weights: dict[str, Fraction] = {}
    for channel, value in raw.items():
        if channel not in CHANNELS:
            problems.append(f"{path}.{channel}: 未知渠道，必须是 {'/'.join(CHANNELS)} 之一")
            continue
        try:
            weight = exact(value)
        except NotANumber:
            problems.append(f"{path}.{channel}: 权重必须是数字（百分比）")
            continue
        if weight <= 0:
            problems.append(f"{path}.{channel}: 权重必须大于 0（不计分的渠道请删去）")
            continue
        weights[channel] = weight
    total = sum(weights.values(), Fraction(0))
    if len(weights) == len(raw) and total != 100:
        problems.append(f"{path}: 渠道权重合计为 {number_text(total)}%，必须恰好等于 100%")
    return weights


@dataclass(frozen=True)
class ChannelPart:
    channel: str
    weight: Fraction              # as set by the office, percent
    effective_weight: Fraction    # after redistributing missing channels, percent
    rate: Fraction | None
    points: Fraction              # effective_weight x rate / 100: its share of the composite
    lost: Fraction                # effective_weight - points


def composite(weights: Mapping[str, Fraction], rates: Mapping[str, Fraction | None],
              missing: str = REDISTRIBUTE) -> tuple[Fraction | None, list[ChannelPart]]:
    """(Σ w_c x rate_c / 100, one part per channel); None when no weighted channel has data."""
    present = sum((w for c, w in weights.items() if rates.get(c) is not None), Fraction(0))
    if present == 0:
        return None, [ChannelPart(c, w, Fraction(0), None, Fraction(0), Fraction(0)) for c, w in weights.items()]
    scale = Fraction(100) / present if missing == REDISTRIBUTE else Fraction(1)
    parts = []
    for channel, weight in weights.items():
        rate = rates.get(channel)
        effective = weight * scale if rate is not None else (weight if missing == ZERO else Fraction(0))
        points = effective * rate / 100 if rate is not None else Fraction(0)
        parts.append(ChannelPart(channel, weight, effective, rate, points, effective - points))
    return sum((p.points for p in parts), Fraction(0)), parts
