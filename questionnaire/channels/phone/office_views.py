"""Office pages of the phone channel: frames (upload, lock), the draw, the drawn list, feedback.

County and unit accounts see their own entity's frame and feedback only, never the drawn
list or a number; the office (admin) sees everything. Every view is thin: parse, call a
service (which commits), render.
"""

from __future__ import annotations

from flask import Blueprint, Response, abort, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import select

from questionnaire.accounts.auth import audit, current_scope, office_login_required
from questionnaire.campaigns import service as campaign_service
from questionnaire.campaigns.pages import choose_campaign
from questionnaire.channels.phone import draw, feedback, frames
from questionnaire.channels.phone.feedback_sheet import feedback_xlsx
from questionnaire.channels.phone.frames import PersonalKeys
from questionnaire.channels.phone.models import Draw, FrameNumber, PhoneCase
from questionnaire.extensions import db
from questionnaire.kernel.personal_data import mask_phone
from questionnaire.kernel.web.params import optional_int
from questionnaire.org.models import OrgUnit

bp = Blueprint("phone", __name__, url_prefix="/office/phone")
SUBMITTERS = ("admin", "county", "unit")
STAFF = ("admin", "supervisor")


def keys() -> PersonalKeys:
    return PersonalKeys.from_config(current_app.config)


@bp.get("/")
@office_login_required(roles=(*SUBMITTERS, "interviewer", "supervisor"))
def index():
    """Campaigns; each opens the page of the account's role."""
    endpoint = {"interviewer": "phone_work.work", "supervisor": "phone_supervision.board"}.get(
        current_user.role, "phone.frames_page")
    return choose_campaign(endpoint, "电话访问")


@bp.route("/campaigns/<int:campaign_id>/frames", methods=["GET", "POST"])
@office_login_required(roles=SUBMITTERS)
def frames_page(campaign_id: int):
    """Upload a sample frame (xlsx/csv) and see its per-row report and counts."""
    campaign = campaign_service.get_campaign(db.session, campaign_id)
    scope = current_scope()
    report = None
    if request.method == "POST":
        unit = frames.entity_for_upload(db.session, scope, optional_int("unit"))
        upload = request.files.get("file")
        if upload is None or not upload.filename:
            abort(400)
        frame, report = frames.upload(db.session, keys(), campaign_id, unit, upload.filename, upload.read(),
                                      current_user.id)
        audit("phone_frame_upload", f"frame:{frame.id}", rows=report.rows_total, valid=len(report.kept))
    entities = []
    if scope.is_admin:
        entities = db.session.scalars(select(OrgUnit).where(OrgUnit.kind.in_(frames.ENTITY_KINDS))
                                      .order_by(OrgUnit.sort_order, OrgUnit.id)).all()
    return render_template("phone/frames.html", campaign=campaign, report=report, entities=entities,
                           summaries=frames.list_frames(db.session, scope, campaign_id))


@bp.get("/frames/template.csv")
@office_login_required(roles=SUBMITTERS)
def frame_template():
    """An empty frame with the expected header."""
    body = "\ufeff序号,电话号码,样本类型,所属县区,乡镇,服务事项\n1,13800000000,普通城乡居民,,,\n"
    return Response(body.encode(), mimetype="text/csv",
                    headers={"Content-Disposition": "attachment; filename=frame-template.csv"})


@bp.post("/frames/<int:frame_id>/lock")
@office_login_required(roles=("admin",))
def lock_frame(frame_id: int):
    """Lock (approve) or unlock a frame."""
    locked = request.form.get("locked", "1") == "1"
    frame = frames.set_locked(db.session, frame_id, locked)
    audit("phone_frame_lock" if locked else "phone_frame_unlock", f"frame:{frame.id}")
    flash("样本框已锁定" if locked else "样本框已解锁")
    return redirect(url_for("phone.frames_page", campaign_id=frame.campaign_id))


@bp.route("/campaigns/<int:campaign_id>/draw", methods=["GET", "POST"])
@office_login_required(roles=("admin",))
def draw_page(campaign_id: int):
    """Allocate and draw (or redraw with the recorded seed)."""
    campaign = campaign_service.get_campaign(db.session, campaign_id)
    if request.method == "POST":
        total = optional_int("total")
        if total is None:
            abort(400)
        result = draw.run_draw(db.session, campaign_id, total, request.form.get("seed", "").strip()[:64] or None,
                               request.form.get("mode", "proportional"), current_user.id)
        audit("phone_draw", f"campaign:{campaign_id}", total=total, seed=result.draw.seed)
        flash(f"已抽取 {result.draw.drawn} 个号码（种子 {result.draw.seed}）")
        return redirect(url_for("phone.draw_page", campaign_id=campaign_id))
    current = db.session.scalar(select(Draw).where(Draw.campaign_id == campaign_id))
    return render_template("phone/draw.html", campaign=campaign, current=current)


@bp.get("/campaigns/<int:campaign_id>/cases")
@office_login_required(roles=STAFF)
def cases(campaign_id: int):
    """The drawn list, masked (office and supervisors only)."""
    campaign = campaign_service.get_campaign(db.session, campaign_id)
    cipher = keys().cipher
    rows = db.session.execute(
        select(PhoneCase, OrgUnit.name, FrameNumber.phone_cipher)
        .join(OrgUnit, OrgUnit.id == PhoneCase.evaluated_unit_id)
        .join(FrameNumber, FrameNumber.id == PhoneCase.frame_number_id)
        .where(PhoneCase.campaign_id == campaign_id).order_by(PhoneCase.draw_order).limit(500)).all()
    # Only the masked form reaches the template.
    listed = [(case, name, mask_phone(cipher.decrypt(token))) for case, name, token in rows]
    audit("phone_view_cases", f"campaign:{campaign_id}")
    return render_template("phone/cases.html", campaign=campaign, rows=listed)


@bp.get("/campaigns/<int:campaign_id>/feedback")
@office_login_required(roles=SUBMITTERS)
def feedback_page(campaign_id: int):
    """访问成功率, 有效号码率 and satisfaction per frame ("样本不足" below 10 completes)."""
    campaign = campaign_service.get_campaign(db.session, campaign_id)
    rows = feedback.feedback_rows(db.session, current_scope(), campaign_id)
    return render_template("phone/feedback.html", campaign=campaign, rows=rows, office=current_scope().is_admin)


@bp.get("/campaigns/<int:campaign_id>/feedback.xlsx")
@office_login_required(roles=SUBMITTERS)
def feedback_download(campaign_id: int):
    """The feedback as an XLSX sheet."""
    campaign_service.get_campaign(db.session, campaign_id)
    scope = current_scope()
    body = feedback_xlsx(feedback.feedback_rows(db.session, scope, campaign_id), office=scope.is_admin)
    audit("phone_feedback_export", f"campaign:{campaign_id}")
    return Response(body, mimetype="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                    headers={"Content-Disposition": f"attachment; filename=phone-feedback-{campaign_id}.xlsx"})
