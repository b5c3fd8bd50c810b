"""The report says the results' numbers: one source, formatted once (half-up), never recomputed."""

from __future__ import annotations

from collections import defaultdict
from fractions import Fraction

from questionnaire.campaigns.scoring import exact_rate
from questionnaire.extensions import db
from questionnaire.kernel.numbers import format_percent
from questionnaire.reports.service import CampaignReports
from questionnaire.results.standings import entity_counts


def _results_entity(client, campaign, code: str) -> dict:
    body = client.get(f"/results/api/campaigns/{campaign.id}").get_json()
    return next(e for kind in body["kinds"].values() for e in kind["entities"] if e["code"] == code)


def test_an_entity_report_shows_the_results_score_grade_rank_and_indicator_points(reported, login_as):
    shown = _results_entity(login_as("admin"), reported, "K1")
    report = CampaignReports(db.session, reported.id).entity_report(reported.units["K1"].id)
    assert report.facts["score"] == shown["score"] and report.facts["grade"] == shown["grade"]
    assert report.facts["rank"] == shown["rank_label"]
    summary = report.table("综合评价表")
    assert summary.rows[-1][:3] == ("合计", "100.00", shown["score"])
    first = {i["name"]: i["awarded"] for i in shown["indicators"] if i["level"] == 1}
    assert {row[0]: row[2] for row in summary.rows[:-1]} == first
    scores = report.table("绩效评价得分表")
    leaves = {i["name"]: (i["points"], i["awarded"]) for i in shown["indicators"] if i["leaf"]}
    points, awarded = scores.header.index("分值"), scores.header.index("得分")
    assert {row[1].split("（")[0]: (row[points], row[awarded]) for row in scores.rows[:-1]} == leaves
    assert scores.rows[-1][awarded] == shown["score"]


def test_channel_samples_are_the_results_n_and_the_completion_rate_is_computed(reported, login_as):
    shown = _results_entity(login_as("admin"), reported, "K1")
    report = CampaignReports(db.session, reported.id).entity_report(reported.units["K1"].id)
    samples = {row[0]: row for row in report.table("各渠道样本量与计划").rows}
    for channel in shown["channels"]:
        row = samples[channel["label"]]
        flag = "（样本不足）" if channel["short"] else ""
        assert row[4] == str(channel["responses"]) and row[6] == channel["rate"] + flag
    assert samples["领导评价"][3] == "—" and samples["领导评价"][5] == "未设定计划"
    assert samples["领导评价"][6].endswith("（样本不足）")  # 2 ratings, below the default minimum of 10
    assert samples["微信扫码问卷"][4] == "12"  # K1's own code and its township's, clean answers


def test_per_question_rates_are_the_rates_the_results_score(reported, login_as):
    report = CampaignReports(db.session, reported.id).entity_report(reported.units["K1"].id)
    answers, _ = entity_counts(db.session, reported.id, "county")
    merged: dict = defaultdict(lambda: defaultdict(int))
    for (unit, channel), per_question in answers.items():
        if unit == reported.units["K1"].id and channel == "qr":
            for (_, qid), counts in per_question.items():
                for value, n in counts.items():
                    merged[qid][value] += n
    table = report.table("微信扫码问卷调查问卷统计分析表")
    rows = {row[1]: row for row in table.rows}
    expected = {"您对当地政府工作的总体评价": exact_rate(merged["gov"]),
                "您对当地社会治安的满意程度": exact_rate(merged["security"])}
    for title, rate in expected.items():
        assert rows[title][-1] == format_percent(rate)
        shares = [Fraction(cell.rstrip("%")) for cell in rows[title][2:7]]
        assert abs(sum(s * w for s, w in zip(shares, (100, 80, 60, 30, 0), strict=True)) / 100 - rate) < Fraction(1, 50)
    shown = _results_entity(login_as("admin"), reported, "K1")
    security = next(i for i in shown["indicators"] if i["name"] == "社会治安满意率")
    assert rows["您对当地社会治安的满意程度"][-1] == security["value"]


def test_the_problem_list_is_drafted_from_the_indicators_that_lost_points(reported, login_as):
    shown = _results_entity(login_as("admin"), reported, "K1")
    report = CampaignReports(db.session, reported.id).entity_report(reported.units["K1"].id)
    problems = report.table("问题清单").rows
    assert len(problems) == len(shown["losses"])
    assert all(row[2] == "甲县" for row in problems)
    assert any("低于目标 ≥90%" in row[3] for row in problems)


def test_entered_counts_suggestions_and_the_draft_mark(reported):
    report = CampaignReports(db.session, reported.id).entity_report(reported.units["K1"].id)
    entered = report.table("绩效办录入数据").rows
    assert entered == (("意见建议按时整改率", "541 / 625", "86.56%", "整改台账"),)
    texts = [b.text for c in report.chapters for b in c.blocks if hasattr(b, "text")]
    assert any("138****5678" in t for t in texts) and not any("13812345678" in t for t in texts)
    assert report.watermark == "征求意见稿"


def test_the_city_report_ranks_every_entity_as_the_results_do(reported, login_as):
    body = login_as("admin").get(f"/results/api/campaigns/{reported.id}").get_json()
    report = CampaignReports(db.session, reported.id).city_report()
    league = report.table("县区评价结果排名")
    assert [(r[1], r[2], r[3]) for r in league.rows] == [
        (e["name"], e["score"], e["grade"]) for e in body["kinds"]["county"]["entities"]]
    workload = report.table("年度工作量统计").rows[0]
    assert workload[1] == "1,000" and workload[2] == "17" and workload[3] == "1.70%"   # 17 / 1000, computed
