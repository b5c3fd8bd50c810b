"""What a report is built from: plain data the service reads once per campaign (pure).

An entity's figures arrive as the results package presents them (`results.present.entity`: the
display strings of the results page and its JSON, or the frozen copy of a final publication),
so a report can never say another number than the results page. Per-question option counts
come from the same tally read as the standings (`results.standings.entity_counts`), with each
question's rate from the standings' inputs.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from fractions import Fraction

from questionnaire.campaigns.scales import SCALES, Level
from questionnaire.results.scheme import Scheme


@dataclass(frozen=True)
class CampaignInfo:
    title: str
    year: int
    round_label: str        # 年度评议 / 中期评议 / 年终评议
    organizer: str
    period: str             # 调查时间：2026年05月01日 至 2026年10月31日
    as_of: str              # when the tallies were last complete (China time), or ""
    generated_at: str       # when this report was generated (China time)


@dataclass(frozen=True)
class Status:
    """Where the kind's results stand: final reports carry no watermark, anything earlier is a draft."""
    final: bool
    label: str              # 最终结果 / 初步结果（征求意见） / 实时结果（尚未发布）
    note: str               # one sentence for the report's front matter


@dataclass(frozen=True)
class QuestionCounts:
    channel: str
    channel_label: str
    question_id: str
    title: str
    scale: str | None
    counts: Mapping[str, int]       # option value -> answers (clean responses, summed over points)
    rate: Fraction | None           # the weighted rate (campaigns/scoring.py) the results use

    @property
    def levels(self) -> tuple[Level, ...]:
        return SCALES[self.scale or "satisfaction"]


@dataclass(frozen=True)
class EnteredFigure:
    key: str                # the external input's key in the scheme
    name: str               # the indicator's name
    entered: str            # as entered: "541 / 625", "3 次"
    value: str              # as scored: "86.56%"
    source: str
    fed: bool = False       # read from the rectification ledger, not typed by the office (results/feeds.py)


@dataclass(frozen=True)
class EntitySource:
    campaign: CampaignInfo
    status: Status
    kind_label: str                      # 县区 / 市直单位
    scheme: Scheme
    scheme_info: Mapping                 # results.present.scheme_info
    entity: Mapping                      # results.present.entity (display strings)
    plan: int | None                     # the WeChat questionnaire's target for the entity
    questions: Sequence[QuestionCounts]
    suggestions: Sequence[str] = ()
    entered: Sequence[EnteredFigure] = ()
    notes: Sequence[str] = ()            # e.g. answers counted after the final publication


@dataclass(frozen=True)
class WorkloadLine:
    item: str               # 微信问卷调查（人次）
    planned: int | None
    actual: int
    flagged: int = 0        # of which set aside by the anti-fraud flags


@dataclass(frozen=True)
class KindResults:
    kind: str
    kind_label: str
    status: Status
    scheme: Scheme
    scheme_info: Mapping
    entities: Sequence[Mapping]          # results.present.entity for every entity, best first
    questions: Sequence[QuestionCounts]  # city-wide sums over the kind's entities


@dataclass(frozen=True)
class CitySource:
    campaign: CampaignInfo
    city_name: str
    workload: Sequence[WorkloadLine]
    kinds: Sequence[KindResults]
    suggestions: Sequence[str] = ()
    notes: Sequence[str] = field(default_factory=tuple)
