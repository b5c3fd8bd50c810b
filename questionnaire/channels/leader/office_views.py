"""Office pages of the leader channel: roster upload with its report, invitations (list and printable
PDFs) and return progress. Performance office (admin) only: county and unit accounts get 403, they
see their own leader aggregate on the dashboard instead."""

from __future__ import annotations

from datetime import datetime, timezone

from flask import Blueprint, Response, current_app, flash, redirect, render_template, request, url_for
from flask_wtf.csrf import CSRFError, validate_csrf
from wtforms import ValidationError

from questionnaire.accounts.auth import audit, office_login_required
from questionnaire.campaigns import service as campaign_service
from questionnaire.channels.leader import office_service, roster_service
from questionnaire.channels.leader.ballots import leader_settings
from questionnaire.channels.leader.campaign_settings import from_campaign_settings
from questionnaire.channels.leader.invitation_pdf import render_invitations
from questionnaire.channels.leader.progress import percent_text
from questionnaire.channels.leader.roster import MAX_BYTES, RosterFileError, template_xlsx
from questionnaire.extensions import csrf, db

bp = Blueprint("leader_office", __name__, url_prefix="/office/leader")
admin_only = office_login_required(roles=("admin",))
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _campaign(campaign_id: int):
    campaign = campaign_service.get_campaign(db.session, campaign_id)
    leader_settings(campaign)  # 404 when the campaign has no leader evaluation
    return campaign


def _pdf(data: bytes, filename: str) -> Response:
    return Response(data, mimetype="application/pdf",
                    headers={"Content-Disposition": f"attachment; filename={filename}"})


@bp.get("/")
@admin_only
def index():
    """Campaigns with a leader evaluation; with only one, go straight to its progress."""
    items = [c for c in campaign_service.campaigns(db.session) if from_campaign_settings(c.settings)]
    if len(items) == 1:
        return redirect(url_for("leader_office.progress", campaign_id=items[0].id))
    return render_template("leader/office_index.html", campaigns=items)


@bp.get("/campaigns/<int:campaign_id>/raters")
@admin_only
def raters(campaign_id: int):
    """The roster and the upload form."""
    campaign = _campaign(campaign_id)
    return render_template("leader/office_raters.html", campaign=campaign, check=None,
                           raters=office_service.raters(db.session, campaign_id))


@bp.post("/campaigns/<int:campaign_id>/roster")
@csrf.exempt  # checked below, after the larger upload limit applies (the app-wide body limit is 64 KB)
@admin_only
def upload_roster(campaign_id: int):
    """Check the uploaded roster; import it only when every row is clean."""
    request.max_content_length = MAX_BYTES + 64 * 1024
    if current_app.config.get("WTF_CSRF_ENABLED", True):
        try:
            validate_csrf(request.form.get("csrf_token"))
        except ValidationError as exc:
            raise CSRFError(str(exc)) from exc
    campaign = _campaign(campaign_id)
    upload = request.files.get("roster")
    listing = office_service.raters(db.session, campaign_id)
    if upload is None or not upload.filename:
        return render_template("leader/office_raters.html", campaign=campaign, check=None, raters=listing,
                               file_error="请选择要上传的名单文件（.xlsx 或 .csv）"), 400
    try:
        result = roster_service.import_roster(db.session, campaign_id, upload.read(), upload.filename,
                                              current_app.config["PARTICIPANT_HMAC_KEY"],
                                              current_app.config["SECRET_KEY"])
    except RosterFileError as exc:
        return render_template("leader/office_raters.html", campaign=campaign, check=None, raters=listing,
                               file_error=str(exc)), 422
    audit("leader_roster_upload", f"campaign:{campaign_id}", rows=result.check.rows_read,
          rejected=len(result.check.rejected_rows), written=result.written)
    if not result.written:
        return render_template("leader/office_raters.html", campaign=campaign, check=result.check,
                               raters=listing), 422
    flash(f"名单已导入：共 {len(result.check.accepted)} 人，新增 {result.created} 人，更新 {result.updated} 人。")
    return redirect(url_for("leader_office.raters", campaign_id=campaign_id))


@bp.get("/roster-template.xlsx")
@admin_only
def roster_template():
    """The roster template to fill in."""
    return Response(template_xlsx(), mimetype=XLSX,
                    headers={"Content-Disposition": "attachment; filename=leader-roster-template.xlsx"})


@bp.get("/campaigns/<int:campaign_id>/invitations")
@admin_only
def invitations(campaign_id: int):
    """Invitations with masked short codes and their state."""
    campaign = _campaign(campaign_id)
    rows = office_service.invitation_rows(db.session, campaign, current_app.config["SECRET_KEY"])
    audit("leader_view_invitations", f"campaign:{campaign_id}")
    return render_template("leader/office_invitations.html", campaign=campaign, rows=rows,
                           settings=leader_settings(campaign))


@bp.get("/invitations/<int:invitation_id>/invitation.pdf")
@admin_only
def invitation_pdf(invitation_id: int):
    """One rater's printable A4 invitation."""
    campaign = office_service.campaign_of_invitation(db.session, invitation_id)
    sheets = office_service.invitation_sheets(db.session, campaign, current_app.config["SECRET_KEY"],
                                              current_app.config["PUBLIC_BASE_URL"], invitation_id)
    audit("leader_invitation_pdf", f"leader_invitation:{invitation_id}")
    return _pdf(render_invitations(sheets), f"invitation-{invitation_id}.pdf")


@bp.get("/campaigns/<int:campaign_id>/invitations.pdf")
@admin_only
def invitations_pdf(campaign_id: int):
    """Every rater's invitation, one page each, for printing and distribution."""
    campaign = _campaign(campaign_id)
    sheets = office_service.invitation_sheets(db.session, campaign, current_app.config["SECRET_KEY"],
                                              current_app.config["PUBLIC_BASE_URL"])
    audit("leader_invitations_pdf", f"campaign:{campaign_id}", pages=len(sheets))
    return _pdf(render_invitations(sheets), f"invitations-{campaign_id}.pdf")


@bp.get("/campaigns/<int:campaign_id>/progress")
@admin_only
def progress(campaign_id: int):
    """Invited / opened / started / submitted and return rate, by category and unit; non-returners."""
    campaign = _campaign(campaign_id)
    figures = office_service.return_progress(db.session, campaign_id)
    settings = leader_settings(campaign)
    return render_template("leader/office_progress.html", campaign=campaign, p=figures, pct=percent_text,
                           settings=settings, closed=settings.is_past_deadline(datetime.now(timezone.utc)))
