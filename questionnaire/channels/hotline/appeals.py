"""Appeals (申诉): an entity appeals one of its problem orders for one rate, within the window,
with a category and a reason; the office approves or refuses with a reason. An approved appeal
takes the order out of that rate's denominator (resolution or satisfaction, never on-time).
Every step is an audit event in the same transaction (category, reason, who, when).
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from questionnaire.accounts.service import add_event
from questionnaire.campaigns.models import Campaign
from questionnaire.channels.hotline.models import Appeal, OrderCheck
from questionnaire.channels.hotline.rates import APPEALABLE_RATES, RESOLUTION, SATISFACTION
from questionnaire.kernel.china_time import CHINA
from questionnaire.kernel.errors import NotInScope, ServiceError
from questionnaire.org.models import OrgUnit

CATEGORIES = ("涉法涉诉", "资金较大", "诉求不合理", "其他")
RATE_LABELS = {RESOLUTION: "诉求解决率", SATISFACTION: "处理满意率"}
WINDOW_WORKING_DAYS = 5
REASON_LIMIT = 1000


class AppealRefused(ServiceError):
    status, code, message = 422, "hotline_appeal_refused", "申诉无法提交"


def add_working_days(moment: datetime, days: int) -> datetime:
    local = moment.astimezone(CHINA)
    while days:
        local += timedelta(days=1)
        if local.weekday() < 5:
            days -= 1
    return local


def appeal_deadline(campaign: Campaign, check: OrderCheck) -> datetime | None:
    """The office's deadline for the campaign, else 5 working days after the check's callback."""
    raw = ((campaign.settings or {}).get("hotline") or {}).get("appeal_deadline")
    if raw:
        moment = datetime.fromisoformat(raw)
        return moment if moment.tzinfo else moment.replace(tzinfo=CHINA)
    return add_working_days(check.called_at, WINDOW_WORKING_DAYS) if check.called_at else None


def _appealable(check: OrderCheck, rate: str) -> bool:
    if not check.reached:
        return False
    if rate == RESOLUTION:
        return check.resolution in ("未解决", "部分解决")
    return check.satisfaction in ("2", "1")  # 不满意 / 非常不满意


def file_appeal(session: Session, entity: OrgUnit, check_id: int, rate: str, category: str, reason: str,
                user_id: int, now: datetime) -> Appeal:
    """The entity appeals its own checked order (commits). Another entity's order is a 404."""
    check = session.get(OrderCheck, check_id)
    if check is None or check.org_unit_id != entity.id:
        raise NotInScope()
    if rate not in APPEALABLE_RATES:
        raise AppealRefused("只能就诉求解决率或处理满意率申诉（按时办结率按工单时间计算，不受理申诉）")
    if category not in CATEGORIES:
        raise AppealRefused("请选择申诉类别：" + "/".join(CATEGORIES))
    reason = (reason or "").strip()
    if not reason:
        raise AppealRefused("请填写申诉理由")
    if len(reason) > REASON_LIMIT:
        raise AppealRefused(f"申诉理由不能超过 {REASON_LIMIT} 字")
    if not _appealable(check, rate):
        raise AppealRefused(f"该工单的{RATE_LABELS[rate]}结果不是问题结果，无需申诉")
    deadline = appeal_deadline(session.get(Campaign, check.campaign_id), check)
    if deadline is not None and now > deadline:
        raise AppealRefused(f"申诉期已过（截止 {deadline.astimezone(CHINA):%Y-%m-%d %H:%M}）")
    if session.scalar(select(Appeal.id).where(Appeal.check_id == check.id, Appeal.rate == rate)) is not None:
        raise AppealRefused("该工单的这一项已申诉过")
    appeal = Appeal(check_id=check.id, rate=rate, category=category, reason=reason, filed_by=user_id, filed_at=now)
    session.add(appeal)
    session.flush()
    add_event(session, user_id, "hotline_appeal", f"appeal:{appeal.id}",
              {"check": check.id, "rate": rate, "category": category, "reason": reason}, now=now)
    session.commit()
    return appeal


def decide_appeal(session: Session, appeal_id: int, approve: bool, reason: str, user_id: int,
                  now: datetime) -> Appeal:
    """The office approves or refuses a pending appeal, with a reason (commits)."""
    appeal = session.scalar(select(Appeal).where(Appeal.id == appeal_id).with_for_update())
    if appeal is None:
        raise NotInScope()
    if appeal.status != "pending":
        raise AppealRefused("该申诉已处理")
    reason = (reason or "").strip()
    if not reason:
        raise AppealRefused("请填写处理意见")
    appeal.status = "approved" if approve else "refused"
    appeal.decision_reason = reason[:500]
    appeal.decided_by, appeal.decided_at = user_id, now
    add_event(session, user_id, "hotline_appeal_decision", f"appeal:{appeal.id}",
              {"check": appeal.check_id, "rate": appeal.rate, "category": appeal.category,
               "appeal_reason": appeal.reason, "decision": appeal.status, "reason": appeal.decision_reason}, now=now)
    session.commit()
    return appeal
