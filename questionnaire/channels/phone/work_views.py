"""The interviewer's shift: "下一个", the case being worked (masked number, dial on reveal),
the outcome and, for a completed interview, the answers.

An interviewer sees only the case they hold; any other case id is a 404. The full number is
revealed (and audited) only on the "拨号" button, to the interviewer holding the case or to an
office admin.
"""

from __future__ import annotations

from datetime import datetime, timezone

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import select

from questionnaire.accounts.auth import audit, office_login_required
from questionnaire.campaigns import service as campaign_service
from questionnaire.channels.phone import interviews, queue
from questionnaire.channels.phone.frames import PersonalKeys
from questionnaire.channels.phone.interviews import CallRecord
from questionnaire.channels.phone.models import FrameNumber, PhoneCase
from questionnaire.channels.phone.outcomes import OUTCOMES, PhonePolicy
from questionnaire.extensions import db
from questionnaire.intake.points import load_point
from questionnaire.intake.services import submission_store
from questionnaire.kernel.china_time import CHINA
from questionnaire.kernel.errors import InvalidAnswers
from questionnaire.kernel.personal_data import mask_phone

bp = Blueprint("phone_work", __name__, url_prefix="/office/phone")
DEFAULT_SCRIPT = {
    "intro": "您好！我是市绩效办的访问员，正在开展群众满意度电话调查，通话会被录音，占用您几分钟时间可以吗？",
    "closing": "访问到此结束，感谢您的支持，再见！",
}


def _now() -> datetime:
    return current_app.config.get("PHONE_CLOCK", lambda: datetime.now(timezone.utc))()


def _policy(campaign) -> PhonePolicy:
    return PhonePolicy.from_settings(campaign.settings)


def _number(case: PhoneCase) -> str:
    token = case.phone_cipher or db.session.scalar(
        select(FrameNumber.phone_cipher).where(FrameNumber.id == case.frame_number_id))
    return PersonalKeys.from_config(current_app.config).cipher.decrypt(token)


def _render_work(campaign, case, revealed: str | None = None, errors=None, answers=None, status=200):
    point = load_point(db.session, case.collection_point_id) if case is not None else None
    script = {**DEFAULT_SCRIPT, **((campaign.settings or {}).get("phone") or {}).get("script", {})}
    masked = mask_phone(_number(case)) if case is not None else None
    return render_template("phone/work.html", campaign=campaign, case=case, point=point, masked=masked,
                           revealed=revealed, outcomes=OUTCOMES.values(), script=script, errors=errors or {},
                           answers=answers or {}, hours=_policy(campaign).hours_label()), status


@bp.get("/campaigns/<int:campaign_id>/work")
@office_login_required(roles=("interviewer",))
def work(campaign_id: int):
    """The case being worked, or the "下一个" button."""
    campaign = campaign_service.get_campaign(db.session, campaign_id)
    return _render_work(campaign, queue.current_case(db.session, campaign_id, current_user.id))


@bp.post("/campaigns/<int:campaign_id>/next")
@office_login_required(roles=("interviewer",))
def next_case(campaign_id: int):
    """下一个: the system chooses the case."""
    campaign = campaign_service.get_campaign(db.session, campaign_id)
    case = queue.claim_next(db.session, _policy(campaign), campaign_id, current_user.id, _now())
    if case is None:
        flash("暂无可拨打的样本（预约和重拨未到时间，或样本已全部完成）")
    else:
        audit("phone_claim", f"case:{case.id}")
    return redirect(url_for("phone_work.work", campaign_id=campaign_id))


@bp.post("/cases/<int:case_id>/reveal")
@office_login_required(roles=("interviewer", "admin"))
def reveal(case_id: int):
    """Show the full number to dial (audited); only the interviewer holding the case, or an admin."""
    case = db.session.get(PhoneCase, case_id)
    if case is None:
        abort(404)
    if current_user.role == "interviewer":
        interviews.held_case(db.session, case_id, current_user.id)
    number = _number(case)
    audit("phone_reveal", f"case:{case.id}")
    campaign = campaign_service.get_campaign(db.session, case.campaign_id)
    if current_user.role == "admin":
        return render_template("phone/revealed.html", campaign=campaign, case=case, number=number)
    return _render_work(campaign, case, revealed=number)


def _appointment(raw: str) -> datetime | None:
    if not raw:
        return None
    try:
        return datetime.fromisoformat(raw).replace(tzinfo=CHINA).astimezone(timezone.utc)
    except ValueError:
        abort(400)


@bp.post("/cases/<int:case_id>/outcome")
@office_login_required(roles=("interviewer",))
def outcome(case_id: int):
    """Record the call's outcome (and the answers of a completed interview)."""
    case = interviews.held_case(db.session, case_id, current_user.id)
    campaign = campaign_service.get_campaign(db.session, case.campaign_id)
    code = request.form.get("outcome", "")
    if not code.isdigit():
        abort(400)
    point = load_point(db.session, case.collection_point_id)
    answers = {q.id: request.form[q.id] for q in point.definition.questions if request.form.get(q.id, "") != ""}
    store = submission_store()  # the one intake's store, with its keys (free text sealed as at the QR form)
    record = CallRecord(int(code), answers if int(code) == 11 else None,
                        _appointment(request.form.get("appointment_at", "")), request.form.get("note", ""))
    try:
        interviews.record_call(db.session, store, _policy(campaign), case.id, current_user.id, record, _now())
    except InvalidAnswers as exc:
        db.session.rollback()
        return _render_work(campaign, case, errors=exc.detail.get("fields", {}), answers=answers, status=422)
    audit("phone_outcome", f"case:{case.id}", outcome=int(code))
    if db.session.get(PhoneCase, case.id, populate_existing=True).status == "final":
        # Features that queue cases of their own (the 12345 callbacks) read the result now.
        for hook in current_app.extensions.get("phone_case_finalised", ()):
            hook(db.session, case.id)
    flash(f"已记录：{OUTCOMES[int(code)].label}")
    return redirect(url_for("phone_work.work", campaign_id=campaign.id))
