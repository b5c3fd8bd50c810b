"""Return figures for the office (pure): invited, opened, started, submitted, return rate.

A return counts when the rater pressed 提交 before the deadline (submitting after it is refused,
so every submitted invitation counts). Rates are shown to two decimals (channels-spec 2.5).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime


@dataclass(frozen=True)
class InvitationState:
    rater_name: str
    unit_name: str
    category: str
    post: str
    opened_at: datetime | None
    started_at: datetime | None
    submitted_at: datetime | None


@dataclass
class ReturnFigures:
    invited: int = 0
    opened: int = 0
    started: int = 0
    submitted: int = 0

    def add(self, state: InvitationState) -> None:
        self.invited += 1
        self.opened += state.opened_at is not None
        self.started += state.started_at is not None
        self.submitted += state.submitted_at is not None

    @property
    def return_rate(self) -> float | None:
        """Percent of invited raters who submitted."""
        return 100.0 * self.submitted / self.invited if self.invited else None


@dataclass
class Progress:
    total: ReturnFigures = field(default_factory=ReturnFigures)
    by_category: dict[str, ReturnFigures] = field(default_factory=dict)
    by_unit: dict[str, ReturnFigures] = field(default_factory=dict)
    not_returned: list[InvitationState] = field(default_factory=list)


def progress(states: Iterable[InvitationState]) -> Progress:
    result = Progress()
    by_category: dict[str, ReturnFigures] = defaultdict(ReturnFigures)
    by_unit: dict[str, ReturnFigures] = defaultdict(ReturnFigures)
    for state in states:
        result.total.add(state)
        by_category[state.category].add(state)
        by_unit[state.unit_name].add(state)
        if state.submitted_at is None:
            result.not_returned.append(state)
    result.by_category = dict(sorted(by_category.items()))
    result.by_unit = dict(sorted(by_unit.items()))
    result.not_returned.sort(key=lambda s: (s.unit_name, s.rater_name))
    return result


def percent_text(rate: float | None) -> str:
    """99.00 %: half-up to two decimals, as the seeds print rates."""
    if rate is None:
        return "—"
    return f"{int(rate * 100 + 0.5) / 100:.2f}%"
