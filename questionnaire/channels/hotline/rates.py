"""The hotline check's rates per entity (pure; spec §5.5), exact (kernel/numbers.py).

* 按时办结率 = sampled orders closed by their deadline (an approved extension is the deadline)
  ÷ sampled orders closed or due by the period end; an open order past its deadline is late. From the
  order timestamps, not from what the caller remembers.
* 回访成功率 = reached ÷ sampled (data quality, not scored).
* 诉求解决率 = 已解决 ÷ (已解决 + 部分解决 + 未解决) over reached callers who answered Q2;
  部分解决 counts as 0 (default) or ½ (`partial_weight`, per campaign).
* 处理满意率 = the 100/80/60/30/0 weighted rate of Q3 (campaigns/scoring.py, the one rate).
* 群众感知按时率 = Q1 是 ÷ (是 + 否): reported alongside, not scored.
An approved appeal takes its order out of that rate's denominator (and numerator).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from fractions import Fraction

from questionnaire.campaigns.scoring import exact_rate
from questionnaire.kernel.numbers import percent_or_none

RESOLVED, PARTIAL, UNRESOLVED = "已解决", "部分解决", "未解决"
RESOLUTIONS = (RESOLVED, PARTIAL, UNRESOLVED)
PERCEIVED = ("是", "否", "记不清")
CONTACTS = ("成功", "未接通", "拒访", "号码错误", "否认诉求")
REACHED = "成功"
DENIED = "否认诉求"
RESOLUTION, SATISFACTION = "resolution", "satisfaction"
APPEALABLE_RATES = (RESOLUTION, SATISFACTION)


@dataclass(frozen=True)
class RateOptions:
    """Per campaign (`campaign.settings["hotline"]`): 部分解决 counts 0 (default, the
    "已解决 only" form) or ½ (`partial_resolved: half`)."""

    partial_weight: Fraction = Fraction(0)

    @classmethod
    def from_settings(cls, settings: Mapping | None) -> RateOptions:
        hotline = (settings or {}).get("hotline") or {}
        return cls(Fraction(1, 2) if hotline.get("partial_resolved") == "half" else Fraction(0))


@dataclass(frozen=True)
class CheckedOrder:
    """What the rates need of one sampled order: its timestamps and its check's answers."""

    deadline_at: datetime | None
    extended_deadline_at: datetime | None
    closed_at: datetime | None
    reached: bool | None = None
    perceived_on_time: str | None = None
    resolution: str | None = None
    satisfaction: str | None = None
    appealed_out: frozenset[str] = field(default_factory=frozenset)  # rates an approved appeal removed it from

    def due_by(self) -> datetime | None:
        return self.extended_deadline_at or self.deadline_at


@dataclass(frozen=True)
class EntityRates:
    sampled: int
    due: int
    on_time: int
    reached: int
    resolution_n: int
    resolution_counts: Mapping[str, int]
    satisfaction_counts: Mapping[str, int]
    perceived_counts: Mapping[str, int]
    on_time_rate: Fraction | None
    reach_rate: Fraction | None
    resolution_rate: Fraction | None
    satisfaction_rate: Fraction | None
    perceived_on_time_rate: Fraction | None

    @property
    def satisfaction_n(self) -> int:
        return sum(n for level, n in self.satisfaction_counts.items() if level != "dk")


def closed_on_time(order: CheckedOrder, period_end: datetime) -> bool | None:
    """Closed by its deadline (True), late (False: closed after it, or still open past it at the
    period end), or not judged (None: still open and not yet due, or no deadline known)."""
    due = order.due_by()
    if due is None:
        return None
    if order.closed_at is not None:
        return order.closed_at <= due
    return None if due > period_end else False


def entity_rates(orders: Iterable[CheckedOrder], period_end: datetime,
                 options: RateOptions = RateOptions()) -> EntityRates:
    orders = list(orders)
    judged = [closed_on_time(o, period_end) for o in orders]
    due = sum(1 for j in judged if j is not None)
    on_time = sum(1 for j in judged if j)
    reached = [o for o in orders if o.reached]
    resolutions = Counter(o.resolution for o in reached
                          if o.resolution in RESOLUTIONS and RESOLUTION not in o.appealed_out)
    levels = Counter(o.satisfaction for o in reached
                     if o.satisfaction is not None and SATISFACTION not in o.appealed_out)
    perceived = Counter(o.perceived_on_time for o in reached if o.perceived_on_time in PERCEIVED)
    resolution_n = sum(resolutions.values())
    resolved = resolutions[RESOLVED] + options.partial_weight * resolutions[PARTIAL]
    return EntityRates(
        sampled=len(orders), due=due, on_time=on_time, reached=len(reached), resolution_n=resolution_n,
        resolution_counts=dict(resolutions), satisfaction_counts=dict(levels), perceived_counts=dict(perceived),
        on_time_rate=percent_or_none(on_time, due), reach_rate=percent_or_none(len(reached), len(orders)),
        resolution_rate=percent_or_none(resolved, resolution_n), satisfaction_rate=exact_rate(levels),
        perceived_on_time_rate=percent_or_none(perceived["是"], perceived["是"] + perceived["否"]))


def problems(order: CheckedOrder, period_end: datetime, denied: bool = False) -> list[str]:
    """The problem labels of a checked order (超时, 未解决, 不满意, 否认诉求)."""
    labels = []
    if closed_on_time(order, period_end) is False:
        labels.append("超时")
    if order.reached and order.resolution == UNRESOLVED:
        labels.append("未解决")
    if order.reached and order.satisfaction in ("2", "1"):
        labels.append("不满意")
    if denied:
        labels.append("否认诉求")
    return labels
