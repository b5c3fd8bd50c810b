"""Dashboard figures equal hand-computed values for a small campaign (read from the tallies)."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from questionnaire.campaign_file.importer import CampaignFileError, import_campaign, validate_campaign_doc
from questionnaire.dashboard import figures
from questionnaire.extensions import db
from questionnaire.org.scope import Scope
from questionnaire.tallies import counting as tallies
from tests.factories import small_campaign_doc

ADMIN = Scope(role="admin", user_id=1)


@pytest.fixture
def answered(campaign, submit):
    """Three clean answers in county K1 (two at its own code, one at township K1T1), one in K2,
    one at city unit U1, and a speeder in K1 (flagged, kept)."""
    submit("K1", gov="5", security="4", transport="dk")
    submit("K1", gov="3", security="2", transport="dk")
    submit("K1T1", gov="4", security="4", transport="5")
    submit("K2", gov="1", security="5", transport="3")
    submit("U1", gov="5")
    submit("K1", duration=5, gov="1", security="1", transport="1")  # faster than min_seconds=20
    tallies.apply_pending(db.engine, campaign.id)
    return campaign


def load(campaign_id, scope, include_flagged):
    return figures.load(db.session, campaign_id, scope, include_flagged)


def rows_by_code(rows):
    return {r.code: r for r in rows}


def test_county_league_sums_the_county_and_its_townships(answered):
    counties = rows_by_code(figures.county_rows(load(answered.id, ADMIN, include_flagged=False)))
    assert (counties["K1"].responses, counties["K1"].flagged) == (3, 1)
    assert (counties["K2"].responses, counties["K2"].flagged) == (1, 0)
    # K1: gov (100+60+80)/3 = 80, security (80+30+80)/3 = 63.33, transport 100/1 (two 不了解 left out)
    assert counties["K1"].satisfaction_index == pytest.approx((80 + 190 / 3 + 100) / 3)
    # K2: gov 0, security 100, transport 60
    assert counties["K2"].satisfaction_index == pytest.approx(160 / 3)


def test_flagged_responses_are_kept_and_shown_on_request(answered):
    counties = rows_by_code(figures.county_rows(load(answered.id, ADMIN, include_flagged=True)))
    assert counties["K1"].responses == 4
    # with the speeder's 1/1/1: gov 240/4 = 60, security 190/4 = 47.5, transport (100+0)/2 = 50
    assert counties["K1"].satisfaction_index == pytest.approx((60 + 47.5 + 50) / 3)
    clean = figures.summary(load(answered.id, ADMIN, include_flagged=False))
    every = figures.summary(load(answered.id, ADMIN, include_flagged=True))
    assert (clean.total, clean.flagged) == (5, 1)
    assert (every.total, every.flagged) == (6, 1)


def test_weighted_rate_per_question_leaves_dont_know_out(answered):
    questions = {(q.questionnaire, q.question_id): q
                 for q in figures.question_rows(load(answered.id, ADMIN, include_flagged=False))}
    transport = questions[("县区满意度问卷", "transport")]
    counts = {o.value: o.count for o in transport.options}
    assert counts == {"5": 1, "4": 0, "3": 1, "2": 0, "1": 0, "dk": 2}
    assert (transport.answered, transport.dont_know, transport.rated) == (4, 2, 2)
    assert transport.rate == pytest.approx((100 + 60) / 2)
    gov = questions[("县区满意度问卷", "gov")]
    assert gov.rate == pytest.approx((100 + 60 + 80 + 0) / 4)
    age = questions[("县区满意度问卷", "age")]
    assert age.type == "choice" and age.rate is None and {o.value: o.count for o in age.options}["u30"] == 4
    assert questions[("市直单位满意度问卷", "overall")].rate == 100
    assert ("县区满意度问卷", "suggestion") not in questions  # free text is not tallied


def test_township_unit_and_entry_figures(answered):
    townships = rows_by_code(figures.township_rows(load(answered.id, ADMIN, False),
                                                   county_id=answered.units["K1"].id))
    assert set(townships) == {"K1T1", "K1T2"}
    assert (townships["K1T1"].responses, townships["K1T2"].responses) == (1, 0)
    assert townships["K1T2"].satisfaction_index is None
    units = figures.unit_rows(load(answered.id, ADMIN, False))
    assert [(u.code, u.responses, u.satisfaction_index) for u in units] == [("U1", 1, 100)]
    entries = {e["code"]: e for e in figures.entry_rows(load(answered.id, ADMIN, False))}
    assert entries[answered.codes["K1"]]["responses"] == 2
    assert entries[answered.codes["K1"]]["flagged"] == 1


def test_summary_has_target_pace_projection_and_as_of(answered):
    summary = figures.summary(load(answered.id, ADMIN, include_flagged=False))
    assert summary.target == 1000 and summary.share == pytest.approx(0.5)
    assert summary.last_24h == 5
    assert summary.as_of is not None
    # 995 to go at 5 a day takes 199 days; the campaign closes in 30.
    assert summary.projection.status == "too_slow"
    assert "前无法达到目标" in summary.projection.message
    assert 995 / 30 <= summary.projection.needed_per_day <= 995 / 29 + 1


def test_county_account_figures_only_include_its_county(answered, accounts):
    k2 = Scope(role="county", user_id=accounts.k2, county_id=answered.units["K2"].id)
    summary = figures.summary(load(answered.id, k2, include_flagged=True))
    assert (summary.total, summary.flagged) == (1, 0)
    assert [r.code for r in figures.county_rows(load(answered.id, k2, True))] == ["K2"]
    assert figures.unit_rows(load(answered.id, k2, True)) == []
    assert {t.code for t in figures.township_rows(load(answered.id, k2, True))} == {"K2T1"}
    assert {q.questionnaire for q in figures.question_rows(load(answered.id, k2, True))} == {"县区满意度问卷"}


@pytest.mark.both_backends  # hour buckets are upserted per dialect and read back as UTC
def test_series_counts_per_hour_and_china_day(campaign, submit):
    now = datetime.now(timezone.utc).replace(minute=30, second=0, microsecond=0)
    submit("K1", now=now - timedelta(hours=2))
    submit("K1", now=now - timedelta(hours=2))
    submit("U1", now=now)
    tallies.apply_pending(db.engine, campaign.id)
    series = figures.series(load(campaign.id, ADMIN, False), now=now)
    assert [p["responses"] for p in series.hourly[-3:]] == [2, 0, 1]
    assert len(series.hourly) == 48
    assert sum(d["responses"] for d in series.daily) == 3
    k1 = Scope(role="county", county_id=campaign.units["K1"].id)
    assert sum(p["responses"] for p in figures.series(load(campaign.id, k1, False), now=now).hourly) == 2


def test_unit_targets_from_the_campaign_file_give_each_county_its_share(clean_app):
    doc = small_campaign_doc()
    doc["org"]["counties"][0]["target_responses"] = 400
    doc["org"]["counties"][0]["townships"][0]["target_responses"] = 100
    doc["org"]["city_units"][0]["target_responses"] = 50
    campaign_id = import_campaign(db.session, doc).campaign_id
    counties = rows_by_code(figures.county_rows(load(campaign_id, ADMIN, False)))
    assert (counties["K1"].target, counties["K1"].share) == (400, 0)
    assert (counties["K2"].target, counties["K2"].share) == (None, None)
    assert figures.unit_rows(load(campaign_id, ADMIN, False))[0].target == 50
    del doc["org"]["counties"][0]["target_responses"]  # re-import without it removes it
    import_campaign(db.session, doc)
    assert rows_by_code(figures.county_rows(load(campaign_id, ADMIN, False)))["K1"].target is None


@pytest.mark.parametrize("bad", [0, -5, "many", 1.5, True])
def test_a_unit_target_must_be_a_positive_integer(bad):
    doc = small_campaign_doc()
    doc["org"]["counties"][1]["target_responses"] = bad
    with pytest.raises(CampaignFileError) as exc:
        validate_campaign_doc(doc)
    assert exc.value.problems == ["org.counties[1].target_responses: 必须是正整数（不设目标时省略）"]


def test_the_demo_campaign_county_targets_add_up_to_the_city_target():
    from pathlib import Path

    from questionnaire.campaign_file.importer import read_campaign_file

    spec = validate_campaign_doc(read_campaign_file(Path(__file__).parents[2] / "demo" / "hechi-2026.yaml"))
    targets = [c["target_responses"] for c in spec["counties"]]
    assert all(targets) and sum(targets) == spec["campaign"]["target_responses"] == 1_200_000
