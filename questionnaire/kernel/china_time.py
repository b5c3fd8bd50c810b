"""China Standard Time (UTC+8, no daylight saving): how every date and time is shown (pure).

Times are stored in UTC; pages, posters, exports and the dashboard's days all show them
through here. A naive datetime is taken as UTC, as the database columns hold it.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone

OFFSET_HOURS = 8
CHINA = timezone(timedelta(hours=OFFSET_HOURS), "CST")
DEFAULT_FORMAT = "%Y年%m月%d日 %H:%M"


def _aware(moment: datetime) -> datetime:
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=timezone.utc)


def china_time(moment: datetime | None) -> datetime | None:
    """Naive China wall time in whole seconds: what Excel shows and sorts as a date."""
    if moment is None:
        return None
    return _aware(moment).astimezone(CHINA).replace(tzinfo=None, microsecond=0)


def china_date(moment: datetime) -> date:
    return _aware(moment).astimezone(CHINA).date()


def format_china_time(moment: datetime | None, fmt: str = DEFAULT_FORMAT) -> str:
    """`moment` in China time as text ("" for None); the templates' `cst` filter."""
    if moment is None:
        return ""
    return _aware(moment).astimezone(CHINA).strftime(fmt)


def china_isoformat(moment: datetime) -> str:
    """ISO 8601 with the +08:00 offset, as campaign files write times."""
    return _aware(moment).astimezone(CHINA).isoformat()
