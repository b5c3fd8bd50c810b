import pytest

from questionnaire.campaigns.scoring import rate_points, satisfaction_index, weighted_rate


def test_weighted_rate_uses_100_80_60_30_0_and_leaves_out_dont_know():
    counts = {"5": 2, "4": 1, "3": 1, "2": 1, "1": 1, "dk": 10}
    assert weighted_rate(counts) == pytest.approx((200 + 80 + 60 + 30 + 0) / 6)


def test_rate_is_none_when_everyone_said_dont_know():
    assert weighted_rate({"dk": 3}) is None


def test_points_and_rated_answers_add_up_across_scopes_before_dividing():
    township = rate_points({"5": 1, "dk": 4})
    county = rate_points([("1", 3), ("4", 1)])
    assert (township, county) == ((100, 1), (80, 4))
    assert (township[0] + county[0]) / (township[1] + county[1]) == weighted_rate({"5": 1, "1": 3, "4": 1, "dk": 4})


def test_the_other_scales_use_the_same_weights():
    assert rate_points({"5": 1, "3": 1, "dk": 1}, "awareness") == (160, 2)
    assert weighted_rate({"2": 2}, None) == 30


def test_satisfaction_index_is_the_mean_of_the_question_rates():
    per_question = {"gov": {"3": 1}, "security": {"5": 3}, "transport": {"dk": 5}}
    scales = {"gov": "satisfaction", "security": "satisfaction", "transport": None}
    # gov 60 (one answer) and security 100 (three) weigh the same; transport has no rated
    # answer and is skipped, not counted as zero. Pooling the answers would give 90.
    assert satisfaction_index(per_question, scales) == pytest.approx(80)
    assert weighted_rate({"3": 1, "5": 3}) == pytest.approx(90)


def test_satisfaction_index_is_none_without_rated_answers():
    assert satisfaction_index({}, {}) is None
    assert satisfaction_index({"gov": {"dk": 2}}, {"gov": "satisfaction"}) is None
