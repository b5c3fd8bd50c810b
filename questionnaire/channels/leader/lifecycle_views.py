"""Office pages for an invitation's life (admin only): replace a rater who left, reopen a locked ballot."""

from __future__ import annotations

from datetime import datetime, timezone

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user

from questionnaire.accounts.auth import office_login_required
from questionnaire.campaigns import service as campaign_service
from questionnaire.channels.leader import lifecycle
from questionnaire.channels.leader.ballots import leader_settings
from questionnaire.extensions import db

bp = Blueprint("leader_lifecycle", __name__, url_prefix="/office/leader")
admin_only = office_login_required(roles=("admin",))


def _now() -> datetime:
    return datetime.now(timezone.utc)


def _page(invitation, status: int = 200, error: str = "", form: dict | None = None):
    campaign = campaign_service.get_campaign(db.session, invitation.campaign_id)
    return render_template("leader/invitation_manage.html", campaign=campaign, invitation=invitation,
                           rater=invitation.rater, settings=leader_settings(campaign), error=error,
                           form=form or {}), status


@bp.get("/invitations/<int:invitation_id>/manage")
@admin_only
def manage(invitation_id: int):
    """The invitation's state, with 更换评价人 and 重新开放 forms."""
    return _page(lifecycle.invitation_of(db.session, invitation_id))


def _refused(invitation_id: int, exc: Exception, form: dict):
    db.session.rollback()
    return _page(lifecycle.invitation_of(db.session, invitation_id), exc.status, exc.message, form)


@bp.post("/invitations/<int:invitation_id>/replace")
@admin_only
def replace(invitation_id: int):
    """Revoke the invitation, discard its unfinished ratings and invite the successor (audited)."""
    form = request.form.to_dict()
    try:
        successor = lifecycle.replace_rater(db.session, current_app.config["PARTICIPANT_HMAC_KEY"],
                                            current_app.config["SECRET_KEY"], invitation_id, current_user.id,
                                            form.get("successor_name", ""), form.get("successor_post", ""),
                                            form.get("reason", ""), _now())
    except (lifecycle.LifecycleRefused, lifecycle.ReasonRequired, lifecycle.SuccessorRequired) as exc:
        return _refused(invitation_id, exc, form)
    flash(f"原邀请已作废，已为接任者 {successor.name} 生成新的邀请函")
    return redirect(url_for("leader_office.invitations", campaign_id=successor.campaign_id))


@bp.post("/invitations/<int:invitation_id>/reopen")
@admin_only
def reopen(invitation_id: int):
    """Reopen a submitted ballot with a written reason (audited); its ratings are voided."""
    form = request.form.to_dict()
    try:
        voided = lifecycle.reopen_ballot(db.session, current_app.config["PARTICIPANT_HMAC_KEY"], invitation_id,
                                         current_user.id, form.get("reason", ""), _now())
    except (lifecycle.LifecycleRefused, lifecycle.ReasonRequired) as exc:
        return _refused(invitation_id, exc, form)
    flash(f"已重新开放：原有 {voided} 条评价已作废，评价人可用原邀请函重新评价")
    return redirect(url_for("leader_lifecycle.manage", invitation_id=invitation_id))
