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
