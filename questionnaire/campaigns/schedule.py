"""When a campaign takes answers (pure): from `opens_at` (inclusive) until `closes_at` (exclusive)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import and_

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


def open_clause(opens_at_column, closes_at_column, now: datetime):
    """The same rule as a SQL condition (campaigns open at `now`)."""
    return and_(opens_at_column <= now, closes_at_column > now)
