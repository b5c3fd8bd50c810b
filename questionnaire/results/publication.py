"""Publication of results: 初步结果 -> objection window -> the office answers each objection -> 最终结果.

* The office publishes a kind's **preliminary** results: a frozen copy of the standings under the
  current scheme version, with an objection deadline. Each entity sees only its own row.
* Until the deadline, an entity's own account may file objections (异议) with text.
* The office answers each objection (corrections go through entered figures or a new scheme
  version with a reason), then publishes the **final** results once the window has closed and
  every objection is answered. Final needs the version the preliminary used: after a change,
  preliminary results are published again.
* Final results are immutable: a figure of that kind can no longer be changed, and neither can
  the scheme except by a new version with a reason (service.add_scheme_version); a new version
  starts a new preliminary -> final cycle. Every step is audited.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from questionnaire.kernel.errors import NotInScope, ServiceError
from questionnaire.kernel.sqltypes import utcnow
from questionnaire.org.models import OrgUnit
from questionnaire.results import present, service, standings
from questionnaire.results.models import FINAL, PRELIMINARY, ResultObjection, ResultPublication
from questionnaire.results.scheme import KINDS

TEXT_LIMIT = 2000
MAX_WINDOW_DAYS = 30


class PublicationRefused(ServiceError):
    status, code, message = 409, "publication_refused", "当前不能执行该发布操作"


class ObjectionRefused(ServiceError):
    status, code, message = 422, "objection_refused", "异议未能提交"


def publications(session: Session, campaign_id: int) -> list[ResultPublication]:
    return list(session.scalars(select(ResultPublication).where(ResultPublication.campaign_id == campaign_id)
                                .order_by(ResultPublication.id)))


def _snapshot(session: Session, campaign_id: int, kind: str):
    current = service.latest(session, campaign_id, kind)
    if current is None:
        raise PublicationRefused("尚未设定该类对象的计分方案")
    data = standings.build(session, campaign_id, kind, current)
    return current, present.standings(data)


def publish(session: Session, campaign_id: int, kind: str, stage: str, user_id: int, window_days: int = 5,
            now: datetime | None = None, ip_hash: str | None = None) -> ResultPublication:
    if kind not in KINDS or stage not in (PRELIMINARY, FINAL):
        raise NotInScope()
    now = now or utcnow()
    last = service.latest_publication(session, campaign_id, kind)
    current, snapshot = _snapshot(session, campaign_id, kind)
    if last is not None and last.stage == FINAL and last.scheme_id == current.id:
        raise PublicationRefused("最终结果已发布，不能再修改；如需更正，须先生成带原因的新版本计分方案")
    until = None
    if stage == PRELIMINARY:
        if last is not None and last.stage == PRELIMINARY and last.scheme_id == current.id:
            raise PublicationRefused("本版本的初步结果已发布，请处理异议后发布最终结果")
        if not 0 <= window_days <= MAX_WINDOW_DAYS:
            raise PublicationRefused(f"异议期必须在 0 到 {MAX_WINDOW_DAYS} 天之间")
        until = now + timedelta(days=window_days)
    else:
        if last is None or last.stage != PRELIMINARY:
            raise PublicationRefused("须先发布初步结果并经过异议期")
        if last.scheme_id != current.id:
            raise PublicationRefused("计分方案已生成新版本，请先按新版本重新发布初步结果")
        if last.objections_until and now < last.objections_until:
            raise PublicationRefused("异议期尚未结束，不能发布最终结果")
        open_objections = session.scalar(select(func.count()).select_from(ResultObjection).where(
            ResultObjection.publication_id == last.id, ResultObjection.answer.is_(None)))
        if open_objections:
            raise PublicationRefused(f"还有 {open_objections} 条异议未答复，请逐条答复后再发布最终结果")
    row = ResultPublication(campaign_id=campaign_id, kind=kind, stage=stage, scheme_id=current.id, results=snapshot,
                            objections_until=until, published_by=user_id, published_at=now)
    session.add(row)
    session.flush()
    service.audit(session, user_id, f"publish_{stage}", f"campaign:{campaign_id}:{kind}:publication:{row.id}",
                  {"scheme_version": current.version, "objections_until": until.isoformat() if until else None},
                  ip_hash, now)
    session.commit()
    return row


def get_publication(session: Session, campaign_id: int, publication_id: int) -> ResultPublication:
    row = session.get(ResultPublication, publication_id)
    if row is None or row.campaign_id != campaign_id:
        raise NotInScope()
    return row


def objections(session: Session, publication_id: int, unit_id: int | None = None) -> list[ResultObjection]:
    query = select(ResultObjection).where(ResultObjection.publication_id == publication_id)
    if unit_id is not None:
        query = query.where(ResultObjection.unit_id == unit_id)
    return list(session.scalars(query.order_by(ResultObjection.id)))


def window_open(session: Session, row: ResultPublication, now: datetime | None = None) -> bool:
    now = now or utcnow()
    last = service.latest_publication(session, row.campaign_id, row.kind)
    return (row.stage == PRELIMINARY and last is not None and last.id == row.id
            and row.objections_until is not None and now < row.objections_until)


def file_objection(session: Session, row: ResultPublication, unit: OrgUnit, text: str, user_id: int,
                   now: datetime | None = None, ip_hash: str | None = None) -> ResultObjection:
    """An entity's own objection to its preliminary result (the caller checks it is the account's own)."""
    now = now or utcnow()
    if unit.kind != row.kind:
        raise NotInScope()
    if not window_open(session, row, now):
        raise ObjectionRefused("异议期已结束或结果不是初步结果，不能再提出异议")
    text = (text or "").strip()
    if not text:
        raise ObjectionRefused("请填写异议内容和依据")
    if len(text) > TEXT_LIMIT:
        raise ObjectionRefused(f"异议内容不能超过 {TEXT_LIMIT} 字")
    objection = ResultObjection(publication_id=row.id, unit_id=unit.id, text=text, filed_by=user_id, filed_at=now)
    session.add(objection)
    session.flush()
    service.audit(session, user_id, "file_objection", f"publication:{row.id}:objection:{objection.id}",
                  {"unit_id": unit.id}, ip_hash, now)
    session.commit()
    return objection


def answer_objection(session: Session, campaign_id: int, objection_id: int, answer: str, user_id: int,
                     now: datetime | None = None, ip_hash: str | None = None) -> ResultObjection:
    now = now or utcnow()
    objection = session.get(ResultObjection, objection_id)
    if objection is None or session.get(ResultPublication, objection.publication_id).campaign_id != campaign_id:
        raise NotInScope()
    if objection.answer is not None:
        raise ObjectionRefused("该异议已答复")
    answer = (answer or "").strip()
    if not answer or len(answer) > TEXT_LIMIT:
        raise ObjectionRefused(f"请填写答复（不超过 {TEXT_LIMIT} 字）")
    objection.answer, objection.answered_by, objection.answered_at = answer, user_id, now
    service.audit(session, user_id, "answer_objection", f"objection:{objection.id}", {"unit_id": objection.unit_id},
                  ip_hash, now)
    session.commit()
    return objection
