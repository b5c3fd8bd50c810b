"""Supervisors' pages: the live board, review of completes, the daily attendance report."""

from __future__ import annotations

from datetime import date, datetime, timezone

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from questionnaire.accounts.auth import audit, office_login_required
from questionnaire.campaigns import service as campaign_service
from questionnaire.channels.phone import supervision
from questionnaire.channels.phone.feedback import CLASSES
from questionnaire.channels.phone.models import CallAttempt
from questionnaire.channels.phone.outcomes import PhonePolicy
from questionnaire.extensions import db
from questionnaire.kernel.china_time import china_date

bp = Blueprint("phone_supervision", __name__, url_prefix="/office/phone")
STAFF = ("admin", "supervisor")


def _day() -> date:
    raw = request.args.get("day", "")
    if not raw:
        return china_date(datetime.now(timezone.utc))
    try:
        return date.fromisoformat(raw)
    except ValueError:
        abort(400)


@bp.get("/campaigns/<int:campaign_id>/board")
@office_login_required(roles=STAFF)
def board(campaign_id: int):
    """Completes per entity against allocation; per interviewer today, per hour."""
    campaign = campaign_service.get_campaign(db.session, campaign_id)
    day = _day()
    return render_template("phone/board.html", campaign=campaign, day=day,
                           entities=supervision.entity_rows(db.session, campaign_id, CLASSES),
                           interviewers=supervision.interviewer_day(db.session, campaign_id, day))


@bp.get("/campaigns/<int:campaign_id>/review")
@office_login_required(roles=STAFF)
def review_list(campaign_id: int):
    """Completes to review (合格 / 不合格)."""
    campaign = campaign_service.get_campaign(db.session, campaign_id)
    return render_template("phone/review.html", campaign=campaign,
                           rows=supervision.completes_for_review(db.session, campaign_id))


@bp.post("/attempts/<int:attempt_id>/review")
@office_login_required(roles=STAFF)
def review(attempt_id: int):
    """Mark a complete 合格 or 不合格 (voided: leaves the tallies; the case is re-released)."""
    attempt = db.session.get(CallAttempt, attempt_id)
    if attempt is None:
        abort(404)
    campaign = campaign_service.get_campaign(db.session, attempt.case.campaign_id)
    passed = request.form.get("verdict") == "pass"
    supervision.review_complete(db.session, PhonePolicy.from_settings(campaign.settings), attempt_id, passed,
                                request.form.get("reason", ""), current_user.id)
    audit("phone_review", f"attempt:{attempt_id}", verdict="pass" if passed else "fail")
    flash("已标记为合格" if passed else "已标记为不合格：该答卷已作废，不再计入统计")
    return redirect(url_for("phone_supervision.review_list", campaign_id=campaign.id))


@bp.get("/campaigns/<int:campaign_id>/attendance")
@office_login_required(roles=STAFF)
def attendance(campaign_id: int):
    """Daily attendance and productivity: first login, last logout, hours online, completes."""
    campaign = campaign_service.get_campaign(db.session, campaign_id)
    day = _day()
    rows = supervision.interviewer_day(db.session, campaign_id, day)
    totals = {"attempts": sum(r.attempts for r in rows), "completes": sum(r.completes for r in rows),
              "hours": sum(r.hours_online for r in rows)}
    return render_template("phone/attendance.html", campaign=campaign, day=day, rows=rows, totals=totals)
