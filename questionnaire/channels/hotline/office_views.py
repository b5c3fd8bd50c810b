"""The office's hotline pages (admin only): import with the mapping queue, the draw, callbacks
and the vendor's results, the rates per entity with their problem orders, and the appeals.
Thin views: parse, call a service (which commits and audits), render.
"""

from __future__ import annotations

from datetime import datetime, timezone

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import func, select

from questionnaire.accounts.auth import office_login_required
from questionnaire.campaigns import service as campaign_service
from questionnaire.campaigns.pages import choose_campaign
from questionnaire.channels.hotline import appeals, callbacks, draw, orders, service, vendor
from questionnaire.channels.hotline.models import Appeal, HotlineDraw, OrderCheck, WorkOrder
from questionnaire.channels.hotline.order_file import HEADERS
from questionnaire.channels.phone.frames import PersonalKeys
from questionnaire.extensions import db
from questionnaire.intake.services import submission_store
from questionnaire.kernel.web.params import optional_int
from questionnaire.org.models import OrgUnit

bp = Blueprint("hotline", __name__, url_prefix="/office/hotline")
ADMIN = ("admin",)


def _entities():
    return db.session.scalars(select(OrgUnit).where(OrgUnit.kind.in_(orders.ENTITY_KINDS))
                              .order_by(OrgUnit.kind, OrgUnit.sort_order, OrgUnit.id)).all()


@bp.get("/")
@office_login_required(roles=("admin", "county", "unit"))
def index():
    """Campaigns; the office opens the import page, an entity its own orders."""
    return choose_campaign("hotline.orders_page" if current_user.role == "admin" else "hotline_entity.mine",
                           "12345工单核查")


@bp.route("/campaigns/<int:campaign_id>/orders", methods=["GET", "POST"])
@office_login_required(roles=ADMIN)
def orders_page(campaign_id: int):
    """Import a work-order export; the per-row report; the mapping queue."""
    campaign = campaign_service.get_campaign(db.session, campaign_id)
    result = None
    if request.method == "POST":
        upload = request.files.get("file")
        if upload is None or not upload.filename:
            abort(400)
        result = orders.import_orders(db.session, PersonalKeys.from_config(current_app.config), campaign_id,
                                      upload.filename, upload.read(), request.form.get("source", "").strip(),
                                      current_user.id)
    total = db.session.scalar(select(func.count()).select_from(WorkOrder).where(WorkOrder.campaign_id == campaign_id))
    return render_template("hotline/orders.html", campaign=campaign, result=result, total=total,
                           queue=orders.mapping_queue(db.session, campaign_id), entities=_entities(),
                           fields=HEADERS)


@bp.post("/campaigns/<int:campaign_id>/aliases")
@office_login_required(roles=ADMIN)
def add_alias(campaign_id: int):
    """Map a waiting 承办单位 name to an entity: its orders join without a re-upload."""
    unit_id = optional_int("unit")
    if unit_id is None:
        abort(400)
    joined = orders.add_alias(db.session, request.form.get("name", ""), unit_id, current_user.id)
    flash(f"已对应，{joined} 条工单已归入该单位")
    return redirect(url_for("hotline.orders_page", campaign_id=campaign_id))


@bp.post("/campaigns/<int:campaign_id>/mappings")
@office_login_required(roles=ADMIN)
def save_mapping(campaign_id: int):
    """Save a source's column names for its next exports."""
    columns = {key: request.form.get(f"col_{key}", "") for key in HEADERS}
    orders.save_mapping(db.session, request.form.get("source", ""), columns, current_user.id)
    flash("列对应已保存")
    return redirect(url_for("hotline.orders_page", campaign_id=campaign_id))


@bp.route("/campaigns/<int:campaign_id>/draw", methods=["GET", "POST"])
@office_login_required(roles=ADMIN)
def draw_page(campaign_id: int):
    """Draw the orders to check (or redraw with the recorded seed before any result)."""
    campaign = campaign_service.get_campaign(db.session, campaign_id)
    if request.method == "POST":
        total = optional_int("total")
        if total is None:
            abort(400)
        done = draw.run_draw(db.session, campaign_id, total, request.form.get("seed", "").strip()[:64] or None,
                             user_id=current_user.id)
        flash(f"已抽取 {done.drawn} 条工单（种子 {done.seed}）")
        return redirect(url_for("hotline.draw_page", campaign_id=campaign_id))
    current = db.session.scalar(select(HotlineDraw).where(HotlineDraw.campaign_id == campaign_id))
    names = {u.id: u.name for u in _entities()}
    return render_template("hotline/draw.html", campaign=campaign, current=current, names=names)


@bp.post("/campaigns/<int:campaign_id>/callbacks")
@office_login_required(roles=ADMIN)
def start_callbacks(campaign_id: int):
    """Queue the sampled orders without a result for the interviewers (电话访问 工作台)."""
    campaign_service.get_campaign(db.session, campaign_id)
    queued = callbacks.start_callbacks(db.session, campaign_id, current_user.id)
    flash(f"已将 {queued} 条工单转入话务员回访队列")
    return redirect(url_for("hotline.draw_page", campaign_id=campaign_id))


@bp.route("/campaigns/<int:campaign_id>/vendor", methods=["GET", "POST"])
@office_login_required(roles=ADMIN)
def vendor_page(campaign_id: int):
    """Import a vendor's callback results; a file with a bad row stores nothing."""
    campaign = campaign_service.get_campaign(db.session, campaign_id)
    if request.method == "POST":
        upload = request.files.get("file")
        if upload is None or not upload.filename:
            abort(400)
        try:
            recorded = vendor.import_results(db.session, submission_store(), campaign_id, upload.filename,
                                             upload.read(), current_user.id)
        except vendor.VendorFileRefused as exc:
            return render_template("hotline/vendor.html", campaign=campaign, error=exc.message, rows=exc.rows), 422
        flash(f"已导入 {recorded} 条回访结果")
        return redirect(url_for("hotline.rates_page", campaign_id=campaign_id))
    return render_template("hotline/vendor.html", campaign=campaign, error=None, rows=[])


@bp.get("/campaigns/<int:campaign_id>/rates")
@office_login_required(roles=ADMIN)
def rates_page(campaign_id: int):
    """Rates per entity (counties and units apart) and, for one entity, its problem orders."""
    campaign = campaign_service.get_campaign(db.session, campaign_id)
    entities = _entities()
    rates = service.rates_by_entity(db.session, campaign)
    unit_id = optional_int("unit")
    rows = service.checked_rows(db.session, campaign, unit_id).get(unit_id, []) if unit_id else []
    return render_template("hotline/rates.html", campaign=campaign, entities=entities, rates=rates,
                           unit_id=unit_id, rows=[r for r in rows if r.problems], show_caller=False)


@bp.post("/campaigns/<int:campaign_id>/collect")
@office_login_required(roles=ADMIN)
def collect(campaign_id: int):
    """Read finished in-house callbacks into the checks."""
    campaign_service.get_campaign(db.session, campaign_id)
    flash(f"已汇总 {callbacks.collect_results(db.session, campaign_id)} 条内部回访结果")
    return redirect(url_for("hotline.rates_page", campaign_id=campaign_id))


@bp.get("/campaigns/<int:campaign_id>/appeals")
@office_login_required(roles=ADMIN)
def appeals_page(campaign_id: int):
    """The entities' appeals, pending first."""
    campaign = campaign_service.get_campaign(db.session, campaign_id)
    listed = db.session.execute(
        select(Appeal, WorkOrder, OrgUnit.name).join(OrderCheck, OrderCheck.id == Appeal.check_id)
        .join(WorkOrder, WorkOrder.id == OrderCheck.order_id).join(OrgUnit, OrgUnit.id == OrderCheck.org_unit_id)
        .where(OrderCheck.campaign_id == campaign_id)
        .order_by((Appeal.status != "pending"), Appeal.filed_at)).all()
    return render_template("hotline/appeals.html", campaign=campaign, listed=listed, labels=appeals.RATE_LABELS)


@bp.post("/appeals/<int:appeal_id>/decide")
@office_login_required(roles=ADMIN)
def decide(appeal_id: int):
    """Approve or refuse an appeal, with a reason (audited)."""
    verdict = request.form.get("verdict")
    if verdict not in ("approve", "refuse"):
        abort(400)
    appeal = appeals.decide_appeal(db.session, appeal_id, verdict == "approve", request.form.get("reason", ""),
                                   current_user.id, datetime.now(timezone.utc))
    campaign_id = db.session.scalar(select(OrderCheck.campaign_id).where(OrderCheck.id == appeal.check_id))
    flash("申诉已" + ("通过" if appeal.status == "approved" else "驳回"))
    return redirect(url_for("hotline.appeals_page", campaign_id=campaign_id))
