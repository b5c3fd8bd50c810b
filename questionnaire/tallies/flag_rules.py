"""Anti-fraud flag bits on `responses.flags`, and the per-row rules (pure, no I/O).

An anti-fraud flag never removes a response: flagged rows are kept and counted in their own
tally bucket (the tallies are keyed by the whole bit set), so the dashboard can
show figures with and without them.

Flags only ever get added. Per-row rules (speeder, straight-lining) are decided
once, before the row is first counted. Burst rules look at a fixed time window;
a window's count only grows, so a late row may push an already-counted row into
a burst: the tally worker then moves that row from its old bucket to its new one
in the same transaction, which keeps the tallies exact.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from questionnaire.campaigns.scales import DONT_KNOW

SPEEDER = 1          # answered faster than the campaign's minimum seconds
BURST_IP = 2         # too many responses from one IP hash within one window
BURST_ENTRY = 4      # too many responses through one entry point within one window
STRAIGHT_LINE = 8    # every rating question got the same level
# Voided by a reviewer (a phone interview marked 不合格): kept in `responses` for the record, but
# counted in no tally bucket at all, flagged view or not (tallies.void moves it out exactly).
VOID = 16

ALL = (SPEEDER, BURST_IP, BURST_ENTRY, STRAIGHT_LINE, VOID)
LABELS = {
    SPEEDER: "答题过快",
    BURST_IP: "同一IP集中提交",
    BURST_ENTRY: "同一入口集中提交",
    STRAIGHT_LINE: "所有评分题答案相同",
    VOID: "复核不合格（已作废）",
}
NAMES = {SPEEDER: "speeder", BURST_IP: "burst_ip", BURST_ENTRY: "burst_entry", STRAIGHT_LINE: "straight_line",
         VOID: "void"}


@dataclass(frozen=True)
class FlagPolicy:
    """Per-campaign thresholds, read from `campaign.settings` (all optional)."""

    min_seconds: int = 20
    window_seconds: int = 60
    max_per_ip_window: int = 30
    max_per_entry_window: int = 300
    straight_line_min_questions: int = 5

    @classmethod
    def from_settings(cls, settings: Mapping | None) -> FlagPolicy:
        settings = settings or {}
        values = {}
        for name in cls.__dataclass_fields__:
            raw = settings.get(name)
            if isinstance(raw, int) and not isinstance(raw, bool) and raw >= 0:
                values[name] = raw
        policy = cls(**values)
        if policy.window_seconds <= 0:
            return cls(**{**values, "window_seconds": 60})
        return policy

    def window_of(self, epoch_seconds: float) -> int:
        return int(epoch_seconds) // self.window_seconds


def row_flags(policy: FlagPolicy, duration_seconds: int | None, answers: Mapping[str, str],
              rating_ids: frozenset[str]) -> int:
    """Flags decided by the row alone."""
    bits = 0
    if duration_seconds is not None and duration_seconds < policy.min_seconds:
        bits |= SPEEDER
    levels = [answers[q] for q in rating_ids if q in answers and answers[q] != DONT_KNOW]
    if len(levels) >= max(2, policy.straight_line_min_questions) and len(set(levels)) == 1:
        bits |= STRAIGHT_LINE
    return bits


def names(bits: int) -> list[str]:
    return [LABELS[b] for b in ALL if bits & b]
