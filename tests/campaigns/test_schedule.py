from datetime import datetime, timedelta, timezone

from questionnaire.campaigns.schedule import CLOSED, NOT_OPEN, OPEN, status_at

OPENS = datetime(2026, 5, 1, tzinfo=timezone.utc)
CLOSES = datetime(2026, 10, 31, tzinfo=timezone.utc)


def test_a_campaign_is_open_from_its_opening_until_just_before_its_closing():
    second = timedelta(seconds=1)
    assert status_at(OPENS, CLOSES, OPENS - second) == NOT_OPEN
    assert status_at(OPENS, CLOSES, OPENS) == OPEN
    assert status_at(OPENS, CLOSES, CLOSES - second) == OPEN
    assert status_at(OPENS, CLOSES, CLOSES) == CLOSED
