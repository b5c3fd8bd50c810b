"""The office's draw of work orders to check, with the phone channel's allocation and seeded
draw (channels/phone/sampling.py: one implementation of both).

Eligible: orders mapped to an entity, not 保密, whose caller agreed to a callback, with a usable
number, not 已退回/无效, received within the period. One order per caller and entity (the most
recent), so no caller is called twice about one entity. The seed is recorded; the same seed over
the same orders draws the same orders. The service owns the transaction.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete, func, insert, select
from sqlalchemy.orm import Session

from questionnaire.accounts.service import add_event
from questionnaire.channels.hotline.models import HotlineDraw, OrderCheck, WorkOrder
from questionnaire.channels.phone import sampling
from questionnaire.kernel.errors import ServiceError
from questionnaire.kernel.sqltypes import utcnow

NOT_CHECKED_STATUSES = ("已退回", "无效")


class DrawRefused(ServiceError):
    status, code, message = 409, "hotline_draw_refused", "无法抽样"


def eligible(campaign_id: int, period: tuple[datetime, datetime] | None = None):
    """The where-clause of the orders that may be drawn."""
    conditions = [WorkOrder.campaign_id == campaign_id, WorkOrder.org_unit_id.is_not(None),
                  WorkOrder.confidential.is_(False), WorkOrder.callback_allowed.is_(True),
                  WorkOrder.phone_hmac.is_not(None), WorkOrder.status.not_in(NOT_CHECKED_STATUSES)]
    if period is not None:
        conditions += [WorkOrder.received_at >= period[0], WorkOrder.received_at < period[1]]
    return conditions


def latest_per_caller(rows) -> dict[int, list[sampling.Candidate]]:
    """entity -> one candidate per caller: the most recent order (rows: id, entity, hmac, received_at)."""
    newest: dict[tuple[int, str], tuple] = {}
    for order_id, entity_id, hmac, received_at in rows:
        key = (entity_id, hmac)
        if key not in newest or (received_at, order_id) > newest[key][1:]:
            newest[key] = (order_id, received_at, order_id)
    out: dict[int, list[sampling.Candidate]] = {}
    for (entity_id, hmac), (order_id, _, _) in newest.items():
        out.setdefault(entity_id, []).append(sampling.Candidate(order_id, hmac, ""))
    return out


def run_draw(session: Session, campaign_id: int, total: int, seed: str | None = None,
             period: tuple[datetime, datetime] | None = None, user_id: int | None = None) -> HotlineDraw:
    """Draw `total` orders over the entities, in proportion to their eligible orders (commits)."""
    if total <= 0:
        raise DrawRefused("抽样总量必须大于 0")
    existing = session.scalar(select(HotlineDraw).where(HotlineDraw.campaign_id == campaign_id).with_for_update())
    if existing is not None:
        checked = session.scalar(select(func.count()).select_from(OrderCheck).where(
            OrderCheck.campaign_id == campaign_id, OrderCheck.source.is_not(None)))
        if checked:
            raise DrawRefused("已有核查结果，不能重新抽样")
        session.execute(delete(OrderCheck).where(OrderCheck.campaign_id == campaign_id))
        session.delete(existing)
        session.flush()
    candidates = latest_per_caller(session.execute(
        select(WorkOrder.id, WorkOrder.org_unit_id, WorkOrder.phone_hmac, WorkOrder.received_at)
        .where(*eligible(campaign_id, period))))
    if not candidates:
        raise DrawRefused("没有可抽取的工单（请先导入工单并完成承办单位对应）")
    seed = seed or sampling.new_seed()
    allocation = sampling.allocate(total, {entity: len(c) for entity, c in candidates.items()})
    ranked = []
    for entity_id in sorted(candidates):
        drawn = sampling.draw_entity(seed, entity_id, allocation.get(entity_id, 0), candidates[entity_id])
        n = len(drawn.drawn)
        ranked += [((i + 0.5) / n, entity_id, c.number_id) for i, c in enumerate(drawn.drawn)]
    ranked.sort()
    rows = [{"campaign_id": campaign_id, "order_id": order_id, "org_unit_id": entity_id, "draw_order": i}
            for i, (_, entity_id, order_id) in enumerate(ranked)]
    for start in range(0, len(rows), 5000):
        session.execute(insert(OrderCheck), rows[start:start + 5000])
    draw = HotlineDraw(campaign_id=campaign_id, seed=seed, allocation={str(k): v for k, v in allocation.items()},
                       drawn=len(rows), drawn_by=user_id, drawn_at=utcnow())
    session.add(draw)
    add_event(session, user_id, "hotline_draw", f"campaign:{campaign_id}", {"seed": seed, "drawn": len(rows)})
    session.commit()
    return draw
