"""Office pages for paper leader forms (admin only): key in each form twice, resolve 待核对 items."""

from __future__ import annotations

from datetime import datetime, timezone

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import select

from questionnaire.accounts.auth import office_login_required
from questionnaire.campaigns import service as campaign_service
from questionnaire.channels.leader import paper, paper_service
from questionnaire.channels.leader.ballots import leader_settings
from questionnaire.channels.leader.models import LeaderInvitation, LeaderPaperForm, LeaderRater
from questionnaire.extensions import db
from questionnaire.intake.channels import LEADER_PAPER
from questionnaire.intake.services import submission_store
from questionnaire.kernel.errors import InvalidAnswers, NotInScope
from questionnaire.org.models import OrgUnit

bp = Blueprint("leader_paper", __name__, url_prefix="/office/leader")
admin_only = office_login_required(roles=("admin",))


def _ballot(invitation_id: int):
    return paper_service.paper_ballot(db.session, current_app.config["PARTICIPANT_HMAC_KEY"], invitation_id)


def _now() -> datetime:
    return datetime.now(timezone.utc)


@bp.get("/campaigns/<int:campaign_id>/paper")
@admin_only
def forms(campaign_id: int):
    """Every paper form keyed in so far, 待核对 first."""
    campaign = campaign_service.get_campaign(db.session, campaign_id)
    leader_settings(campaign)
    forms_ = sorted(paper_service.forms_of(db.session, campaign_id), key=lambda f: (f.status != paper.TO_CHECK, f.id))
    rows = [(f, paper.differences(f.first_entry, f.second_entry or {}, {*f.first_entry, *(f.second_entry or {})}))
            for f in forms_]
    names = dict(db.session.execute(select(OrgUnit.id, OrgUnit.name)).all())
    invitations = db.session.execute(
        select(LeaderInvitation.id, LeaderRater.name, LeaderInvitation.round, LeaderInvitation.revoked_at)
        .join(LeaderRater, LeaderRater.id == LeaderInvitation.rater_id)
        .where(LeaderInvitation.campaign_id == campaign_id)).all()
    raters = {i.id: i.name for i in invitations}
    # Forms of a revoked invitation or of a ballot round before a reopening: their ratings are void.
    current = {i.id: i.round for i in invitations if i.revoked_at is None}
    void = {f.id for f in forms_ if current.get(f.invitation_id) != f.round}
    return render_template("leader/paper_forms.html", campaign=campaign, forms=rows, names=names, raters=raters,
                           labels=paper.STATUS_LABELS, to_check=paper.TO_CHECK, void=void)


@bp.get("/invitations/<int:invitation_id>/paper")
@admin_only
def rater(invitation_id: int):
    """One rater's ratees with the state of their paper forms."""
    ballot = _ballot(invitation_id)
    by_ratee = {f.ratee_unit_id: f for f in paper_service.forms_of(db.session, ballot.campaign.id, ballot.invitation)}
    return render_template("leader/paper_rater.html", ballot=ballot, campaign=ballot.campaign, by_ratee=by_ratee,
                           labels=paper.STATUS_LABELS)


@bp.get("/invitations/<int:invitation_id>/paper/<int:unit_id>")
@admin_only
def entry_form(invitation_id: int, unit_id: int):
    """Key in one paper form (first or second pass)."""
    ballot = _ballot(invitation_id)
    if ballot.ratee(unit_id) is None:
        raise NotInScope()
    definition = paper_service.rating_point(db.session, ballot, unit_id, LEADER_PAPER).definition
    return render_template("leader/paper_entry.html", ballot=ballot, campaign=ballot.campaign,
                           ratee=ballot.ratee(unit_id), definition=definition, answers={}, errors={})


@bp.post("/invitations/<int:invitation_id>/paper/<int:unit_id>")
@admin_only
def enter(invitation_id: int, unit_id: int):
    """Store one pass; the second pass by another account compares item by item."""
    ballot = _ballot(invitation_id)
    ratee = ballot.ratee(unit_id)
    definition = (paper_service.rating_point(db.session, ballot, unit_id, LEADER_PAPER).definition
                  if ratee else None)
    answers = {q.id: request.form.get(q.id, "") for q in (definition.questions if definition else ())}
    try:
        form = paper_service.enter(db.session, submission_store(), ballot, unit_id, current_user.id, answers, _now())
    except InvalidAnswers as exc:
        return render_template("leader/paper_entry.html", ballot=ballot, campaign=ballot.campaign, ratee=ratee,
                               definition=definition, answers=answers, errors=exc.detail.get("fields", {})), 422
    flash(f"{ballot.rater.name} 对 {ratee.name} 的纸质评价表：{paper.STATUS_LABELS[form.status]}")
    return redirect(url_for("leader_paper.rater", invitation_id=invitation_id))


@bp.post("/paper/<int:form_id>/resolve")
@admin_only
def resolve(form_id: int):
    """Decide the 待核对 items of one form (audited)."""
    form = db.session.get(LeaderPaperForm, form_id)
    if form is None:
        raise NotInScope()
    ballot = _ballot(form.invitation_id)
    choices = {key[len("item_"):]: value for key, value in request.form.items() if key.startswith("item_")}
    form = paper_service.resolve(db.session, submission_store(), ballot, form, current_user.id, choices, _now())
    flash(f"已核对：{paper.STATUS_LABELS[form.status]}")
    return redirect(url_for("leader_paper.forms", campaign_id=form.campaign_id))
