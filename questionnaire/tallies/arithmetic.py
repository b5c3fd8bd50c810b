"""Tally arithmetic shared by the incremental worker, the full recount and `verify` (pure).

Everything is counted at the finest grain the dashboard needs and summed up later:
- per entry point and flag set: responses (county, township, unit and city
  figures are sums over entry points);
- per entry point, flag set, question and option: answer counts (satisfaction
  rates come from these through campaigns/scoring.py);
- per "owner" (the evaluated county or city unit; for a QR code the county of its
  poster, or the city unit itself), channel,
  flag set and UTC hour: responses over time (China days are whole UTC+8 hours).
  Keeping the channel lets a one-channel dashboard draw its own time series.
Keeping the flag set in every key lets the dashboard show figures with and without
flagged rows, and lets a late flag move a row between buckets exactly.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field

from questionnaire.tallies.flag_rules import VOID

EntryKey = tuple[int, int]                 # collection_point_id, flags
AnswerKey = tuple[int, int, str, str]      # collection_point_id, flags, question_id, value
HourKey = tuple[int, str, int, int]        # owner_unit_id, channel, flags, hour (hours since epoch, UTC)


def hour_of(epoch_seconds: float) -> int:
    return int(epoch_seconds // 3600)


@dataclass(frozen=True)
class EntryInfo:
    """What the tallies need to know about an entry point."""

    owner_unit_id: int
    channel: str
    countable_questions: frozenset[str]  # rating and choice questions (free text is not tallied)


@dataclass
class TallyDelta:
    entries: Counter = field(default_factory=Counter)
    answers: Counter = field(default_factory=Counter)
    hours: Counter = field(default_factory=Counter)
    rows: int = 0

    def add(self, info: EntryInfo, collection_point_id: int, flags: int, epoch_seconds: float,
            answers: Mapping[str, str], sign: int = 1) -> None:
        """Count (sign=1) or uncount (sign=-1) one response; a voided one is in no bucket."""
        if flags & VOID:
            return
        self.rows += sign
        self.entries[(collection_point_id, flags)] += sign
        self.hours[(info.owner_unit_id, info.channel, flags, hour_of(epoch_seconds))] += sign
        self.add_answers(info, collection_point_id, flags, answers, sign)

    def add_answers(self, info: EntryInfo, collection_point_id: int, flags: int, answers: Mapping[str, str],
                    sign: int = 1) -> None:
        """Count answers alone, for items added to a response already counted (tallies.completion)."""
        if flags & VOID:
            return
        for qid, value in answers.items():
            if qid in info.countable_questions:
                self.answers[(collection_point_id, flags, qid, value)] += sign

    def nonzero(self) -> TallyDelta:
        return TallyDelta(
            Counter({k: v for k, v in self.entries.items() if v}),
            Counter({k: v for k, v in self.answers.items() if v}),
            Counter({k: v for k, v in self.hours.items() if v}),
            self.rows,
        )


def compare(expected: TallyDelta, actual: TallyDelta, limit: int = 50) -> list[str]:
    """Human-readable differences between two full tallies (empty = identical)."""
    problems: list[str] = []
    for name in ("entries", "answers", "hours"):
        want, got = getattr(expected.nonzero(), name), getattr(actual.nonzero(), name)
        for key in sorted(set(want) | set(got), key=repr):
            if want.get(key, 0) != got.get(key, 0):
                problems.append(f"{name}{key}: recount={want.get(key, 0)} tallies={got.get(key, 0)}")
                if len(problems) >= limit:
                    return problems
    return problems

