"""The office imports campaigns from readable YAML/JSON files with clear errors."""

import json

from sqlalchemy import func, select

from questionnaire.campaigns.models import Questionnaire
from questionnaire.intake.models import CollectionPoint
from questionnaire.org.models import OrgUnit
from tests.factories import small_campaign_doc


def test_importing_a_campaign_file_builds_the_tree_and_entry_points(runner, db_session, tmp_path):
    path = tmp_path / "campaign.json"
    path.write_text(json.dumps(small_campaign_doc(), ensure_ascii=False), encoding="utf-8")
    result = runner.invoke(args=["import-campaign", str(path)])
    assert result.exit_code == 0, result.output
    assert "new_entry_points=6" in result.output
    township = db_session.scalar(select(OrgUnit).where(OrgUnit.code == "K1T2"))
    assert township.parent.code == "K1" and township.county_id == township.parent.id


def test_reimporting_is_idempotent_and_versions_a_changed_questionnaire(runner, db_session, tmp_path):
    doc = small_campaign_doc()
    path = tmp_path / "c.json"
    path.write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")
    runner.invoke(args=["import-campaign", str(path)])
    doc["questionnaires"][0]["questions"][0]["title"] = "改过的题目"
    path.write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")
    result = runner.invoke(args=["import-campaign", str(path)])
    assert "new_units=0" in result.output and "new_entry_points=0" in result.output
    county = db_session.scalar(select(Questionnaire).where(Questionnaire.key == "county"))
    assert county.version == 2
    assert db_session.scalar(select(func.count()).select_from(CollectionPoint)) == 6


def test_an_invalid_file_lists_every_problem_and_writes_nothing(runner, db_session, tmp_path):
    doc = small_campaign_doc()
    doc["campaign"]["closes_at"] = "2020-01-01T00:00:00+08:00"
    doc["questionnaires"][0]["questions"][0]["type"] = "slider"
    doc["entry_points"].append({"for": "villages", "questionnaire": "county"})
    path = tmp_path / "bad.yaml"
    path.write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")
    result = runner.invoke(args=["import-campaign", str(path)])
    assert result.exit_code == 1
    assert "closes_at" in result.output and "questions[0].type" in result.output and "entry_points[3]" in result.output
    assert db_session.scalar(select(func.count()).select_from(OrgUnit)) == 0


def test_check_mode_validates_without_writing(runner, db_session, tmp_path):
    path = tmp_path / "c.json"
    path.write_text(json.dumps(small_campaign_doc(), ensure_ascii=False), encoding="utf-8")
    result = runner.invoke(args=["import-campaign", "--check", str(path)])
    assert result.exit_code == 0 and "校验通过" in result.output
    assert db_session.scalar(select(func.count()).select_from(OrgUnit)) == 0


def test_the_demo_campaign_has_hechi_counties_townships_and_city_units(runner, db_session):
    result = runner.invoke(args=["seed-demo"])
    assert result.exit_code == 0, result.output
    def count(kind):
        return db_session.scalar(select(func.count()).select_from(OrgUnit).where(OrgUnit.kind == kind))

    assert count("county") == 11 and count("city_unit") == 83 and count("township") > 100
    assert db_session.scalar(select(OrgUnit.name).where(OrgUnit.code == "451202")) == "金城江区"


def test_the_file_states_the_one_answer_rule_organizer_and_hotline(db_session):
    from questionnaire.campaign_file.importer import import_campaign
    from questionnaire.campaigns.models import Campaign

    import_campaign(db_session, small_campaign_doc())
    campaign = db_session.scalar(select(Campaign))
    assert campaign.answer_scope == "questionnaire"  # the default: county and a city unit, separately
    assert campaign.organizer == "测试市绩效评估工作领导小组办公室" and campaign.hotline == "0778-2281234"
    import_campaign(db_session, small_campaign_doc(answer_scope="evaluated_unit"))  # no answers yet: may change
    assert db_session.scalar(select(Campaign.answer_scope)) == "evaluated_unit"


def test_a_wrong_one_answer_rule_or_contact_is_reported_with_its_path(runner, db_session, tmp_path):
    doc = small_campaign_doc(answer_scope="per_person")
    doc["campaign"]["hotline"] = ["0778"]
    path = tmp_path / "bad.json"
    path.write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")
    result = runner.invoke(args=["import-campaign", str(path)])
    assert result.exit_code == 1
    assert "campaign.answer_scope: 必须是 campaign/questionnaire/evaluated_unit 之一" in result.output
    assert "campaign.hotline: 必须是不超过 40 字的文本" in result.output
    assert db_session.scalar(select(func.count()).select_from(OrgUnit)) == 0


def test_the_one_answer_rule_cannot_change_once_residents_have_answered(client, db_session):
    import re

    import pytest

    from questionnaire.campaign_file.importer import CampaignFileError, import_campaign
    from questionnaire.campaigns.models import Campaign
    from tests.factories import good_answers, import_small_campaign

    campaign = import_small_campaign()
    code = campaign.codes["K1"]
    token = re.search(r'name="token" value="([^"]+)"', client.get(f"/s/{code}").get_data(as_text=True)).group(1)
    assert client.post(f"/s/{code}", data={"token": token, **good_answers()}).status_code == 200
    with pytest.raises(CampaignFileError) as refused:
        import_campaign(db_session, small_campaign_doc(answer_scope="campaign"))
    assert refused.value.problems == ["campaign.answer_scope: 本次评议已有答卷，不能从 questionnaire 改为 campaign"]
    db_session.expire_all()
    assert db_session.scalar(select(Campaign.answer_scope)) == "questionnaire"
