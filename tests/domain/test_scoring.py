import pytest

from questionnaire.campaigns.scoring import grade, indicator_score, weighted_rate


def test_weighted_rate_uses_100_80_60_30_0_and_leaves_out_dont_know():
    counts = {"5": 2, "4": 1, "3": 1, "2": 1, "1": 1, "dk": 10}
    assert weighted_rate(counts) == pytest.approx((200 + 80 + 60 + 30 + 0) / 6)


def test_rate_is_none_when_everyone_said_dont_know():
    assert weighted_rate({"dk": 3}) is None


def test_indicator_score_follows_the_seed_example_and_is_capped():
    assert indicator_score(85, 96, 10) == 8.85
    assert indicator_score(99, 96, 10) == 10


@pytest.mark.parametrize("score,expected", [(95, "优"), (90, "优"), (85, "良"), (60, "中"), (59.9, "差")])
def test_grades(score, expected):
    assert grade(score) == expected
