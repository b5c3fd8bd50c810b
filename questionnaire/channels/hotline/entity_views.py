"""A county's or city unit's own hotline page: its rates, its problem orders (order number,
date, type, summary, result; never the caller's name or number), and its appeals.
Any other entity's order is a 404; a township account has no hotline entity (404).
"""

from __future__ import annotations

from datetime import datetime, timezone

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import select

from questionnaire.accounts.auth import current_scope, office_login_required
from questionnaire.campaigns import service as campaign_service
from questionnaire.channels.hotline import appeals, service
from questionnaire.channels.hotline.models import Appeal, OrderCheck
from questionnaire.extensions import db
from questionnaire.kernel.errors import NotInScope

bp = Blueprint("hotline_entity", __name__, url_prefix="/office/hotline")
ENTITIES = ("county", "unit")


@bp.get("/campaigns/<int:campaign_id>/mine")
@office_login_required(roles=ENTITIES)
def mine(campaign_id: int):
    """The account's own entity: rates and problem orders, with the appeal form."""
    campaign = campaign_service.get_campaign(db.session, campaign_id)
    entity = service.entity_of(db.session, current_scope())
    rows = [r for r in service.checked_rows(db.session, campaign, entity.id).get(entity.id, []) if r.problems]
    filed = {(a.check_id, a.rate): a for a in db.session.scalars(
        select(Appeal).join(OrderCheck, OrderCheck.id == Appeal.check_id)
        .where(OrderCheck.campaign_id == campaign_id, OrderCheck.org_unit_id == entity.id))}
    rates = service.rates_by_entity(db.session, campaign, entity.id).get(entity.id)
    return render_template("hotline/mine.html", campaign=campaign, entity=entity, rows=rows, rates=rates,
                           filed=filed, categories=appeals.CATEGORIES, labels=appeals.RATE_LABELS)


@bp.post("/checks/<int:check_id>/appeal")
@office_login_required(roles=ENTITIES)
def appeal(check_id: int):
    """File an appeal for one of the entity's own checked orders."""
    entity = service.entity_of(db.session, current_scope())
    check = db.session.get(OrderCheck, check_id)
    if check is None:
        raise NotInScope()
    appeals.file_appeal(db.session, entity, check_id, request.form.get("rate", ""), request.form.get("category", ""),
                        request.form.get("reason", ""), current_user.id, datetime.now(timezone.utc))
    flash("申诉已提交，等待绩效办审核")
    return redirect(url_for("hotline_entity.mine", campaign_id=check.campaign_id))
