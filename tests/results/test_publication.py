"""Publication: 初步结果 -> objections by each entity's own account -> the office answers -> 最终结果,
then nothing of the kind changes except through a new scheme version with a reason."""

from __future__ import annotations

from datetime import timedelta
from fractions import Fraction

import yaml
from sqlalchemy import select

from questionnaire.accounts.models import AuditEvent
from questionnaire.extensions import db
from questionnaire.kernel.numbers import format_score
from questionnaire.kernel.sqltypes import utcnow
from questionnaire.results import service
from questionnaire.results.models import ResultObjection, ResultPublication
from tests.results.conftest import COUNTY_SCHEME


def _publish(client, campaign_id, stage, days="5"):
    return client.post(f"/results/campaigns/{campaign_id}/publications",
                       data={"kind": "county", "stage": stage, "days": days})


def _close_window(publication_id):
    row = db.session.get(ResultPublication, publication_id)
    row.objections_until = utcnow() - timedelta(minutes=1)
    db.session.commit()


def test_the_whole_workflow_from_preliminary_to_final(login_as, scored):
    admin = login_as("admin")
    response = _publish(admin, scored.id, "preliminary")
    assert response.status_code == 302
    pid = int(response.headers["Location"].rstrip("/").split("/")[-1])
    page_url = f"/results/campaigns/{scored.id}/publications/{pid}"

    # During the window each entity sees only its own preliminary result, and objects to it.
    k1 = login_as("k1")
    page = k1.get(page_url).get_data(as_text=True)
    assert "甲县" in page and "乙区" not in page and "提交异议" in page
    assert k1.post(f"{page_url}/objections", data={"text": "治安满意率样本不足，请核实"}).status_code == 302
    assert login_as("k2").post(f"{page_url}/objections", data={"text": "乙区的异议"}).status_code == 302
    page = login_as("k1").get(page_url).get_data(as_text=True)
    assert "治安满意率样本不足" in page and "乙区的异议" not in page
    assert login_as("u1").get(page_url).status_code == 404    # a city unit has no county result

    admin = login_as("admin")
    refused = _publish(admin, scored.id, "final")
    assert refused.status_code == 409 and "异议期尚未结束" in refused.get_data(as_text=True)
    _close_window(pid)
    late = login_as("k1").post(f"{page_url}/objections", data={"text": "迟到的异议"})
    assert late.status_code == 422
    admin = login_as("admin")
    refused = _publish(admin, scored.id, "final")
    assert refused.status_code == 409 and "还有 2 条异议未答复" in refused.get_data(as_text=True)
    for objection in db.session.scalars(select(ResultObjection)):
        answered = admin.post(f"/results/campaigns/{scored.id}/objections/{objection.id}/answer",
                              data={"answer": "已核实，样本符合要求，维持原结果"})
        assert answered.status_code == 302
    final = _publish(admin, scored.id, "final")
    assert final.status_code == 302
    final_page = admin.get(final.headers["Location"]).get_data(as_text=True)
    assert "最终结果已发布" in final_page and "甲县" in final_page and "乙区" in final_page

    # Final is immutable: no figure may change, no second final; a new version needs a reason.
    figure_url = f"/results/campaigns/{scored.id}/entities/{scored.units['K1'].id}/figures/rectification"
    locked = admin.post(figure_url, data={"rate": "90", "source": "整改台账"})
    assert locked.status_code == 422 and "最终结果已发布" in locked.get_data(as_text=True)
    assert _publish(admin, scored.id, "final").status_code == 409
    changed = dict(COUNTY_SCHEME, channel_weights={"qr": 80, "leader": 20})
    scheme_url = f"/results/campaigns/{scored.id}/schemes/county"
    assert admin.post(scheme_url, data={"scheme": yaml.safe_dump(changed), "reason": ""}).status_code == 422
    assert admin.post(scheme_url, data={"scheme": yaml.safe_dump(changed), "reason": "更正权重"}).status_code == 302
    assert admin.post(figure_url, data={"rate": "90", "source": "整改台账"}).status_code == 302
    refused = _publish(admin, scored.id, "final")
    assert refused.status_code == 409 and "须先发布初步结果" in refused.get_data(as_text=True)
    # The final copy keeps naming version 1 and its figures.
    first_final = db.session.scalars(select(ResultPublication).where(ResultPublication.stage == "final")).one()
    assert first_final.scheme_id == service.version(db.session, scored.id, "county", 1).id
    actions = [e.action for e in db.session.scalars(select(AuditEvent).order_by(AuditEvent.id))]
    for action in ("publish_preliminary", "file_objection", "answer_objection", "publish_final"):
        assert action in actions, action


def test_only_an_entitys_own_account_objects_and_only_the_office_answers(login_as, scored):
    admin = login_as("admin")
    pid = int(_publish(admin, scored.id, "preliminary").headers["Location"].rstrip("/").split("/")[-1])
    url = f"/results/campaigns/{scored.id}/publications/{pid}/objections"
    assert admin.post(url, data={"text": "x"}).status_code == 403
    assert login_as("k1t1").post(url, data={"text": "x"}).status_code == 404   # a township is not scored
    assert login_as("k1").post(url, data={"text": "  "}).status_code == 422
    assert login_as("k1").post(url, data={"text": "有异议"}).status_code == 302
    objection = db.session.scalars(select(ResultObjection)).one()
    assert objection.unit_id == scored.units["K1"].id
    answer_url = f"/results/campaigns/{scored.id}/objections/{objection.id}/answer"
    assert login_as("k1").post(answer_url, data={"answer": "自己答复"}).status_code == 403
    assert db.session.get(ResultObjection, objection.id).answer is None
    assert _publish(login_as("admin"), scored.id, "preliminary").status_code == 409   # one per version
    assert _publish(login_as("admin"), scored.id, "preliminary", days="x").status_code == 400


def test_the_year_end_result_blends_the_mid_year_final_as_the_scheme_says(login_as, scored):
    from questionnaire.campaign_file.importer import import_campaign
    from questionnaire.campaigns.models import Campaign
    from questionnaire.results import publication
    from tests.results.conftest import UNIT_SCHEME, scored_doc

    # The small campaign is the mid-year round; its final county results are published.
    db.session.get(Campaign, scored.id).round = "mid_year"
    db.session.commit()
    publication.publish(db.session, scored.id, "county", "preliminary", None, window_days=0)
    publication.publish(db.session, scored.id, "county", "final", None)
    mid = {e["code"]: e for e in db.session.scalars(select(ResultPublication).where(
        ResultPublication.stage == "final")).one().results["entities"]}

    doc = scored_doc(county=dict(COUNTY_SCHEME, rounds={"mid_year": 30, "year_end": 70},
                                 mid_year_campaign="test-2026"), unit=UNIT_SCHEME)
    doc["campaign"].update(slug="test-2026-year-end", round="year_end")
    year_end = import_campaign(db.session, doc).campaign_id
    body = login_as("admin").get(f"/results/api/campaigns/{year_end}").get_json()["kinds"]["county"]
    k1 = next(e for e in body["entities"] if e["code"] == "K1")
    expected = Fraction(mid["K1"]["score_exact"]) * Fraction(3, 10) + Fraction(k1["score_exact"]) * Fraction(7, 10)
    assert k1["year_score"] == format_score(expected)
    assert body["scheme"]["rounds"] == "全年结果 = 中期评议 30% + 年终评议 70%"


def test_a_scheme_blending_a_mid_year_round_must_name_it(clean_app):
    import pytest

    from questionnaire.results.scheme import SchemeError, parse_scheme

    with pytest.raises(SchemeError) as refused:
        parse_scheme("county", dict(COUNTY_SCHEME, rounds={"mid_year": 30, "year_end": 70}))
    assert refused.value.problems == ["scoring.county.mid_year_campaign: 轮次权重含中期评议，须写明中期评议活动的 slug"]
