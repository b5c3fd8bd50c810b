"""Publication pages: publish 初步结果 / 最终结果, file and answer objections (异议).

A published copy is shown to the office whole and to an entity's account as its own row only;
objections are filed by the entity's own account and answered by the office.
"""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user

from questionnaire.accounts.auth import current_scope, office_login_required, request_ip_hash
from questionnaire.campaigns.service import get_campaign
from questionnaire.extensions import db
from questionnaire.kernel.errors import NotInScope
from questionnaire.kernel.web.errors import error_page
from questionnaire.org.models import OrgUnit
from questionnaire.results import publication
from questionnaire.results.access import own_entity_id, visible_entities
from questionnaire.results.models import STAGE_LABELS, ScoringScheme
from questionnaire.results.scheme import KIND_LABELS

bp = Blueprint("publications", __name__)
ADMIN = ("admin",)


@bp.post("/campaigns/<int:campaign_id>/publications")
@office_login_required(roles=ADMIN)
def publish(campaign_id: int):
    """Publish a kind's preliminary (with an objection window in days) or final results."""
    get_campaign(db.session, campaign_id)
    raw_days = request.form.get("days", "5")
    if not raw_days.isdigit():
        return error_page(400, "请求有误", "异议期天数必须是整数")
    row = publication.publish(db.session, campaign_id, request.form.get("kind", ""), request.form.get("stage", ""),
                              current_user.id, int(raw_days), ip_hash=request_ip_hash())
    flash(f"已发布{KIND_LABELS[row.kind]}{STAGE_LABELS[row.stage]}")
    return redirect(url_for("results.publications.show", campaign_id=campaign_id, publication_id=row.id))


@bp.get("/campaigns/<int:campaign_id>/publications/<int:publication_id>")
@office_login_required
def show(campaign_id: int, publication_id: int):
    """A published copy: the office sees every entity and every objection; an entity only its own."""
    campaign = get_campaign(db.session, campaign_id)
    row = publication.get_publication(db.session, campaign_id, publication_id)
    scope = current_scope()
    visible = visible_entities(scope, row.kind)
    entities = [e for e in row.results["entities"] if visible is None or e["unit_id"] in visible]
    if visible is not None and not entities:
        raise NotInScope()
    own = own_entity_id(scope, row.kind)
    objections = publication.objections(db.session, row.id, None if scope.is_admin else own)
    names = {u.id: u.name for u in db.session.query(OrgUnit).filter(OrgUnit.id.in_({o.unit_id for o in objections}))}
    return render_template("results/publication.html", campaign=campaign, row=row, entities=entities,
                           scheme=row.results["scheme"], version=db.session.get(ScoringScheme, row.scheme_id).version,
                           stage_label=STAGE_LABELS[row.stage], kind_label=KIND_LABELS[row.kind],
                           objections=objections, names=names, can_object=own is not None and publication.window_open(
                               db.session, row))


@bp.post("/campaigns/<int:campaign_id>/publications/<int:publication_id>/objections")
@office_login_required(roles=("county", "unit"))
def file_objection(campaign_id: int, publication_id: int):
    """The entity's own account files an objection to its preliminary result."""
    row = publication.get_publication(db.session, campaign_id, publication_id)
    own = own_entity_id(current_scope(), row.kind)
    if own is None:
        raise NotInScope()
    publication.file_objection(db.session, row, db.session.get(OrgUnit, own), request.form.get("text", ""),
                               current_user.id, ip_hash=request_ip_hash())
    flash("异议已提交，绩效办将逐条答复")
    return redirect(url_for("results.publications.show", campaign_id=campaign_id, publication_id=publication_id))


@bp.post("/campaigns/<int:campaign_id>/objections/<int:objection_id>/answer")
@office_login_required(roles=ADMIN)
def answer_objection(campaign_id: int, objection_id: int):
    """The office answers one objection."""
    objection = publication.answer_objection(db.session, campaign_id, objection_id, request.form.get("answer", ""),
                                             current_user.id, ip_hash=request_ip_hash())
    flash("已答复")
    return redirect(url_for("results.publications.show", campaign_id=campaign_id,
                            publication_id=objection.publication_id))
