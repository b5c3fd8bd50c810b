"""Pace toward a response target and the projected date of reaching it (pure, no I/O).

The pace is the number of responses in the last 24 hours; the projection assumes
that pace holds. Dates are China dates (UTC+8), as the office reads them.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone

from questionnaire.campaigns.schedule import has_closed
from questionnaire.kernel.china_time import OFFSET_HOURS, china_date, format_china_time

HOURS_PER_DAY = 24


@dataclass(frozen=True)
class Projection:
    # reached / on_track / too_slow / no_pace / no_target / closed
    status: str
    message: str
    date: date | None = None               # China date the target is reached at the current pace
    needed_per_day: int | None = None      # responses per day still needed to reach it by closing


def _md(day: date) -> str:
    return f"{day.month} 月 {day.day} 日"


def project(total: int, target: int | None, last_24h: int | None, now: datetime,
            closes_at: datetime) -> Projection:
    """Where the current pace leads: the date the target is reached, or that it will not be by closing."""
    if not target:
        return Projection("no_target", "未设定目标")
    if total >= target:
        return Projection("reached", "已达到目标")
    remaining = target - total
    if has_closed(closes_at, now):
        return Projection("closed", f"调查已结束，距目标还差 {remaining:,} 份")
    days_left = (closes_at - now).total_seconds() / 86400
    needed = math.ceil(remaining / days_left) if days_left > 0 else None
    if not last_24h:
        return Projection("no_pace", "近24小时无新增答卷，暂无法预计达到目标的日期", None, needed)
    reached_at = now + timedelta(days=remaining / last_24h)
    if reached_at > closes_at:
        return Projection(
            "too_slow",
            f"按当前进度截止（{_md(china_date(closes_at))}）前无法达到目标，需每日约 {needed:,} 份",
            None, needed,
        )
    day = china_date(reached_at)
    return Projection("on_track", f"按当前进度预计 {_md(day)}达到目标", day, needed)


def share(part: int, whole: int | None) -> float | None:
    """Percent of a target reached (None without a target)."""
    if not whole:
        return None
    return part * 100.0 / whole


def china_day_of_hour(hour: int) -> date:
    """The China date of an hour bucket (hours since 1970-01-01 00:00 UTC)."""
    return date(1970, 1, 1) + timedelta(days=(hour + OFFSET_HOURS) // HOURS_PER_DAY)


def hour_label(hour: int) -> str:
    return format_china_time(datetime.fromtimestamp(hour * 3600, tz=timezone.utc), "%m-%d %H:00")


def daily(hours: dict[int, int], first: date, last: date) -> list[tuple[date, int]]:
    """Responses per China day from first to last (inclusive), zeros filled in."""
    per_day: dict[date, int] = {}
    for hour, n in hours.items():
        day = china_day_of_hour(hour)
        per_day[day] = per_day.get(day, 0) + n
    out = []
    day = first
    while day <= last:
        out.append((day, per_day.get(day, 0)))
        day += timedelta(days=1)
    return out


def hourly(hours: dict[int, int], last_hour: int, count: int) -> list[tuple[int, int]]:
    """The `count` hours ending with `last_hour`, zeros filled in."""
    return [(h, hours.get(h, 0)) for h in range(last_hour - count + 1, last_hour + 1)]
