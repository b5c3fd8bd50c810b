"""The scoring engine against the worked examples of the seeds and channels-spec 7.5 (no app needed)."""

from __future__ import annotations

from fractions import Fraction

import pytest

from questionnaire.kernel.numbers import exact, format_percent, format_score, percent
from questionnaire.results import rules
from questionnaire.results.engine import EntityInputs, evaluate, rank
from questionnaire.results.grades import GradeBound, grade, parse_bounds
from questionnaire.results.rounds import combine_rounds, parse_rounds
from questionnaire.results.scheme import SchemeError, parse_scheme
from questionnaire.results.tree import TreeError, parse_tree
from questionnaire.results.weights import composite, parse_weights


def leaf(name, points, rule, source=None):
    node = {"name": name, "points": points, "rule": rule}
    if source is not None:
        node["input"] = source
    return node


EXTERNAL = {"external": "x"}


# --- grades and rounding (S7, S8) -------------------------------------------------------------

@pytest.mark.parametrize("score,expected", [
    ("90.00", "优"), ("89.99", "良"), ("80.00", "良"), ("79.99", "中"), ("60.00", "中"), ("59.99", "差"),
    ("100", "优"), ("0", "差"),
])
def test_grade_bounds_are_inclusive_below(score, expected):
    assert grade(exact(score)) == expected


def test_a_score_shown_as_90_00_is_graded_as_shown():
    assert format_score(Fraction("89.995")) == "90.00"
    assert grade(Fraction("89.995")) == "优"
    assert grade(Fraction("89.9949")) == "良"


def test_grade_bounds_are_configurable_and_checked():
    problems: list[str] = []
    bounds = parse_bounds([{"label": "优秀", "min": 95}, {"label": "合格", "min": 70}, {"label": "不合格", "min": 0}],
                          "grades", problems)
    assert problems == []
    assert [grade(exact(s), bounds) for s in ("95", "94.99", "70", "69.99")] == ["优秀", "合格", "合格", "不合格"]
    parse_bounds([{"label": "优", "min": 80}, {"label": "良", "min": 90}, {"label": "差", "min": 10}], "g", problems)
    assert any("递减" in p for p in problems) and any("下限必须是 0" in p for p in problems)
    assert grade(exact(50), (GradeBound("全部", Fraction(0)),)) == "全部"


def test_rates_round_half_up_at_display():
    assert format_percent(percent(541, 625), 1) == "86.6%"
    assert format_percent(percent(541, 625)) == "86.56%"
    assert format_percent(percent("11.29", 12)) == "94.08%"   # seed 000 prints 94.07 %
    assert format_percent(percent(15410, 20000)) == "77.05%"
    assert format_score(Fraction("0.125")) == "0.13"          # half-up, not half-even
    assert format_score(Fraction("2.675")) == "2.68"          # exact, not the float 2.67499...
    assert format_score(None) == "—"


# --- rules (S3, S5) ---------------------------------------------------------------------------

def _rule(raw, points=10):
    problems: list[str] = []
    rule = rules.parse_rule(raw, Fraction(points), "测试指标", "rule", problems)
    assert problems == []
    return rule


def test_capped_ratio_stops_at_the_points():
    rule = _rule({"type": "ratio_capped", "target": 92})
    assert format_score(rules.score(rule, exact("95.53"))) == "10.00"   # S3: not 10.38
    assert format_score(rules.score(_rule({"type": "ratio_capped", "target": 96}), exact(85))) == "8.85"


def test_capped_ratio_of_a_cost_uses_target_over_value():
    rule = _rule({"type": "ratio_capped", "target": 50, "direction": "at_most"})
    assert rules.score(rule, exact(100)) == 5
    assert rules.score(rule, exact(40)) == 10


def test_proportional_threshold_and_checklist():
    assert rules.score(_rule({"type": "proportional"}, 4), exact(20)) == Fraction("0.8")   # 20 % x 4
    threshold = _rule({"type": "threshold", "target": 90}, 15)
    assert (rules.score(threshold, exact(99)), rules.score(threshold, exact("89.99"))) == (15, 0)
    checklist = _rule({"type": "checklist", "items": [{"name": "目标明确", "points": 1},
                                                      {"name": "指标细化", "points": 1.5},
                                                      {"name": "依据充分", "points": 1.5}]}, 4)
    assert rules.score(checklist, {"目标明确", "依据充分"}) == Fraction("2.5")
    assert rules.score(checklist, set()) == 0


def test_deduction_per_incident_stops_at_zero():
    rule = _rule({"type": "deduct_per_incident", "per_incident": 1}, 10)
    assert rules.score(rule, 3) == 7       # S5
    assert rules.score(rule, 12) == 0      # not -2


# --- tree validation (S4) ---------------------------------------------------------------------

def _tree_with_process(declared):
    return [
        {"name": "决策", "points": 100 - declared, "children": [leaf("目标合理性", 100 - declared, "threshold_x")]},
        {"name": "过程", "points": declared, "children": [
            leaf("资金到位率", 10, {"type": "proportional"}, EXTERNAL),
            leaf("预算执行率", 10, {"type": "proportional"}, EXTERNAL)]},
    ]


def test_a_parent_whose_children_do_not_add_up_is_refused_naming_it():
    tree = _tree_with_process(23)
    tree[0]["children"][0]["rule"] = {"type": "threshold", "target": 90}
    tree[0]["children"][0]["input"] = EXTERNAL
    with pytest.raises(TreeError) as refused:
        parse_tree(tree)
    assert refused.value.problems == ["tree[1]: 指标「过程」的分值为 23 分，下级指标分值合计却为 20 分"]


def test_a_rule_whose_points_differ_from_its_node_is_refused_naming_it():
    tree = [{"name": "过程", "points": 100, "children": [
        leaf("预算执行率", 6, {"type": "proportional", "points": 4}, EXTERNAL),
        leaf("资金到位率", 94, {"type": "proportional"}, EXTERNAL)]}]
    with pytest.raises(TreeError) as refused:
        parse_tree(tree)
    assert "指标「预算执行率」的计分规则分值 4 分与指标分值 6 分不一致" in refused.value.problems[0]


def test_first_level_points_must_add_up_to_100_and_depth_stops_at_three():
    with pytest.raises(TreeError) as refused:
        parse_tree([leaf("满意度", 90, {"type": "proportional"}, {"channel": "qr"})])
    assert "一级指标分值合计 90 分，必须为 100 分" in refused.value.problems[0]
    deep = [{"name": "一", "points": 100, "children": [{"name": "二", "points": 100, "children": [
        {"name": "三", "points": 100, "children": [leaf("四", 100, "not_applicable")]}]}]}]
    with pytest.raises(TreeError) as refused:
        parse_tree(deep)
    assert "指标「三」已是三级指标" in refused.value.problems[0]


def test_incident_and_checklist_rules_take_figures_entered_by_the_office_only():
    with pytest.raises(TreeError) as refused:
        parse_tree([leaf("安全事故", 100, {"type": "deduct_per_incident", "per_incident": 1}, {"channel": "qr"})])
    assert "数据须由绩效办录入" in refused.value.problems[0]


# --- channel weights (S9) ---------------------------------------------------------------------

def test_channel_weights_must_add_up_to_exactly_100():
    problems: list[str] = []
    parse_weights({"qr": 60, "leader": 25, "phone": 10}, "channel_weights", problems)
    assert problems == ["channel_weights: 渠道权重合计为 95%，必须恰好等于 100%"]
    problems.clear()
    parse_weights({"qr": 33.3, "leader": 33.3, "phone": 33.4}, "w", problems)
    assert problems == []          # decimal text, so 33.3 + 33.3 + 33.4 is exactly 100
    parse_weights({}, "w", problems)
    parse_weights({"fax": 100}, "w", problems)
    assert len(problems) == 2


def test_the_composite_weighs_channel_rates_and_shares_a_missing_channels_weight():
    weights = {"qr": Fraction(60), "leader": Fraction(25), "phone": Fraction(15)}
    value, parts = composite(weights, {"qr": Fraction(90), "leader": Fraction(80), "phone": Fraction(70)})
    assert value == Fraction(54 + 20 + Fraction(21, 2))
    assert [(p.channel, p.points) for p in parts] == [("qr", 54), ("leader", 20), ("phone", Fraction(21, 2))]
    value, parts = composite(weights, {"qr": Fraction(90), "leader": Fraction(80)})
    assert value == (60 * 90 + 25 * 80) / Fraction(85)     # phone's 15 % shared pro rata
    value, _ = composite(weights, {"qr": Fraction(90), "leader": Fraction(80)}, "zero")
    assert value == 74


# --- a whole scheme ---------------------------------------------------------------------------

SCHEME = {
    "channel_weights": {"qr": 60, "leader": 25, "phone": 15},
    "tree": [
        {"name": "群众满意度", "points": 80, "children": [
            leaf("渠道加权满意率", 70, {"type": "ratio_capped", "target": 95}, "weighted_channels"),
            leaf("社会治安满意率", 10, {"type": "ratio_capped", "target": 90},
                 {"channel": "qr", "question": "security"})]},
        {"name": "整改落实", "points": 20, "children": [
            leaf("意见建议按时整改率", 10, {"type": "ratio_capped", "target": 95},
                 {"external": "rectification", "label": "意见建议按时整改率"}),
            leaf("安全生产", 10, {"type": "deduct_per_incident", "per_incident": 1}, {"external": "incidents"})]},
    ],
}


def test_a_scheme_scores_an_entity_and_says_where_it_loses_points():
    scheme = parse_scheme("county", SCHEME)
    inputs = EntityInputs(
        channel_rates={"qr": Fraction(95), "leader": Fraction(76), "phone": None},
        question_rates={("qr", "security"): Fraction(81)},
        externals={"rectification": percent(541, 625), "incidents": 3})
    result = evaluate(scheme, inputs)
    weighted = (60 * 95 + 25 * 76) / Fraction(85)
    expected = (weighted / 95 * 70) + Fraction(81, 90) * 10 + percent(541, 625) / 95 * 10 + 7
    assert result.composite == weighted and result.total == expected
    assert result.grade == grade(expected)
    losses = [s.node.name for s in result.losses()]
    assert losses == ["渠道加权满意率", "安全生产", "社会治安满意率", "意见建议按时整改率"]


def test_a_leaf_without_data_scores_zero_and_says_so():
    result = evaluate(parse_scheme("county", SCHEME), EntityInputs(channel_rates={}))
    assert {s.note for s in result.leaves()} == {"暂无数据"}
    assert result.total == 0 and result.composite is None


def test_not_applicable_points_go_to_the_siblings_or_stay_full_as_the_tree_says():
    tree = [{"name": "效益", "points": 100, "children": [
        leaf("社会效益", 60, {"type": "proportional"}, EXTERNAL), leaf("生态效益", 40, "not_applicable")]}]
    inputs = EntityInputs(channel_rates={}, externals={"x": Fraction(50)})
    shared = evaluate(parse_scheme("county", {"channel_weights": {"qr": 100}, "tree": tree}), inputs)
    assert shared.total == 50       # 社会效益 now counts for all 100 points
    kept = evaluate(parse_scheme("county", {"channel_weights": {"qr": 100}, "tree": tree,
                                            "not_applicable": "full_points"}), inputs)
    assert kept.total == 30 + 40


def test_a_scheme_lists_every_problem_with_its_path():
    with pytest.raises(SchemeError) as refused:
        parse_scheme("county", {"channel_weights": {"qr": 95}, "tree": [], "colour": "red"})
    problems = refused.value.problems
    assert "scoring.county.colour: 未知设置项" in problems
    assert "scoring.county.channel_weights: 渠道权重合计为 95%，必须恰好等于 100%" in problems
    assert any(p.startswith("scoring.county.tree") for p in problems)


def test_rounds_combine_as_configured():
    problems: list[str] = []
    weights = parse_rounds({"mid_year": 30, "year_end": 70}, "rounds", problems)
    assert problems == []
    assert combine_rounds({"mid_year": Fraction(80), "year_end": Fraction(90)}, weights) == 87
    assert combine_rounds({"mid_year": Fraction(80)}, weights) is None
    assert combine_rounds({"year_end": Fraction(90)}, parse_rounds(None, "r", problems)) == 90
    parse_rounds({"mid_year": 50, "year_end": 40}, "rounds", problems)
    assert problems == ["rounds: 轮次权重合计为 90%，必须恰好等于 100%"]


def test_equal_published_scores_share_a_rank():
    ranks = rank({1: Fraction(90), 2: Fraction("85.001"), 3: Fraction("84.999"), 4: Fraction(70)})
    assert ranks == {1: (1, False), 2: (2, True), 3: (2, True), 4: (4, False)}
