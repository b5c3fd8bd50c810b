"""Import the platform's work orders, and the mapping of 承办单位 names to our entities.

An import stores its clean rows in one commit (or nothing, when the file itself is unusable) and
reports every rejected row. A row whose 承办单位 has no alias is stored without an entity: it
waits in the mapping queue, and adding the alias joins every waiting order of that name (no
re-upload). Callers' numbers and names are stored only encrypted (+ keyed HMAC for the number).
The service owns the transaction; every action is audited in it.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, insert, select, update
from sqlalchemy.orm import Session

from questionnaire.accounts.service import add_event
from questionnaire.channels.hotline.models import ColumnMapping, HandlerAlias, WorkOrder
from questionnaire.channels.hotline.order_file import HEADERS, OrderReport, read_orders
from questionnaire.channels.phone.frame_file import FrameFileError
from questionnaire.channels.phone.frames import PersonalKeys
from questionnaire.kernel.errors import NotInScope, ServiceError
from questionnaire.kernel.personal_data import phone_hmac
from questionnaire.kernel.sqltypes import utcnow
from questionnaire.org.models import OrgUnit

ENTITY_KINDS = ("county", "city_unit")
INSERT_CHUNK = 5000


class ImportRefused(ServiceError):
    status, code, message = 422, "hotline_import_refused", "工单文件无法导入"


@dataclass(frozen=True)
class ImportResult:
    report: OrderReport
    stored: int
    unmapped: int  # stored rows waiting in the mapping queue


def aliases(session: Session) -> dict[str, int]:
    return dict(session.execute(select(HandlerAlias.name, HandlerAlias.org_unit_id)).all())


def saved_mapping(session: Session, source: str) -> dict[str, str]:
    row = session.scalar(select(ColumnMapping).where(ColumnMapping.source == source))
    return dict(row.columns) if row is not None else {}


def save_mapping(session: Session, source: str, columns: dict[str, str], user_id: int | None) -> ColumnMapping:
    """Save a source's column names (our field -> its header) for its next exports (commits)."""
    source = (source or "").strip()[:64]
    if not source:
        raise ServiceError("请填写数据来源名称")
    unknown = set(columns) - set(HEADERS)
    if unknown:
        raise ServiceError("未知的字段：" + "、".join(sorted(unknown)))
    row = session.scalar(select(ColumnMapping).where(ColumnMapping.source == source))
    if row is None:
        row = ColumnMapping(source=source, columns={})
        session.add(row)
    row.columns = {k: v.strip()[:100] for k, v in columns.items() if v and v.strip()}
    row.updated_at = utcnow()
    add_event(session, user_id, "hotline_mapping", f"source:{source}", row.columns)
    session.commit()
    return row


def import_orders(session: Session, keys: PersonalKeys, campaign_id: int, filename: str, data: bytes,
                  source: str = "", user_id: int | None = None) -> ImportResult:
    """Check the file and store its clean rows (commits once)."""
    known = dict(session.execute(select(WorkOrder.order_no, WorkOrder.row_no)
                                 .where(WorkOrder.campaign_id == campaign_id)).all())
    mapped = aliases(session)
    now = utcnow()
    unmapped = 0

    def store(chunk: list) -> None:  # one chunk of clean rows, inserted in the import's transaction
        nonlocal unmapped
        rows = _rows(chunk, campaign_id, keys, mapped, now)
        unmapped += sum(1 for r in rows if r["org_unit_id"] is None)
        session.execute(insert(WorkOrder), rows)

    try:
        report = read_orders(filename, data, saved_mapping(session, source) if source else {}, known, sink=store,
                             chunk=INSERT_CHUNK)
    except FrameFileError as exc:  # the file as a whole (format, size, header): nothing stored
        session.rollback()
        raise ImportRefused(exc.message) from None
    add_event(session, user_id, "hotline_import", f"campaign:{campaign_id}",
              {"file": (filename or "")[:100], "rows": report.rows_total, "stored": report.kept_count,
               "rejected": len(report.rejected), "unmapped": unmapped})
    session.commit()
    return ImportResult(report, report.kept_count, unmapped)


def _rows(chunk: list, campaign_id: int, keys: PersonalKeys, mapped: dict[str, int], now) -> list[dict]:
    """The table rows of clean order rows: the caller's number and name encrypted, the number HMAC'd."""
    return [{
        "campaign_id": campaign_id, "order_no": r.order_no, "row_no": r.row_no, "received_at": r.received_at,
        "channel": r.channel, "order_type": r.order_type, "summary": r.summary, "county": r.county,
        "township": r.township, "handler_name": r.handler, "org_unit_id": mapped.get(r.handler),
        "deadline_at": r.deadline_at, "extended_deadline_at": r.extended_deadline_at, "closed_at": r.closed_at,
        "status": r.status, "reply": r.reply, "confidential": r.confidential,
        "callback_allowed": r.callback_allowed,
        "phone_hmac": phone_hmac(keys.hmac_key, r.phone) if r.phone else None,
        "phone_cipher": keys.cipher.encrypt(r.phone) if r.phone else None,
        "caller_name_cipher": keys.cipher.encrypt(r.caller_name) if r.caller_name else None,
        "imported_at": now} for r in chunk]


def mapping_queue(session: Session, campaign_id: int) -> list[tuple[str, int]]:
    """承办单位 names waiting for an alias, with their number of orders (most first)."""
    n = func.count()
    return [tuple(r) for r in session.execute(
        select(WorkOrder.handler_name, n).where(WorkOrder.campaign_id == campaign_id,
                                                WorkOrder.org_unit_id.is_(None))
        .group_by(WorkOrder.handler_name).order_by(n.desc(), WorkOrder.handler_name))]


def add_alias(session: Session, name: str, unit_id: int, user_id: int | None) -> int:
    """Map a 承办单位 name to an entity; its waiting orders (every campaign) join it. Returns how many (commits)."""
    name = (name or "").strip()
    unit = session.get(OrgUnit, unit_id)
    if not name or unit is None or unit.kind not in ENTITY_KINDS:
        raise NotInScope()
    if session.scalar(select(HandlerAlias.id).where(HandlerAlias.name == name)) is not None:
        raise ServiceError(f"“{name}”已有对应单位")
    session.add(HandlerAlias(name=name, org_unit_id=unit.id, created_by=user_id))
    joined = session.execute(update(WorkOrder).where(WorkOrder.handler_name == name,
                                                     WorkOrder.org_unit_id.is_(None))
                             .values(org_unit_id=unit.id)).rowcount
    add_event(session, user_id, "hotline_alias", f"unit:{unit.id}", {"name": name, "joined": joined})
    session.commit()
    return joined
