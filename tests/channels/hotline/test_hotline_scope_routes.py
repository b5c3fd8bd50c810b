"""Every hotline route, tried with another county's, a unit's and a township's account: 403 or
404, and nothing changes (H7). Fails when a new hotline route is not listed here, in the style of
tests/org/test_office_scope_routes.py."""

from __future__ import annotations

import io

from sqlalchemy import func, select

from questionnaire.channels.hotline.models import Appeal, HandlerAlias, HotlineDraw, OrderCheck, WorkOrder
from questionnaire.extensions import db
from tests.channels.hotline.conftest import csv_file, mobile, order_line

# The entity's own page: every entity account gets its own (proven by content below).
OWN_PAGE = {"hotline_entity.mine", "hotline.index"}


def _requests(campaign, check_id, appeal_id):
    c = campaign.id
    upload = csv_file([order_line("X1", "乙区人民政府", mobile(9))])
    return [
        ("hotline.orders_page", "get", f"/office/hotline/campaigns/{c}/orders", None),
        ("hotline.orders_page", "post", f"/office/hotline/campaigns/{c}/orders",
         {"file": (io.BytesIO(upload), "o.csv")}),
        ("hotline.add_alias", "post", f"/office/hotline/campaigns/{c}/aliases",
         {"name": "乙区人民政府", "unit": str(campaign.units["K2"].id)}),
        ("hotline.save_mapping", "post", f"/office/hotline/campaigns/{c}/mappings",
         {"source": "x", "col_order_no": "号"}),
        ("hotline.draw_page", "get", f"/office/hotline/campaigns/{c}/draw", None),
        ("hotline.draw_page", "post", f"/office/hotline/campaigns/{c}/draw", {"total": "5", "seed": "x"}),
        ("hotline.start_callbacks", "post", f"/office/hotline/campaigns/{c}/callbacks", None),
        ("hotline.vendor_page", "get", f"/office/hotline/campaigns/{c}/vendor", None),
        ("hotline.vendor_page", "post", f"/office/hotline/campaigns/{c}/vendor", {"file": (io.BytesIO(b"x"), "v.csv")}),
        ("hotline.rates_page", "get", f"/office/hotline/campaigns/{c}/rates?unit={campaign.units['K1'].id}", None),
        ("hotline.collect", "post", f"/office/hotline/campaigns/{c}/collect", None),
        ("hotline.appeals_page", "get", f"/office/hotline/campaigns/{c}/appeals", None),
        ("hotline.decide", "post", f"/office/hotline/appeals/{appeal_id}/decide",
         {"verdict": "approve", "reason": "x"}),
        ("hotline_entity.appeal", "post", f"/office/hotline/checks/{check_id}/appeal",
         {"rate": "resolution", "category": "其他", "reason": "x"}),
    ]


def _state():
    return tuple(db.session.scalar(select(func.count()).select_from(model))
                 for model in (WorkOrder, HandlerAlias, HotlineDraw, OrderCheck, Appeal)) + (
        db.session.scalar(select(func.count()).select_from(OrderCheck).where(OrderCheck.phone_case_id.is_not(None))),
        db.session.scalar(select(func.count()).select_from(Appeal).where(Appeal.status != "pending")))


def test_every_hotline_route_refuses_other_entities_and_townships(login_as, campaign, checked, clean_app, accounts):
    check = db.session.scalar(select(OrderCheck).where(OrderCheck.resolution == "未解决").limit(1))
    check.called_at = None  # the window would refuse a 422 first; here only scope may refuse
    appeal = Appeal(check_id=db.session.scalar(select(OrderCheck.id).where(OrderCheck.resolution == "部分解决")
                                               .limit(1)), rate="resolution", category="其他", reason="r",
                    filed_by=accounts.k1)
    db.session.add(appeal)
    db.session.commit()
    requests = _requests(campaign, check.id, appeal.id)
    guarded = {rule.endpoint for rule in clean_app.url_map.iter_rules() if rule.rule.startswith("/office/hotline")}
    assert guarded == {endpoint for endpoint, *_ in requests} | OWN_PAGE, "list every hotline route here"
    before = _state()
    for username in ("k2", "u1", "k1t1"):
        client = login_as(username)
        for endpoint, method, url, data in requests:
            if data and any(isinstance(v, tuple) for v in data.values()):
                data = {k: (io.BytesIO(v[0].getvalue()), v[1]) if isinstance(v, tuple) else v for k, v in data.items()}
                response = client.post(url, data=data, content_type="multipart/form-data")
            else:
                response = getattr(client, method)(url, data=data)
            assert response.status_code in (403, 404), (username, endpoint, response.status_code)
        assert _state() == before, username
        if username != "k2":  # a township account speaks for no entity; a unit sees only its own
            mine = client.get(f"/office/hotline/campaigns/{campaign.id}/mine")
            assert mine.status_code == (404 if username == "k1t1" else 200)
            assert "H095" not in mine.get_data(as_text=True)


def test_the_owning_entity_and_the_office_get_their_pages(login_as, campaign, checked):
    assert login_as("k1").get(f"/office/hotline/campaigns/{campaign.id}/mine").status_code == 200
    admin = login_as("admin")
    for url in ("orders", "draw", "vendor", "rates", "appeals"):
        assert admin.get(f"/office/hotline/campaigns/{campaign.id}/{url}").status_code == 200, url
    assert admin.get("/office/hotline/").status_code in (200, 302)
