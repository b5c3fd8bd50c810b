"""H2: 4,130 orders drawn over 33 entities per the allocation; exclusions never drawn; no caller
twice within an entity; the same seed draws the same orders."""

from __future__ import annotations

from collections import Counter
from datetime import timedelta

import pytest
from sqlalchemy import select

from questionnaire.channels.hotline import draw, orders
from questionnaire.channels.hotline.models import OrderCheck, WorkOrder
from questionnaire.channels.phone import sampling
from questionnaire.extensions import db
from questionnaire.org.models import OrgUnit
from tests.channels.hotline.conftest import RECEIVED, mobile, order_line


@pytest.fixture
def thirty_three(campaign):
    """The test campaign's 2 counties and 1 unit plus 30 city units, each with its alias."""
    for i in range(30):
        db.session.add(OrgUnit(code=f"U{i + 2}", name=f"市直单位{i + 2}", kind="city_unit", sort_order=100 + i))
    db.session.commit()
    entities = db.session.scalars(select(OrgUnit).where(OrgUnit.kind.in_(("county", "city_unit")))
                                  .order_by(OrgUnit.id)).all()
    assert len(entities) == 33
    for unit in entities:
        orders.add_alias(db.session, f"{unit.name}（平台名）", unit.id, None)
    return entities


def test_h2_the_draw_follows_the_allocation_and_never_draws_an_excluded_order(campaign, thirty_three, import_file):
    lines, phone_no = [], 0
    for e, unit in enumerate(thirty_three):
        handler = f"{unit.name}（平台名）"
        for i in range(100 + 10 * e):
            phone_no += 1
            lines.append(order_line(f"E{e}-{i}", handler, mobile(phone_no)))
        # The same caller twice about this entity: only the newer order may be drawn.
        lines.append(order_line(f"E{e}-again", handler, mobile(phone_no), received=RECEIVED + timedelta(days=30)))
        lines += [order_line(f"E{e}-secret", handler, mobile(900_000 + e), confidential="是"),
                  order_line(f"E{e}-nocall", handler, mobile(910_000 + e), callback="否"),
                  order_line(f"E{e}-nophone", handler, ""),
                  order_line(f"E{e}-back", handler, mobile(920_000 + e), status="已退回", closed_after=None)]
    assert import_file(lines).stored == len(lines)

    done = draw.run_draw(db.session, campaign.id, 4130, seed="S")
    assert done.drawn == 4130
    drawn = db.session.execute(select(OrderCheck.org_unit_id, WorkOrder.order_no, WorkOrder.phone_hmac)
                               .join(WorkOrder, WorkOrder.id == OrderCheck.order_id)).all()
    sizes = {unit.id: 100 + 10 * e for e, unit in enumerate(thirty_three)}  # callers: the repeat replaces the older
    assert Counter(entity for entity, _, _ in drawn) == sampling.allocate(4130, sizes)
    excluded = ("-secret", "-nocall", "-nophone", "-back")
    assert not [no for _, no, _ in drawn if no.endswith(excluded)]
    assert max(Counter((entity, hmac) for entity, _, hmac in drawn).values()) == 1
    older = {f"E{e}-{100 + 10 * e - 1}" for e in range(33)}
    assert not older & {no for _, no, _ in drawn}

    first = {no for _, no, _ in drawn}
    draw.run_draw(db.session, campaign.id, 4130, seed="S")
    again = set(db.session.scalars(select(WorkOrder.order_no).join(OrderCheck, OrderCheck.order_id == WorkOrder.id)))
    assert again == first
    draw.run_draw(db.session, campaign.id, 4130, seed="another")
    other = set(db.session.scalars(select(WorkOrder.order_no).join(OrderCheck, OrderCheck.order_id == WorkOrder.id)))
    assert other != first


def test_orders_waiting_for_an_alias_are_not_drawn(campaign, import_file):
    import_file([order_line("GD1", "未对应的单位", mobile(1))])
    with pytest.raises(draw.DrawRefused):
        draw.run_draw(db.session, campaign.id, 10, seed="S")
