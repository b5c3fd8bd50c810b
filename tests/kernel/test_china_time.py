from datetime import date, datetime, timedelta, timezone

from questionnaire.kernel.china_time import china_date, china_time, format_china_time

LATE_UTC = datetime(2026, 5, 31, 17, 30, 5, 250_000, tzinfo=timezone.utc)  # 01:30:05 on 1 June in China


def test_times_are_shown_in_china_time_whatever_zone_they_come_in():
    assert china_time(LATE_UTC) == datetime(2026, 6, 1, 1, 30, 5)
    assert china_time(LATE_UTC.astimezone(timezone(timedelta(hours=-5)))) == datetime(2026, 6, 1, 1, 30, 5)
    assert china_time(LATE_UTC.replace(tzinfo=None)) == datetime(2026, 6, 1, 1, 30, 5)  # naive = UTC
    assert china_date(LATE_UTC) == date(2026, 6, 1)
    assert format_china_time(LATE_UTC) == "2026年06月01日 01:30"
    assert (china_time(None), format_china_time(None)) == (None, "")
