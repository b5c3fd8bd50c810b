"""In-house callbacks through the phone channel's interviewer queue (one queue, two case kinds).

`start_callbacks` turns every sampled order without a result into a phone case of kind
`callback` on the entity's `hotline` collection point: its number (still only the Fernet token)
and the order's date, type and summary travel with the case, so the interviewer's workspace,
"下一个", retries, appointments, reveal audit and review work as for interviews. The answers of a
completed callback are stored by the phone channel through the one intake on the hotline point;
`collect_results` reads the finished cases back into the checks (both idempotent).
"""

from __future__ import annotations

from sqlalchemy import func, insert, or_, select
from sqlalchemy.orm import Session

from questionnaire.accounts.service import add_event
from questionnaire.channels.hotline.checks import CheckAnswers, answers_from_questionnaire, apply_result, hotline_point
from questionnaire.channels.hotline.models import OrderCheck, WorkOrder
from questionnaire.channels.phone.models import PhoneCase
from questionnaire.intake.models import Response
from questionnaire.kernel.china_time import format_china_time
from questionnaire.kernel.sqltypes import utcnow

# The phone outcome codes (channels/phone/outcomes.py) in the vendor file's words.
CONTACT_OF_OUTCOME = {11: "成功", 21: "拒访", 22: "拒访", 23: "拒访", 41: "号码错误", 42: "号码错误", 43: "号码错误",
                      44: "否认诉求"}
DEFAULT_CONTACT = "未接通"  # 无人接听 / 占线 / 关机 after the last attempt, and the other finals


def start_callbacks(session: Session, campaign_id: int, user_id: int | None = None) -> int:
    """Queue a callback case for each sampled order with no result and no case yet (commits)."""
    pending = session.execute(
        select(OrderCheck, WorkOrder).join(WorkOrder, WorkOrder.id == OrderCheck.order_id)
        .where(OrderCheck.campaign_id == campaign_id, OrderCheck.source.is_(None),
               OrderCheck.phone_case_id.is_(None)).order_by(OrderCheck.draw_order)).all()
    if not pending:
        return 0
    # After the interviews already queued: fresh cases are served in draw order.
    start = (session.scalar(select(func.max(PhoneCase.draw_order)).where(PhoneCase.campaign_id == campaign_id))
             or 0) + 1
    points = {}
    now = utcnow()
    rows = []
    for i, (check, order) in enumerate(pending):
        if check.org_unit_id not in points:
            points[check.org_unit_id] = hotline_point(session, campaign_id, check.org_unit_id)
        rows.append({"campaign_id": campaign_id, "kind": "callback", "frame_number_id": None,
                     "collection_point_id": points[check.org_unit_id], "evaluated_unit_id": check.org_unit_id,
                     "phone_hmac": order.phone_hmac, "phone_cipher": order.phone_cipher, "draw_order": start + i,
                     "status": "fresh", "attempts": 0, "release_no": 0, "updated_at": now,
                     "context": {"order_no": order.order_no, "type": order.order_type,
                                 "received": format_china_time(order.received_at, "%m月%d日"),
                                 "summary": order.summary[:300], "check_id": check.id}})
    returning = insert(PhoneCase).returning(PhoneCase.id, sort_by_parameter_order=True)
    case_ids = session.execute(returning, rows).scalars().all()
    for (check, _), case_id in zip(pending, case_ids, strict=True):
        check.phone_case_id = case_id
    add_event(session, user_id, "hotline_callbacks", f"campaign:{campaign_id}", {"queued": len(rows)})
    session.commit()
    return len(rows)


def collect_results(session: Session, campaign_id: int) -> int:
    """Copy every finished callback case's result onto its check (commits); returns how many."""
    return _collect(session, OrderCheck.campaign_id == campaign_id)


def collect_case(session: Session, case_id: int) -> int:
    """The same for one case, as soon as the interviewer finalises it (the phone channel's hook)."""
    return _collect(session, OrderCheck.phone_case_id == case_id)


def _collect(session: Session, which) -> int:
    done = session.execute(
        select(OrderCheck, PhoneCase, Response.answers)
        .join(PhoneCase, PhoneCase.id == OrderCheck.phone_case_id)
        .outerjoin(Response, Response.id == PhoneCase.response_id)
        .where(which, OrderCheck.source.is_(None), PhoneCase.status == "final", PhoneCase.kind == "callback",
               or_(PhoneCase.review.is_(None), PhoneCase.review != "fail"))).all()
    if not done:
        return 0
    for check, case, answers in done:
        contact = CONTACT_OF_OUTCOME.get(case.last_outcome, DEFAULT_CONTACT)
        fields = answers_from_questionnaire(answers or {}) if contact == "成功" else {}
        apply_result(check, CheckAnswers(contact, **fields), "callback", case.response_id, case.last_called_at)
    session.commit()
    return len(done)
