"""Pace and projection toward a target: pure arithmetic with fixed times."""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone

from questionnaire.dashboard import pace

NOW = datetime(2026, 6, 1, 4, 0, tzinfo=timezone.utc)          # 2026-06-01 12:00 China time
CLOSES = datetime(2026, 12, 31, 15, 59, tzinfo=timezone.utc)   # 2026-12-31 23:59 China time


def test_the_projected_date_assumes_the_last_24_hours_pace_holds():
    # 10,000 to go at 1,000 a day: ten days from now.
    p = pace.project(total=90_000, target=100_000, last_24h=1_000, now=NOW, closes_at=CLOSES)
    assert p.status == "on_track"
    assert p.date == date(2026, 6, 11)
    assert p.message == "按当前进度预计 6 月 11 日达到目标"


def test_the_projected_date_is_a_china_date():
    # 16:30 UTC is already the next day in China.
    now = datetime(2026, 6, 1, 16, 30, tzinfo=timezone.utc)
    p = pace.project(total=0, target=100, last_24h=100, now=now, closes_at=CLOSES)
    assert p.date == date(2026, 6, 3)


def test_a_pace_too_slow_for_the_closing_date_says_so_and_names_the_daily_need():
    p = pace.project(total=0, target=1_200_000, last_24h=100, now=NOW, closes_at=CLOSES)
    assert p.status == "too_slow" and p.date is None
    days_left = (CLOSES - NOW).total_seconds() / 86400
    assert p.needed_per_day == -(-1_200_000 // days_left)
    assert p.message.startswith("按当前进度截止（12 月 31 日）前无法达到目标")


def test_no_responses_in_the_last_day_gives_no_date():
    p = pace.project(total=10, target=100, last_24h=0, now=NOW, closes_at=CLOSES)
    assert p.status == "no_pace" and p.date is None


def test_reached_closed_and_untargeted_campaigns():
    assert pace.project(100, 100, 0, NOW, CLOSES).status == "reached"
    assert pace.project(10, None, 5, NOW, CLOSES).message == "未设定目标"
    closed = pace.project(10, 100, 5, CLOSES + timedelta(hours=1), CLOSES)
    assert closed.status == "closed" and "还差 90 份" in closed.message


def test_hours_fall_into_china_days():
    first_hour_of_june_2_china = int(datetime(2026, 6, 1, 16, tzinfo=timezone.utc).timestamp() // 3600)
    hours = {first_hour_of_june_2_china - 1: 2, first_hour_of_june_2_china: 3}
    assert pace.daily(hours, date(2026, 6, 1), date(2026, 6, 3)) == [
        (date(2026, 6, 1), 2), (date(2026, 6, 2), 3), (date(2026, 6, 3), 0)]
    assert pace.hour_label(first_hour_of_june_2_china) == "06-02 00:00"
    assert pace.hourly({5: 1}, last_hour=6, count=3) == [(4, 0), (5, 1), (6, 0)]


def test_share_of_a_target():
    assert pace.share(25, 200) == 12.5
    assert pace.share(25, None) is None and pace.share(25, 0) is None
