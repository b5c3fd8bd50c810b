"""Minimum sample per channel (channels-spec 7.3): a channel below it is flagged 样本不足, and the
office chooses per kind whether it is scored anyway (use) or treated like a missing channel (drop)."""

from __future__ import annotations

import copy
from fractions import Fraction

import pytest

from questionnaire.campaign_file.importer import import_campaign
from questionnaire.extensions import db
from questionnaire.results.engine import EntityInputs, evaluate
from questionnaire.results.samples import DEFAULT_MIN_SAMPLE, short_channels
from questionnaire.results.scheme import SchemeError, parse_scheme
from tests.results.conftest import COUNTY_SCHEME, scored_doc
from tests.results.test_live_results import answered  # noqa: F401 - fixture

SCHEME = {
    "channel_weights": {"qr": 60, "leader": 40},
    "tree": [
        {"name": "渠道加权满意率", "points": 80, "rule": {"type": "proportional"}, "input": "weighted_channels"},
        {"name": "领导评价总体评价", "points": 20, "rule": {"type": "proportional"},
         "input": {"channel": "leader", "question": "overall"}},
    ],
}
FEW_LEADER_RATINGS = EntityInputs(channel_rates={"qr": Fraction(90), "leader": Fraction(50)},
                                  channel_counts={"qr": 400, "leader": 4},
                                  question_rates={("leader", "overall"): Fraction(50)})


def test_the_spec_defaults_apply_unless_the_file_sets_a_minimum_and_zero_means_none():
    assert parse_scheme("county", SCHEME).min_sample == {"leader": 10, "phone": 30, "hotline": 30}
    assert DEFAULT_MIN_SAMPLE == {"leader": 10, "phone": 30, "hotline": 30}
    scheme = parse_scheme("county", {**SCHEME, "min_sample": {"leader": 5, "hotline": 0, "qr": 100}})
    assert scheme.min_sample == {"leader": 5, "phone": 30, "qr": 100}
    assert scheme.below_min_sample == "use"


def test_bad_minimums_and_policies_are_refused_with_their_path():
    with pytest.raises(SchemeError) as refused:
        parse_scheme("county", {**SCHEME, "min_sample": {"leader_paper": 3, "fax": 1, "phone": -1},
                                "below_min_sample": "ignore"})
    problems = refused.value.problems
    assert any(p.startswith("scoring.county.min_sample.leader_paper: 该渠道与「leader」合并") for p in problems)
    assert any(p.startswith("scoring.county.min_sample.fax: 未知渠道") for p in problems)
    assert "scoring.county.min_sample.phone: 最低样本量必须是不小于 0 的整数" in problems
    assert any(p.startswith("scoring.county.below_min_sample: 必须是 use/drop 之一") for p in problems)


def test_paper_leader_forms_count_with_the_online_ratings_and_no_answers_is_missing_not_short():
    minimums = {"leader": 10, "phone": 30}
    assert short_channels(minimums, {"leader": 6, "leader_paper": 4}) == frozenset()
    assert short_channels(minimums, {"leader": 6, "leader_paper": 3}) == {"leader"}
    assert short_channels(minimums, {"leader": 12}) == frozenset()  # no phone answers: a missing channel


def test_a_short_channel_is_flagged_and_still_scored_when_the_office_uses_it():
    result = evaluate(parse_scheme("county", SCHEME), FEW_LEADER_RATINGS)
    assert result.short_channels == {"leader"} and result.dropped_channels == frozenset()
    assert result.composite == Fraction(60 * 90 + 40 * 50, 100)
    assert result.total == result.composite * 80 / 100 + Fraction(50) * 20 / 100


def test_a_dropped_channel_is_treated_like_a_missing_one_under_either_policy():
    redistributed = evaluate(parse_scheme("county", {**SCHEME, "below_min_sample": "drop"}), FEW_LEADER_RATINGS)
    assert redistributed.dropped_channels == {"leader"}
    assert redistributed.composite == 90  # the leader's 40 % went to the WeChat questionnaire
    assert [(p.channel, p.effective_weight) for p in redistributed.channels] == [("qr", 100), ("leader", 0)]
    leader_leaf = redistributed.leaves()[1]
    assert leader_leaf.awarded == 0 and leader_leaf.note == "样本不足"
    zeroed = evaluate(parse_scheme("county", {**SCHEME, "below_min_sample": "drop", "missing_channels": "zero"}),
                      FEW_LEADER_RATINGS)
    assert zeroed.composite == 54  # 60 % x 90, the leader's 40 % counts for nothing


def _k1(client, answered):
    body = client.get(f"/results/api/campaigns/{answered.id}").get_json()
    return next(e for e in body["kinds"]["county"]["entities"] if e["code"] == "K1")


def _rescore(answered, **changes):
    import_campaign(db.session, scored_doc(county={**copy.deepcopy(COUNTY_SCHEME), **changes}))


def test_the_results_pages_flag_a_leader_channel_below_ten_ratings(answered, login_as):
    client = login_as("admin")
    k1 = _k1(client, answered)
    leader = next(c for c in k1["channels"] if c["channel"] == "leader")
    assert leader["responses"] == 3 and leader["short"]  # two online ratings and one paper form
    assert leader["sample_note"] == "样本不足（不足 10 份，仍计分）"
    assert leader["effective_weight"] == "30.00%"
    overview = client.get(f"/results/campaigns/{answered.id}").get_data(as_text=True)
    assert "样本不足" in overview and "最低样本量：领导评价 10 份、电话访问 30 份、12345工单回访 30 份" in overview
    page = client.get(f"/results/campaigns/{answered.id}/entities/{answered.units['K1'].id}").get_data(as_text=True)
    assert "样本不足（不足 10 份，仍计分）" in page


def test_dropping_short_channels_moves_their_weight_and_a_lower_minimum_clears_the_flag(answered, login_as):
    client = login_as("admin")
    used = _k1(client, answered)
    _rescore(answered, below_min_sample="drop", reason="样本不足的渠道不计分")
    dropped = _k1(client, answered)
    leader = next(c for c in dropped["channels"] if c["channel"] == "leader")
    qr = next(c for c in dropped["channels"] if c["channel"] == "qr")
    assert leader["effective_weight"] == "0.00%" and qr["effective_weight"] == "100.00%"
    assert leader["sample_note"] == "样本不足（不足 10 份，未计分）"
    assert dropped["weighted_rate"] == qr["rate"] != used["weighted_rate"]
    _rescore(answered, min_sample={"leader": 3}, below_min_sample="drop", reason="领导评价最低 3 份")
    leader = next(c for c in _k1(client, answered)["channels"] if c["channel"] == "leader")
    assert not leader["short"] and leader["effective_weight"] == "30.00%"  # 2 online + 1 paper = 3
