"""The questionnaire editor: questions moved, deleted and added without saving; the file import's
messages; a new version once answers exist, said before saving; the real resident page as preview."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from questionnaire.campaign_file.importer import CampaignFileError, validate_campaign_doc
from questionnaire.campaigns.models import Questionnaire
from tests.factories import small_campaign_doc


def form_of(html: str) -> dict:
    """The editor form's fields as the browser would post them (text inputs, checked boxes, selects)."""
    body = html.split('id="editor-form"', 1)[1].split("</form>", 1)[0]
    data = {}
    for name, value in re.findall(r'<input[^>]*name="([^"]+)" value="([^"]*)"', body):
        data[name] = value
    for tag in re.findall(r"<input[^>]*type=\"checkbox\"[^>]*>", body):
        name = re.search(r'name="([^"]+)"', tag).group(1)
        if "checked" in tag:
            data[name] = "1"
        else:
            data.pop(name, None)
    for name, inner in re.findall(r'<select name="([^"]+)">(.*?)</select>', body, re.S):
        data[name] = re.search(r'<option value="([^"]+)" selected', inner).group(1)
    for name, text in re.findall(r'<textarea name="([^"]+)"[^>]*>(.*?)</textarea>', body, re.S):
        data[name] = text
    return data


def titles(html: str) -> list[str]:
    return re.findall(r'name="q-\d+-title" value="([^"]*)"', html)


URL = "/office/admin/campaigns/{}/questionnaires/{}"


def test_moving_deleting_and_adding_questions_changes_the_form_only(login_as, campaign, db_session):
    client = login_as("admin")
    url = URL.format(campaign.id, "county")
    data = form_of(client.get(url).get_data(as_text=True))
    first_two = ["您对当地政府工作的总体评价", "您对当地社会治安的满意程度"]
    assert titles(client.get(url).get_data(as_text=True))[:2] == first_two
    moved = client.post(url, data={**data, "op": "down:0"}).get_data(as_text=True)
    assert titles(moved)[:2] == ["您对当地社会治安的满意程度", "您对当地政府工作的总体评价"]
    deleted = client.post(url, data={**form_of(moved), "op": "delete:0"}).get_data(as_text=True)
    assert titles(deleted)[0] == "您对当地政府工作的总体评价" and len(titles(deleted)) == 4
    added = client.post(url, data={**form_of(deleted), "op": "add:choice"}).get_data(as_text=True)
    assert len(titles(added)) == 5 and "选项一\n选项二" in added
    assert db_session.scalar(select(Questionnaire.version).where(Questionnaire.key == "county")) == 1


def test_a_bad_question_gets_the_same_message_as_the_file_import(login_as, campaign, db_session):
    client = login_as("admin")
    url = URL.format(campaign.id, "extra")
    data = {"title": "补充问卷", "count": "1", "q-0-id": "pick", "q-0-type": "choice", "q-0-title": "选一个",
            "q-0-required": "1", "q-0-options": "只有一个", "op": "save"}
    response = client.post(url, data=data)
    html = response.get_data(as_text=True)
    assert response.status_code == 422 and "第 1 题 · 选项：单选题至少需要两个选项" in html
    doc = small_campaign_doc()
    doc["questionnaires"].append({"key": "extra", "title": "补充问卷", "questions": [
        {"id": "pick", "type": "choice", "title": "选一个", "options": ["只有一个"]}]})
    with pytest.raises(CampaignFileError) as refused:
        validate_campaign_doc(doc)
    assert "questionnaires[2].questions[0].options: 单选题至少需要两个选项" in refused.value.problems
    assert db_session.scalar(select(Questionnaire).where(Questionnaire.key == "extra")) is None


def test_a_new_questionnaire_is_saved_as_version_one(login_as, campaign, db_session):
    client = login_as("admin")
    assert client.get(f"/office/admin/campaigns/{campaign.id}/questionnaires?key=leader2").status_code == 302
    url = URL.format(campaign.id, "leader2")
    data = form_of(client.get(url).get_data(as_text=True))
    data.update({"title": "领导评价问卷", "q-0-title": "您对该县区工作的总体评价", "op": "save"})
    assert client.post(url, data=data).status_code == 302
    saved = db_session.scalar(select(Questionnaire).where(Questionnaire.key == "leader2"))
    assert (saved.version, saved.definition["questions"][0]["title"]) == (1, "您对该县区工作的总体评价")
    assert client.get(URL.format(campaign.id, "Bad-Key")).status_code == 422


def test_editing_an_answered_questionnaire_says_it_makes_a_new_version(login_as, campaign, respond, db_session):
    respond("K1")
    client = login_as("admin")
    url = URL.format(campaign.id, "county")
    page = client.get(url).get_data(as_text=True)
    assert "本问卷已收到 1 份答卷" in page and "第 2 版" in page
    data = {**form_of(page), "q-0-title": "您对当地政府工作的总体满意程度", "op": "save"}
    refused = client.post(url, data=data)
    assert refused.status_code == 409 and "请勾选确认" in refused.get_data(as_text=True)
    assert db_session.scalar(select(Questionnaire.version).where(Questionnaire.key == "county")) == 1
    saved = client.post(url, data={**data, "confirm_new_version": "1"}, follow_redirects=True)
    assert "问卷已保存为第 2 版" in saved.get_data(as_text=True)
    db_session.expire_all()
    assert db_session.scalar(select(Questionnaire.version).where(Questionnaire.key == "county")) == 2


def test_the_preview_is_the_resident_page_framed_by_the_editor_only(login_as, campaign):
    client = login_as("admin")
    url = URL.format(campaign.id, "county") + "/preview"
    response = client.get(url)
    html = response.get_data(as_text=True)
    assert 'id="survey-form"' in html and "您对当地政府工作的总体评价" in html and "主办单位" in html
    assert "frame-ancestors 'self'" in response.headers["Content-Security-Policy"]
    assert "frame-ancestors 'none'" in client.get(URL.format(campaign.id, "county")).headers["Content-Security-Policy"]
    draft = form_of(client.get(URL.format(campaign.id, "county")).get_data(as_text=True))
    draft["q-0-title"] = "草稿里的新题目"
    assert "草稿里的新题目" in client.post(url, data=draft).get_data(as_text=True)
    draft["q-0-title"] = ""
    assert "第 1 题 · 题目：必须是非空文本" in client.post(url, data=draft).get_data(as_text=True)
