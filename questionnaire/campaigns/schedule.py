"""When a campaign takes answers (pure): from `opens_at` (inclusive) until `closes_at` (exclusive)."""

from __future__ import annotations

from datetime import datetime

NOT_OPEN, OPEN, CLOSED = "not_open", "open", "closed"


def has_closed(closes_at: datetime, now: datetime) -> bool:
    return now >= closes_at


def status_at(opens_at: datetime, closes_at: datetime, now: datetime) -> str:
    """not_open / open / closed at `now`."""
    if now < opens_at:
        return NOT_OPEN
    if has_closed(closes_at, now):
        return CLOSED
    return OPEN
