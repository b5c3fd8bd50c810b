"""Task workflow: accept, monthly reports with evidence, claims, long-term requests, office review.

Each function owns its transaction: the status change, its history row (user, time, note,
previous values) and the audit event are committed together or not at all. Scope comes
first (a task outside the account's scope is a 404), then the rules: an action of the other
side is a 403 (an entity never closes its own task), a wrong status or missing reason a 422.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from datetime import date

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from questionnaire.accounts.service import add_event
from questionnaire.kernel.sqltypes import utcnow
from questionnaire.org.scope import Scope
from questionnaire.rectification import evidence, rules
from questionnaire.rectification.errors import ActionForbidden, ActionRefused
from questionnaire.rectification.items import load_task, responsible_entities
from questionnaire.rectification.models import (
    RectificationEvent,
    RectificationEvidence,
    RectificationReport,
    RectificationTask,
)
from questionnaire.rectification.rules import TransitionRefused

MAX_PROGRESS = 1000
MAX_NOTE = 1000


@dataclass(frozen=True)
class Actor:
    user_id: int | None
    scope: Scope
    ip_hash: str | None = None

    @property
    def side(self) -> str:
        return rules.OFFICE if self.scope.is_admin else rules.ENTITY


@dataclass(frozen=True)
class ActionInput:
    action: str
    note: str = ""
    completed_on: date | None = None  # claim: the completion date; close: the approved date
    long_term_reason: str | None = None
    planned_on: date | None = None


def _transition(task: RectificationTask, actor: Actor, action: str, note: str) -> str:
    try:
        return rules.next_status(action, task.status, actor.side, note)
    except TransitionRefused as exc:
        raise (ActionForbidden if exc.forbidden else ActionRefused)(exc.message) from exc


def _apply(session: Session, task: RectificationTask, actor: Actor, given: ActionInput, today: date) -> None:
    """Change the task for one action and record it (no commit)."""
    note = given.note.strip()
    if len(note) > MAX_NOTE:
        raise ActionRefused(f"说明不能超过 {MAX_NOTE} 字")
    target = _transition(task, actor, given.action, note)
    previous = {"completed_on": task.completed_on, "planned_on": task.planned_on,
                "long_term_reason": task.long_term_reason}
    if given.action == "claim":
        if given.completed_on is None or given.completed_on > today:
            raise ActionRefused("申请销号须填写完成日期，且不能晚于今天")
        task.claimed_on = given.completed_on
    elif given.action == "request_long_term":
        if given.long_term_reason not in rules.LONG_TERM_REASONS:
            raise ActionRefused("申请长期推进须选择客观原因类别（项目申请、资金、涉法涉诉、其他）")
        if given.planned_on is None or given.planned_on <= today:
            raise ActionRefused("申请长期推进须填写今天以后的预计完成时间")
        task.long_term_reason, task.planned_on = given.long_term_reason, given.planned_on
    elif given.action == "close":
        approved = given.completed_on or task.claimed_on
        if approved is None or approved > today:
            raise ActionRefused("销号须确认完成日期，且不能晚于今天")
        task.completed_on, task.closed_at = approved, utcnow()
    elif given.action == "reject_long_term":
        task.long_term_reason, task.planned_on = None, None
    changed = {k: v.isoformat() if isinstance(v, date) else v for k, v in previous.items()
               if getattr(task, k) != v}
    from_status = task.status
    task.status, task.updated_at = target, utcnow()
    detail = {"previous": changed} if changed else {}
    if given.action in ("claim", "close"):
        detail["completed_on"] = (task.completed_on or task.claimed_on).isoformat()
    task.events.append(RectificationEvent(at=utcnow(), user_id=actor.user_id, action=given.action,
                                          from_status=from_status, to_status=target, note=note, detail=detail))
    add_event(session, actor.user_id, f"rectification_{given.action}", f"rectification_task:{task.id}",
              {"from": from_status, "to": target, "note": note[:200], **detail}, actor.ip_hash)


def take_action(session: Session, actor: Actor, task_id: int, given: ActionInput, today: date) -> RectificationTask:
    """One workflow step on one task (accept, claim, long-term request, or an office review); commits."""
    task = load_task(session, actor.scope, task_id)
    if given.action == "report":  # a report is a report row with its files: submit_report
        raise ActionRefused("请通过填报表单提交本月进展")
    try:
        _apply(session, task, actor, given, today)
        session.commit()
    except Exception:
        session.rollback()
        raise
    return task


def evidence_count(session: Session, task_id: int) -> int:
    return session.scalar(select(func.count()).select_from(RectificationEvidence)
                          .where(RectificationEvidence.task_id == task_id)) or 0


@dataclass(frozen=True)
class ReportInput:
    progress: str
    measures: str | None = None  # 整改措施: kept on the task; a change keeps the old text in history
    then: ActionInput | None = None  # claim or request long-term in the same step


def submit_report(session: Session, actor: Actor, task_id: int, given: ReportInput,
                  uploads: list[evidence.Upload], instance_path: str | os.PathLike, max_bytes: int,
                  today: date) -> RectificationReport:
    """This month's progress report with its evidence files; commits, or leaves nothing behind."""
    task = load_task(session, actor.scope, task_id)
    progress = given.progress.strip()
    if not progress:
        raise ActionRefused("请填写本月进展")
    if len(progress) > MAX_PROGRESS:
        raise ActionRefused(f"本月进展不能超过 {MAX_PROGRESS} 字（现为 {len(progress)} 字）")
    _transition(task, actor, "report", "")  # scope and side before any file is written
    if given.then is not None and given.then.action not in ("claim", "request_long_term"):
        raise ActionRefused("未知的操作")
    staged = evidence.stage(instance_path, uploads, max_bytes, evidence_count(session, task.id))
    try:
        _apply(session, task, actor, ActionInput("report", ""), today)
        measures = (given.measures or "").strip()
        if given.measures is not None and measures != task.measures:
            task.events.append(RectificationEvent(at=utcnow(), user_id=actor.user_id, action="edit_measures",
                                                  from_status=task.status, to_status=task.status, note="",
                                                  detail={"previous": {"measures": task.measures}}))
            task.measures = measures
        report = RectificationReport(task_id=task.id, year=today.year, month=today.month, progress=progress,
                                     reported_by=actor.user_id, reported_at=utcnow())
        session.add(report)
        session.flush()
        for f in staged:
            session.add(RectificationEvidence(task_id=task.id, report_id=report.id, stored_name=f.stored_name,
                                              original_name=f.original_name, kind=f.kind, size=f.size,
                                              sha256=f.sha256, uploaded_by=actor.user_id, uploaded_at=utcnow()))
        if given.then is not None:
            _apply(session, task, actor, given.then, today)
        session.commit()
    except Exception:
        session.rollback()
        evidence.discard(staged)
        raise
    return report


@dataclass(frozen=True)
class Adjustment:
    """The office's change to a task: another responsible entity (调整责任单位) and/or a new deadline."""

    note: str
    entity_id: int | None = None
    deadline: date | None = None


def adjust_task(session: Session, actor: Actor, task_id: int, change: Adjustment, today: date) -> RectificationTask:
    """Reassign a task or move its deadline (office only); the previous values stay in its history.

    A reassigned task starts again at 待领取 for its new entity. Commits.
    """
    if not actor.scope.is_admin:
        raise ActionForbidden("调整责任单位或整改时限只能由绩效办操作")
    task = load_task(session, actor.scope, task_id)
    note = change.note.strip()
    if task.status == rules.CLOSED:
        raise ActionRefused("已销号的任务不能调整")
    if not note or len(note) > MAX_NOTE:
        raise ActionRefused("调整须填写原因说明（不超过 1000 字）")
    previous: dict = {}
    if change.entity_id is not None and change.entity_id != task.entity_id:
        entities = {u.id for u in responsible_entities(session)}
        if change.entity_id not in entities:
            raise ActionRefused("责任单位必须是县区或市直单位")
        if any(t.entity_id == change.entity_id for t in task.item.tasks):
            raise ActionRefused("该单位已承担这条意见建议的任务")
        previous.update(entity_id=task.entity_id, status=task.status, assigned_on=task.assigned_on.isoformat())
        task.entity_id, task.assigned_on = change.entity_id, today
        task.claimed_on = task.long_term_reason = task.planned_on = None
    if change.deadline is not None and change.deadline != task.deadline:
        if change.deadline < date(task.item.year, 1, 1):
            raise ActionRefused("整改时限不能早于该条意见建议的年度")
        previous["deadline"] = task.deadline.isoformat()
        task.deadline = change.deadline
    if not previous:
        raise ActionRefused("没有需要调整的内容")
    from_status = task.status
    target = rules.ASSIGNED if "entity_id" in previous else task.status
    task.status, task.updated_at = target, utcnow()
    detail = {"previous": previous, "entity_id": task.entity_id, "deadline": task.deadline.isoformat()}
    task.events.append(RectificationEvent(at=utcnow(), user_id=actor.user_id, action="adjust", from_status=from_status,
                                          to_status=target, note=note, detail=detail))
    add_event(session, actor.user_id, "rectification_adjust", f"rectification_task:{task.id}",
              {"note": note[:200], **detail}, actor.ip_hash)
    try:
        session.commit()
    except Exception:
        session.rollback()
        raise
    session.expire(task, ["entity"])
    return task
