"""The results pages: the office sees every county and unit; an entity's account only its own."""

from __future__ import annotations

import copy

import yaml
from sqlalchemy import select

from questionnaire.extensions import db
from questionnaire.results import service
from questionnaire.results.models import ExternalValue, ResultPublication
from tests.results.conftest import COUNTY_SCHEME


def _page(client, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200, response.status_code
    return response.get_data(as_text=True)


def test_the_office_sees_every_county_and_unit_with_the_scheme_it_used(login_as, scored):
    page = _page(login_as("admin"), f"/results/campaigns/{scored.id}")
    assert "甲县" in page and "乙区" in page and "市教育局" in page
    assert "计分方案：第 1 版" in page and "微信扫码问卷 70.00%" in page
    assert "由绩效办设定" in page


def test_a_county_account_sees_only_its_own_county(login_as, scored):
    client = login_as("k1")
    page = _page(client, f"/results/campaigns/{scored.id}")
    assert "甲县" in page and "乙区" not in page and "市教育局" not in page
    body = client.get(f"/results/api/campaigns/{scored.id}").get_json()
    assert list(body["kinds"]) == ["county"]
    assert [e["code"] for e in body["kinds"]["county"]["entities"]] == ["K1"]
    assert "甲县" in _page(client, f"/results/campaigns/{scored.id}/entities/{scored.units['K1'].id}")


def test_a_unit_account_sees_only_its_own_unit_and_a_township_nothing(login_as, scored):
    body = login_as("u1").get(f"/results/api/campaigns/{scored.id}").get_json()
    assert [e["code"] for k in body["kinds"].values() for e in k["entities"]] == ["U1"]
    body = login_as("k1t1").get(f"/results/api/campaigns/{scored.id}").get_json()
    assert body["kinds"] == {}


def test_an_entity_page_shows_indicators_channels_and_where_points_are_lost(login_as, scored):
    page = _page(login_as("admin"), f"/results/campaigns/{scored.id}/entities/{scored.units['K1'].id}")
    for text in ("渠道加权满意率", "社会治安满意率", "意见建议按时整改率", "暂无数据", "失分项", "领导评价", "第 1 名"):
        assert text in page, text


def test_the_office_enters_an_external_figure_from_its_counts(login_as, scored):
    client = login_as("admin")
    url = f"/results/campaigns/{scored.id}/entities/{scored.units['K1'].id}/figures/rectification"
    refused = client.post(url, data={"numerator": "541", "denominator": "625"})
    assert refused.status_code == 422 and "数据来源" in refused.get_data(as_text=True)
    assert client.post(url, data={"numerator": "541", "denominator": "625", "source": "整改台账"}).status_code == 302
    body = client.get(f"/results/api/campaigns/{scored.id}").get_json()
    k1 = next(e for e in body["kinds"]["county"]["entities"] if e["code"] == "K1")
    leaf = next(i for i in k1["indicators"] if i["name"] == "意见建议按时整改率")
    assert leaf["value"] == "86.56%" and leaf["awarded"] == "9.11"   # 86.56 / 95 x 10


def test_changing_a_weight_after_publication_creates_version_2_and_version_1_stays_viewable(login_as, scored):
    row = service.latest(db.session, scored.id, "county")
    db.session.add(ResultPublication(campaign_id=scored.id, kind="county", stage="preliminary", scheme_id=row.id,
                                     results={"entities": []}))
    db.session.commit()
    client = login_as("admin")
    changed = copy.deepcopy(COUNTY_SCHEME)
    changed["channel_weights"] = {"qr": 80, "leader": 20}
    url = f"/results/campaigns/{scored.id}/schemes/county"
    refused = client.post(url, data={"scheme": yaml.safe_dump(changed, allow_unicode=True), "reason": ""})
    assert refused.status_code == 422 and "修改须说明原因" in refused.get_data(as_text=True)
    short = copy.deepcopy(changed)
    short["channel_weights"] = {"qr": 65, "leader": 30}
    refused = client.post(url, data={"scheme": yaml.safe_dump(short, allow_unicode=True), "reason": "调整"})
    assert refused.status_code == 422 and "渠道权重合计为 95%，必须恰好等于 100%" in refused.get_data(as_text=True)
    saved = client.post(url, data={"scheme": yaml.safe_dump(changed, allow_unicode=True), "reason": "会议调整权重"})
    assert saved.status_code == 302
    assert "计分方案：第 2 版" in _page(client, f"/results/campaigns/{scored.id}")
    old = _page(client, f"/results/campaigns/{scored.id}/schemes/county/1")
    assert "第 1 版" in old and "微信扫码问卷 70.00%" in old and "甲县" in old
    assert "会议调整权重" in _page(client, url)


def test_scheme_and_figure_routes_are_the_offices_alone(login_as, scored):
    k1 = scored.units["K1"].id
    for username in ("k1", "k2", "u1"):
        client = login_as(username)
        assert client.get(f"/results/campaigns/{scored.id}/schemes/county").status_code == 403
        assert client.get(f"/results/campaigns/{scored.id}/schemes/county/1").status_code == 403
        assert client.post(f"/results/campaigns/{scored.id}/schemes/county",
                           data={"scheme": "{}", "reason": "x"}).status_code == 403
        assert client.post(f"/results/campaigns/{scored.id}/entities/{k1}/figures/rectification",
                           data={"rate": "100", "source": "x"}).status_code == 403
    assert [r.version for r in service.versions(db.session, scored.id, "county")] == [1]
    assert db.session.scalar(select(ExternalValue.id)) is None


def test_bad_ids_are_clear_errors(login_as, scored):
    client = login_as("admin")
    assert client.get("/results/campaigns/9999").status_code == 404
    assert client.get("/results/api/campaigns/9999").get_json()["error"]["code"] == "not_found"
    assert client.get(f"/results/campaigns/{scored.id}/entities/{scored.units['K1T1'].id}").status_code == 404
    assert client.get(f"/results/campaigns/{scored.id}/schemes/township").status_code == 404
    assert client.get(f"/results/campaigns/{scored.id}/schemes/county/7").status_code == 404
    assert client.post(f"/results/campaigns/{scored.id}/entities/{scored.units['K1'].id}/figures/nope",
                       data={"rate": "1", "source": "x"}).status_code == 404
