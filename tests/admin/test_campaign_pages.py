"""Creating, editing and copying a campaign in the browser, checked by the campaign file's rules."""

from __future__ import annotations

from sqlalchemy import select

from questionnaire.campaign_file.importer import validate_campaign_section
from questionnaire.campaigns.models import Campaign, Questionnaire, UnitTarget
from questionnaire.kernel.china_time import china_isoformat

FORM = {"slug": "city-2027", "title": "2027年度测试市社会评价", "year": "2027", "round": "annual",
        "target_responses": "1,200,000", "opens_at": "2027-05-01T08:00", "closes_at": "2027-10-31T18:00",
        "answer_scope": "questionnaire", "organizer": "测试市绩效办", "hotline": "0778-1234567"}


def test_a_campaign_created_in_the_form_is_stored_in_china_time(login_as, campaign, db_session):
    response = login_as("admin").post("/office/admin/campaigns/new", data=FORM)
    assert response.status_code == 302 and "/tree" in response.headers["Location"]
    created = db_session.scalar(select(Campaign).where(Campaign.slug == "city-2027"))
    assert china_isoformat(created.opens_at) == "2027-05-01T08:00:00+08:00"
    assert (created.target_responses, created.organizer, created.hotline, created.answer_scope) == (
        1_200_000, "测试市绩效办", "0778-1234567", "questionnaire")


def test_bad_fields_get_the_file_imports_messages_in_the_forms_words(login_as, campaign, db_session):
    bad = {**FORM, "closes_at": "2027-04-01T00:00", "year": "二〇二七", "slug": "test-2026"}
    response = login_as("admin").post("/office/admin/campaigns/new", data=bad)
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    problems: list[str] = []
    validate_campaign_section({"closes_at": "2027-04-01T00:00:00+08:00", "opens_at": "2027-05-01T08:00:00+08:00",
                               "year": "二〇二七"}, problems)
    for field, message in (("结束时间", "必须晚于 opens_at"), ("年度", "必须是年份整数")):
        assert any(p.endswith(message) for p in problems)  # the import's own message ...
        assert f"{field}：{message}" in html  # ... under the form's name for the field
    assert "活动标识：活动标识 test-2026 已被另一次评议使用" in html
    assert db_session.scalar(select(Campaign).where(Campaign.slug == "city-2027")) is None


def test_copying_last_years_campaign_takes_its_questionnaires_and_targets(login_as, campaign, db_session):
    db_session.add(UnitTarget(campaign_id=campaign.id, unit_id=campaign.units["K1"].id, target=500))
    db_session.commit()
    client = login_as("admin")
    form = client.get(f"/office/admin/campaigns/new?copy={campaign.id}").get_data(as_text=True)
    assert "以“2026年度测试市社会评价”为起点" in form and 'value="2027"' in form
    response = client.post(f"/office/admin/campaigns/new?copy={campaign.id}", data=FORM)
    assert response.status_code == 302
    copy = db_session.scalar(select(Campaign).where(Campaign.slug == "city-2027"))
    keys = [(q.key, q.version) for q in db_session.scalars(select(Questionnaire).where(
        Questionnaire.campaign_id == copy.id))]
    assert keys == [("county", 1), ("unit", 1)]
    assert db_session.get(UnitTarget, (copy.id, campaign.units["K1"].id)).target == 500
    assert copy.settings == db_session.get(Campaign, campaign.id).settings


def test_the_one_answer_rule_cannot_change_once_answers_exist(login_as, campaign, respond, db_session):
    respond("K1")
    client = login_as("admin")
    form = {**FORM, "slug": "test-2026", "answer_scope": "campaign"}
    response = client.post(f"/office/admin/campaigns/{campaign.id}/edit", data=form)
    assert response.status_code == 422 and "本次评议已有答卷" in response.get_data(as_text=True)
    assert db_session.get(Campaign, campaign.id).answer_scope == "questionnaire"
    form["answer_scope"] = "questionnaire"
    response = client.post(f"/office/admin/campaigns/{campaign.id}/edit", data=form)
    assert response.status_code == 302
    assert db_session.get(Campaign, campaign.id).title == FORM["title"]
