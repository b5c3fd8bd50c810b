"""Demo 12345 checks: 600 made-up work orders of six entities (a few waiting for an alias), a
draw of 150, the vendor's results for 100 of them and the rest queued for interviewer-1.

Everything goes through the hotline services (import, aliases, draw, vendor file, callbacks), with
numbers in the reserved 137 0000 xxxx range, so the office's pages, an entity's own page and the
dashboard's 12345工单回访 channel show data. Idempotent: a campaign with a hotline draw is left alone.
"""

from __future__ import annotations

import random
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from questionnaire.channels.hotline import callbacks, draw, orders, vendor
from questionnaire.channels.hotline.models import HotlineDraw, OrderCheck, WorkOrder
from questionnaire.channels.phone.frames import PersonalKeys
from questionnaire.intake.submissions import SubmissionStore
from questionnaire.org.models import OrgUnit

ENTITIES_PER_KIND = 3
ORDERS_PER_ENTITY = 100
DRAWN = 150
BY_VENDOR = 100
SEED = "demo-12345"
TYPES = ("投诉", "求助", "咨询", "建议", "举报")
SUMMARIES = ("小区路灯不亮，夜间出行不便", "道路破损积水，请尽快修复", "噪音扰民，夜间施工", "医保报销进度咨询",
             "学校周边交通拥堵", "垃圾清运不及时")
HEADER = ("工单编号,受理时间,诉求渠道,诉求人姓名,联系电话,诉求类型,诉求内容,承办单位,办理时限,办结时间,工单状态,"
          "新截止时间,是否保密,是否同意回访")
LEVELS = ("非常满意", "非常满意", "满意", "满意", "满意", "一般", "不满意", "非常不满意")


def _export(entities: list[OrgUnit], rng: random.Random) -> bytes:
    lines = [HEADER]
    start = datetime(2026, 1, 5, 9, 0)
    for e, unit in enumerate(entities):
        for i in range(ORDERS_PER_ENTITY):
            received = start + timedelta(hours=37 * i + e)
            closed = received + timedelta(days=rng.choice((3, 5, 8, 12, 14, 16, 20)))
            handler = f"{unit.name}（12345）" if i % 25 else f"河池市{unit.name}办公室"  # a few unmapped names
            lines.append(f"D{e}{i:04d},{received:%Y-%m-%d %H:%M},电话,市民{i},1370000{e:02d}{i:02d},"
                         f"{rng.choice(TYPES)},{rng.choice(SUMMARIES)},{handler},15,{closed:%Y-%m-%d %H:%M},已办结,,"
                         f"{'是' if i % 40 == 0 else '否'},是")
    return ("\n".join(lines) + "\n").encode("utf-8")


def _vendor_file(session: Session, campaign_id: int, rng: random.Random) -> bytes:
    lines = ["工单编号,回访时间,回访结果,是否按时办结,解决情况,满意度,意见建议,录音编号"]
    numbers = session.scalars(select(WorkOrder.order_no).join(OrderCheck, OrderCheck.order_id == WorkOrder.id)
                              .where(OrderCheck.campaign_id == campaign_id).order_by(OrderCheck.draw_order)
                              .limit(BY_VENDOR)).all()
    for no in numbers:
        if rng.random() < 0.12:
            lines.append(f"{no},{datetime.now():%Y-%m-%d %H:%M},{rng.choice(('未接通', '拒访'))},,,,,")
        else:
            solved = rng.choice(("已解决",) * 7 + ("部分解决", "未解决"))
            lines.append(f"{no},{datetime.now():%Y-%m-%d %H:%M},成功,是,{solved},{rng.choice(LEVELS)},,R{no}")
    return ("\n".join(lines) + "\n").encode("utf-8")


def seed(session: Session, store: SubmissionStore, keys: PersonalKeys, campaign_id: int) -> str:
    """Orders, aliases, the draw, the vendor's results and the callback queue (commits)."""
    if session.scalar(select(HotlineDraw.id).where(HotlineDraw.campaign_id == campaign_id)) is not None:
        return "demo 12345 checks: already drawn, left alone"
    entities = []
    for kind in ("county", "city_unit"):
        entities += session.scalars(select(OrgUnit).where(OrgUnit.kind == kind)
                                    .order_by(OrgUnit.sort_order, OrgUnit.id).limit(ENTITIES_PER_KIND)).all()
    known = orders.aliases(session)
    for unit in entities:
        if f"{unit.name}（12345）" not in known:
            orders.add_alias(session, f"{unit.name}（12345）", unit.id, None)
    rng = random.Random(SEED)
    imported = orders.import_orders(session, keys, campaign_id, "12345工单导出.csv", _export(entities, rng))
    draw.run_draw(session, campaign_id, DRAWN, seed=SEED)
    recorded = vendor.import_results(session, store, campaign_id, "第三方回访结果.csv",
                                     _vendor_file(session, campaign_id, rng), None)
    queued = callbacks.start_callbacks(session, campaign_id)
    return (f"demo 12345 checks: orders={imported.stored} waiting_for_alias={imported.unmapped} drawn={DRAWN} "
            f"vendor_results={recorded} callbacks_queued={queued}")
