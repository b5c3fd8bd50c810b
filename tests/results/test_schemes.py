"""Scoring schemes from the campaign file, stored as versions; office-entered figures with their source."""

from __future__ import annotations

import copy

import pytest
from sqlalchemy import select

from questionnaire.accounts.models import AuditEvent
from questionnaire.campaign_file.importer import CampaignFileError, import_campaign
from questionnaire.extensions import db
from questionnaire.results import service
from questionnaire.results.models import ExternalValue, ResultPublication, ScoringScheme
from tests.results.conftest import COUNTY_SCHEME, scored_doc


def _publish_stub(campaign_id: int, kind: str) -> None:
    """A published result of the kind's current version (what the publication workflow writes)."""
    row = service.latest(db.session, campaign_id, kind)
    db.session.add(ResultPublication(campaign_id=campaign_id, kind=kind, stage="preliminary", scheme_id=row.id,
                                     results={"entities": []}))
    db.session.commit()


def _versions(campaign_id: int, kind: str = "county") -> list[int]:
    return [row.version for row in service.versions(db.session, campaign_id, kind)]


def test_the_campaign_file_stores_version_1_of_each_kind_and_reimporting_adds_none(scored):
    assert _versions(scored.id) == [1] and _versions(scored.id, "city_unit") == [1]
    import_campaign(db.session, scored_doc())
    assert _versions(scored.id) == [1]
    first = service.version(db.session, scored.id, "county", 1)
    assert first.scheme["channel_weights"] == {"qr": 70, "leader": 30} and first.created_by is None


def test_weights_summing_to_95_percent_are_refused_and_nothing_is_written(clean_app):
    scheme = copy.deepcopy(COUNTY_SCHEME)
    scheme["channel_weights"] = {"qr": 65, "leader": 30}
    with pytest.raises(CampaignFileError) as refused:
        import_campaign(db.session, scored_doc(county=scheme))
    assert refused.value.problems == ["scoring.county.channel_weights: 渠道权重合计为 95%，必须恰好等于 100%"]
    assert db.session.scalar(select(ScoringScheme.id)) is None


def test_a_tree_that_does_not_add_up_is_refused_naming_the_node(clean_app):
    scheme = copy.deepcopy(COUNTY_SCHEME)
    scheme["tree"][0]["points"] = 93
    scheme["tree"][1]["points"] = 7
    with pytest.raises(CampaignFileError) as refused:
        import_campaign(db.session, scored_doc(county=scheme))
    assert any("指标「群众满意度」的分值为 93 分，下级指标分值合计却为 90 分" in p for p in refused.value.problems)


def test_a_leaf_must_name_a_rating_question_of_the_campaign(clean_app):
    scheme = copy.deepcopy(COUNTY_SCHEME)
    scheme["tree"][0]["children"][1]["input"]["question"] = "suggestion"
    with pytest.raises(CampaignFileError) as refused:
        import_campaign(db.session, scored_doc(county=scheme))
    assert refused.value.problems == [
        "scoring.county.tree: 指标「社会治安满意率」引用的题目 suggestion 不是本活动问卷中的评分题"]


def test_a_change_before_publication_is_a_new_version_without_a_reason(scored):
    changed = copy.deepcopy(COUNTY_SCHEME)
    changed["channel_weights"] = {"qr": 80, "leader": 20}
    import_campaign(db.session, scored_doc(county=changed))
    assert _versions(scored.id) == [1, 2]
    assert service.version(db.session, scored.id, "county", 2).reason == "发布前修改"


def test_after_publication_a_change_needs_a_reason_and_version_1_stays_readable(scored):
    _publish_stub(scored.id, "county")
    changed = copy.deepcopy(COUNTY_SCHEME)
    changed["channel_weights"] = {"qr": 80, "leader": 20}
    with pytest.raises(CampaignFileError) as refused:
        import_campaign(db.session, scored_doc(county=changed))
    assert "修改须说明原因" in refused.value.problems[0]
    assert _versions(scored.id) == [1]
    changed["reason"] = "市绩效办2026年第3次会议调整渠道权重"
    import_campaign(db.session, scored_doc(county=changed))
    assert _versions(scored.id) == [1, 2]
    assert service.version(db.session, scored.id, "county", 1).scheme["channel_weights"] == {"qr": 70, "leader": 30}
    second = service.version(db.session, scored.id, "county", 2)
    assert second.reason == "市绩效办2026年第3次会议调整渠道权重"
    events = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "scheme_version")).all()
    assert [e.target for e in events][-1] == f"campaign:{scored.id}:county:v2"


def test_an_external_rate_is_computed_from_its_counts_and_needs_a_source(scored, accounts):
    county = scored.units["K1"]
    with pytest.raises(service.FigureRefused, match="数据来源"):
        service.enter_external_value(db.session, scored.id, "county", county, "rectification",
                                     {"numerator": "541", "denominator": "625"}, accounts.admin)
    row = service.enter_external_value(db.session, scored.id, "county", county, "rectification",
                                       {"numerator": "541", "denominator": "625", "source": "整改台账 2026-11"},
                                       accounts.admin)
    assert row.value == {"numerator": "541", "denominator": "625"}
    assert service.external_values(db.session, scored.id)[county.id]["rectification"] * 625 == 54100
    with pytest.raises(service.FigureRefused):
        service.enter_external_value(db.session, scored.id, "county", county, "rectification",
                                     {"numerator": "700", "denominator": "625", "source": "x"}, accounts.admin)
    assert db.session.scalar(select(ExternalValue.value)) == {"numerator": "541", "denominator": "625"}
    event = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "external_value")).one()
    assert event.detail["after"]["source"] == "整改台账 2026-11" and event.user_id == accounts.admin
