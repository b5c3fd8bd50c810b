"""The office's draw: allocate a total over the locked frames, draw each entity, make the cases.

Each drawn number becomes a case on the entity's `phone` collection point (evaluated and
collected unit: the frame's entity; questionnaire: the one the entity's own QR code uses), so
completed interviews are counted by tallies, dashboard and exports like any other channel.
A draw can be repeated with its recorded seed (identical lists) as long as no case was called.
The service owns the transaction.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import delete, func, insert, select
from sqlalchemy.orm import Session

from questionnaire.channels.phone import sampling
from questionnaire.channels.phone.models import Draw, FrameNumber, PhoneCase, SampleFrame
from questionnaire.intake.channels import PHONE, QR
from questionnaire.intake.models import CollectionPoint
from questionnaire.kernel.errors import ServiceError
from questionnaire.kernel.sqltypes import utcnow
from questionnaire.org.models import OrgUnit

INSERT_CHUNK = 5000


class DrawRefused(ServiceError):
    status, code, message = 409, "draw_refused", "无法抽样"


@dataclass(frozen=True)
class DrawResult:
    draw: Draw
    per_entity: dict[int, tuple[int, int]]  # entity id -> (allocated, drawn)


def phone_point(session: Session, campaign_id: int, unit_id: int) -> int:
    """The entity's phone collection point, made on first use (flushes, does not commit)."""
    point_id = session.scalar(select(CollectionPoint.id).where(
        CollectionPoint.campaign_id == campaign_id, CollectionPoint.channel == PHONE,
        CollectionPoint.evaluated_unit_id == unit_id, CollectionPoint.collected_unit_id == unit_id))
    if point_id is not None:
        return point_id
    questionnaire_id = session.scalar(
        select(CollectionPoint.questionnaire_id).where(
            CollectionPoint.campaign_id == campaign_id, CollectionPoint.channel == QR,
            CollectionPoint.evaluated_unit_id == unit_id)
        .order_by((CollectionPoint.collected_unit_id != unit_id), CollectionPoint.id).limit(1))
    if questionnaire_id is None:
        name = session.get(OrgUnit, unit_id).name
        raise DrawRefused(f"{name} 没有问卷（请先为其生成二维码入口），无法抽样")
    point = CollectionPoint(channel=PHONE, code=None, campaign_id=campaign_id, questionnaire_id=questionnaire_id,
                            evaluated_unit_id=unit_id, collected_unit_id=unit_id)
    session.add(point)
    session.flush()
    return point.id


def run_draw(session: Session, campaign_id: int, total: int, seed: str | None = None, mode: str = "proportional",
             user_id: int | None = None) -> DrawResult:
    """Draw `total` numbers over the campaign's locked frames (commits)."""
    if total <= 0:
        raise DrawRefused("抽样总量必须大于 0")
    if mode not in sampling.ALLOCATION_MODES:
        raise DrawRefused("分配方式无效")
    existing = session.scalar(select(Draw).where(Draw.campaign_id == campaign_id).with_for_update())
    if existing is not None:
        called = session.scalar(select(func.count()).select_from(PhoneCase).where(
            PhoneCase.campaign_id == campaign_id, PhoneCase.kind == "interview", PhoneCase.attempts > 0))
        if called:
            raise DrawRefused("已开始拨打，不能重新抽样")
        # 12345 callback cases share the queue but are not the draw's (channels/hotline).
        session.execute(delete(PhoneCase).where(PhoneCase.campaign_id == campaign_id, PhoneCase.kind == "interview"))
        session.delete(existing)
        session.flush()
    frames = session.execute(
        select(SampleFrame.id, SampleFrame.org_unit_id, SampleFrame.rows_valid, SampleFrame.status, OrgUnit.name)
        .join(OrgUnit, OrgUnit.id == SampleFrame.org_unit_id)
        .where(SampleFrame.campaign_id == campaign_id)).all()
    locked = [f for f in frames if f.status == "locked"]
    if not locked:
        raise DrawRefused("没有已锁定（审核通过）的样本框，无法抽样")
    warnings = [f"{f.name} 的样本框尚未锁定，未参与抽样" for f in frames if f.status != "locked"]
    seed = seed or sampling.new_seed()
    allocation = sampling.allocate(total, {f.org_unit_id: f.rows_valid for f in locked}, mode)
    names = {f.org_unit_id: f.name for f in locked}
    entity_draws = []
    for f in sorted(locked, key=lambda f: f.org_unit_id):
        candidates = [sampling.Candidate(*row) for row in session.execute(
            select(FrameNumber.id, FrameNumber.phone_hmac, FrameNumber.sample_type)
            .where(FrameNumber.frame_id == f.id))]
        drawn = sampling.draw_entity(seed, f.org_unit_id, allocation.get(f.org_unit_id, 0), candidates)
        if drawn.short:
            warnings.append(f"{names[f.org_unit_id]} 的有效样本 {len(drawn.drawn)} 个，少于分配的 "
                            f"{drawn.allocated} 个：已全部抽取")
        entity_draws.append(drawn)
    draw = Draw(campaign_id=campaign_id, seed=seed, allocation={str(k): v for k, v in allocation.items()},
                drawn=sum(len(d.drawn) for d in entity_draws), warnings=warnings, drawn_by=user_id,
                drawn_at=utcnow())
    session.add(draw)
    _make_cases(session, campaign_id, entity_draws)
    session.commit()
    return DrawResult(draw, {d.entity_id: (d.allocated, len(d.drawn)) for d in entity_draws})


def _make_cases(session: Session, campaign_id: int, entity_draws: list[sampling.EntityDraw]) -> None:
    """One case per drawn number; fresh cases are served interleaved across entities, each
    entity at the pace of its allocation (its i-th of n cases at position (i + 0.5) / n)."""
    ranked = []
    for d in entity_draws:
        if not d.drawn:
            continue
        point_id = phone_point(session, campaign_id, d.entity_id)
        n = len(d.drawn)
        for i, c in enumerate(d.drawn):
            ranked.append(((i + 0.5) / n, d.entity_id, c.number_id, point_id, c.phone_hmac))
    ranked.sort()
    rows = [{"campaign_id": campaign_id, "frame_number_id": number_id, "collection_point_id": point_id,
             "evaluated_unit_id": entity_id, "phone_hmac": phone_hmac, "draw_order": order, "status": "fresh",
             "kind": "interview",
             "attempts": 0, "release_no": 0, "updated_at": utcnow()}
            for order, (_, entity_id, number_id, point_id, phone_hmac) in enumerate(ranked)]
    for start in range(0, len(rows), INSERT_CHUNK):
        session.execute(insert(PhoneCase), rows[start:start + INSERT_CHUNK])
