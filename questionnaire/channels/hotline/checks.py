"""A sampled order's check result, from either path, stored the same way.

The callback questionnaire (Q1 on time as the caller saw it, Q2 resolution, Q3 satisfaction on
the five-level scale, Q4 suggestion) is a questionnaire of the campaign (key `hotline_callback`,
made on first use) on each entity's `hotline` collection point. A reached caller's answers go
through the one intake (`SubmissionStore.submit`), so tallies, dashboard (`?channel=hotline`)
and exports count them with no hotline code there; the check row keeps the answers' meaning for
the rates. Vendor rows and in-house callbacks both end in `record_result`: for the same
answers the stored result is the same, and so are the rates (H8).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from questionnaire.campaigns.definition import definition_to_data, parse_definition
from questionnaire.campaigns.models import Questionnaire
from questionnaire.channels.hotline.models import OrderCheck
from questionnaire.channels.hotline.rates import CONTACTS, PERCEIVED, REACHED, RESOLUTIONS
from questionnaire.intake.channels import HOTLINE
from questionnaire.intake.models import CollectionPoint
from questionnaire.intake.points import load_point
from questionnaire.intake.submissions import Outcome, Participant, Submission, SubmissionStore
from questionnaire.kernel.errors import ServiceError

QUESTIONNAIRE_KEY = "hotline_callback"
PARTICIPANT_KIND = "hotline_order"
SUBMISSION_NAMESPACE = uuid.UUID("0f7c4d2e-5a61-4b9e-8d43-12345a0e0c0b")
ON_TIME_VALUES = {"是": "yes", "否": "no", "记不清": "unsure"}
RESOLUTION_VALUES = {"已解决": "resolved", "部分解决": "partial", "未解决": "unresolved"}
CALLBACK_QUESTIONNAIRE = {
    "title": "12345工单回访",
    "questions": [
        {"id": "on_time", "type": "choice", "title": "您反映的问题是否在承诺时限内得到答复或处理？", "required": False,
         "options": [{"value": v, "label": k} for k, v in ON_TIME_VALUES.items()]},
        {"id": "resolution", "type": "choice", "title": "您反映的问题解决了吗？", "required": False,
         "options": [{"value": v, "label": k} for k, v in RESOLUTION_VALUES.items()]},
        {"id": "satisfaction", "type": "rating", "title": "您对这次处理的满意程度", "required": False},
        {"id": "suggestion", "type": "text", "title": "意见建议", "required": False, "max_length": 500},
    ],
}


class ResultRefused(ServiceError):
    status, code, message = 422, "hotline_result_refused", "核查结果有误"


@dataclass(frozen=True)
class CheckAnswers:
    """One check's result in the callback script's words (the vendor file uses the same)."""

    contact: str  # 成功 / 未接通 / 拒访 / 号码错误 / 否认诉求
    perceived_on_time: str | None = None
    resolution: str | None = None
    satisfaction: str | None = None  # 5..1 or dk
    suggestion: str = ""
    recording_no: str = ""

    def problems(self) -> list[str]:
        out = []
        if self.contact not in CONTACTS:
            out.append("回访结果应为 " + "/".join(CONTACTS))
        if self.perceived_on_time not in (None, *PERCEIVED):
            out.append("是否按时办结应为 " + "/".join(PERCEIVED))
        if self.resolution not in (None, *RESOLUTIONS):
            out.append("解决情况应为 " + "/".join(RESOLUTIONS))
        if self.satisfaction not in (None, "5", "4", "3", "2", "1", "dk"):
            out.append("满意度应为 非常满意/满意/一般/不满意/非常不满意")
        return out

    def questionnaire_answers(self) -> dict:
        answers = {}
        if self.perceived_on_time:
            answers["on_time"] = ON_TIME_VALUES[self.perceived_on_time]
        if self.resolution:
            answers["resolution"] = RESOLUTION_VALUES[self.resolution]
        if self.satisfaction:
            answers["satisfaction"] = self.satisfaction
        if self.suggestion:
            answers["suggestion"] = self.suggestion[:500]
        return answers


def answers_from_questionnaire(answers: dict) -> dict:
    """The check's fields from a stored callback response's answers."""
    on_time = {v: k for k, v in ON_TIME_VALUES.items()}
    resolution = {v: k for k, v in RESOLUTION_VALUES.items()}
    return {"perceived_on_time": on_time.get(answers.get("on_time")),
            "resolution": resolution.get(answers.get("resolution")),
            "satisfaction": answers.get("satisfaction"), "suggestion": answers.get("suggestion") or ""}


def callback_questionnaire(session: Session, campaign_id: int) -> int:
    """The campaign's callback questionnaire, made on first use (flushes)."""
    qn_id = session.scalar(select(Questionnaire.id).where(Questionnaire.campaign_id == campaign_id,
                                                          Questionnaire.key == QUESTIONNAIRE_KEY))
    if qn_id is None:
        qn = Questionnaire(campaign_id=campaign_id, key=QUESTIONNAIRE_KEY, title=CALLBACK_QUESTIONNAIRE["title"],
                           definition=definition_to_data(parse_definition(CALLBACK_QUESTIONNAIRE)))
        session.add(qn)
        session.flush()
        qn_id = qn.id
    return qn_id


def hotline_point(session: Session, campaign_id: int, unit_id: int) -> int:
    """The entity's `hotline` collection point, made on first use (flushes)."""
    point_id = session.scalar(select(CollectionPoint.id).where(
        CollectionPoint.campaign_id == campaign_id, CollectionPoint.channel == HOTLINE,
        CollectionPoint.evaluated_unit_id == unit_id))
    if point_id is None:
        point = CollectionPoint(channel=HOTLINE, code=None, campaign_id=campaign_id,
                                questionnaire_id=callback_questionnaire(session, campaign_id),
                                evaluated_unit_id=unit_id, collected_unit_id=unit_id)
        session.add(point)
        session.flush()
        point_id = point.id
    return point_id


def participant_of(check: OrderCheck) -> Participant:
    return Participant(PARTICIPANT_KIND, f"{check.campaign_id}:{check.order_id}")


def store_answers(session: Session, store: SubmissionStore, check: OrderCheck, answers: CheckAnswers,
                  now: datetime) -> int | None:
    """A reached caller's answers through the one intake (commits there); the response id."""
    if answers.contact != REACHED:
        return None
    point_id = hotline_point(session, check.campaign_id, check.org_unit_id)
    session.commit()  # the point must be visible to the intake's own connection
    submission_id = str(uuid.uuid5(SUBMISSION_NAMESPACE, f"{check.campaign_id}:{check.order_id}"))
    receipt = store.submit(load_point(session, point_id),
                           Submission(participant_of(check), submission_id, answers.questionnaire_answers(),
                                      user_agent_class="hotline"), now=now)
    if receipt.outcome is Outcome.ALREADY_PARTICIPATED:
        raise ResultRefused("该工单已有另一份回访答卷")
    return receipt.response_id


def apply_result(check: OrderCheck, answers: CheckAnswers, source: str, response_id: int | None,
                 called_at: datetime | None) -> None:
    """Write the result onto the check (the caller commits)."""
    reached = answers.contact == REACHED
    check.source = source
    check.contact = answers.contact
    check.reached = reached
    check.perceived_on_time = answers.perceived_on_time if reached else None
    check.resolution = answers.resolution if reached else None
    check.satisfaction = answers.satisfaction if reached else None
    check.suggestion = answers.suggestion[:500] if reached else ""
    check.recording_no = answers.recording_no[:64]
    check.called_at = called_at
    check.response_id = response_id
