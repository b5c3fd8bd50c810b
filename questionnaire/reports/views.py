"""Report pages (评价报告): download an entity's or the city-wide report as Word or PDF; build them all.

The office (admin) downloads the city-wide report and any entity's; a county or unit account only
its own entity's (results/access.py, the rule the results pages use); anything else is a 404.
Until the kind's results are final a report is marked 征求意见稿. The batch of every entity's
report is the office's, an RQ job (workers/report_jobs.py) whose progress page refreshes itself.
"""

from __future__ import annotations

import uuid
from urllib.parse import quote

from flask import Blueprint, Response, abort, current_app, redirect, render_template, send_file, url_for
from flask_login import current_user

from questionnaire.accounts.auth import audit, current_scope, office_login_required
from questionnaire.campaigns.pages import choose_campaign
from questionnaire.campaigns.service import get_campaign
from questionnaire.extensions import db
from questionnaire.kernel.errors import NotInScope
from questionnaire.kernel.web.jobs import own_job
from questionnaire.org.models import OrgUnit
from questionnaire.reports.docx_render import render_docx
from questionnaire.reports.pdf_render import render_pdf
from questionnaire.reports.service import CampaignReports
from questionnaire.results.access import visible_entities
from questionnaire.results.scheme import KIND_LABELS, KINDS
from workers.queues import REPORTS, app_queue
from workers.report_jobs import batch_path, build_report_batch
from workers.tally_jobs import catch_up_inline

bp = Blueprint("reports", __name__, url_prefix="/reports")
ADMIN = ("admin",)
RUNNING = ("queued", "started", "deferred", "scheduled")
FORMATS = {"docx": (render_docx, "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
           "pdf": (render_pdf, "application/pdf")}


def _format_or_404(fmt: str):
    if fmt not in FORMATS:
        abort(404)
    return FORMATS[fmt]


def _download(body: bytes, mimetype: str, filename: str) -> Response:
    """RFC 6266 / 5987: an ASCII fallback name plus the Chinese name in filename*."""
    response = Response(body, mimetype=mimetype)
    response.headers["Content-Disposition"] = (
        f"attachment; filename=\"report.{filename.rsplit('.', 1)[-1]}\"; filename*=UTF-8''{quote(filename, safe='')}")
    response.headers["Cache-Control"] = "private, no-store"
    return response


@bp.get("/")
@office_login_required
def index():
    """Campaigns; with only one, go straight to its reports."""
    return choose_campaign("reports.campaign", "评价报告")


@bp.get("/campaigns/<int:campaign_id>")
@office_login_required
def campaign(campaign_id: int):
    """The reports this account may download: every entity's and the city's for the office, else its own."""
    campaign = get_campaign(db.session, campaign_id)
    scope = current_scope()
    groups = []
    for kind in KINDS:
        visible = visible_entities(scope, kind)
        query = db.session.query(OrgUnit).filter(OrgUnit.kind == kind)
        if visible is not None:
            query = query.filter(OrgUnit.id.in_(visible or {-1}))
        units = query.order_by(OrgUnit.sort_order, OrgUnit.code).all()
        if units:
            groups.append((KIND_LABELS[kind], units))
    return render_template("reports/index.html", campaign=campaign, groups=groups, is_admin=scope.is_admin)


@bp.get("/campaigns/<int:campaign_id>/entities/<int:unit_id>.<fmt>")
@office_login_required
def entity_report(campaign_id: int, unit_id: int, fmt: str):
    """One county's or city unit's report (its own entity only, for a county or unit account)."""
    get_campaign(db.session, campaign_id)
    render, mimetype = _format_or_404(fmt)
    unit = db.session.get(OrgUnit, unit_id)
    if unit is None or unit.kind not in KINDS:
        raise NotInScope()
    visible = visible_entities(current_scope(), unit.kind)
    if visible is not None and unit.id not in visible:
        raise NotInScope()
    catch_up_inline(current_app, campaign_id)  # embedded mode only; a no-op with the RQ worker
    report = CampaignReports(db.session, campaign_id).entity_report(unit.id)
    db.session.commit()  # end the read transaction
    audit("download_report", f"campaign:{campaign_id}:unit:{unit.id}", fmt=fmt, draft=bool(report.watermark))
    return _download(render(report), mimetype, f"{report.filename}.{fmt}")


@bp.get("/campaigns/<int:campaign_id>/city.<fmt>")
@office_login_required(roles=ADMIN)
def city_report(campaign_id: int, fmt: str):
    """The city-wide report (the office's)."""
    get_campaign(db.session, campaign_id)
    render, mimetype = _format_or_404(fmt)
    catch_up_inline(current_app, campaign_id)
    report = CampaignReports(db.session, campaign_id).city_report()
    db.session.commit()
    audit("download_report", f"campaign:{campaign_id}:city", fmt=fmt, draft=bool(report.watermark))
    return _download(render(report), mimetype, f"{report.filename}.{fmt}")


@bp.post("/campaigns/<int:campaign_id>/batch")
@office_login_required(roles=ADMIN)
def batch(campaign_id: int):
    """Queue every entity's report (DOCX + PDF) and the city-wide one, as one zip."""
    get_campaign(db.session, campaign_id)
    catch_up_inline(current_app, campaign_id)
    job_id = uuid.uuid4().hex
    queue = app_queue(current_app, REPORTS)
    queue.enqueue(build_report_batch, campaign_id, current_user.id, job_id, job_id=job_id,
                  result_ttl=REPORTS.result_ttl, failure_ttl=REPORTS.result_ttl,
                  meta={"user_id": current_user.id, "campaign_id": campaign_id, "done": 0, "total": None})
    audit("queue_report_batch", f"campaign:{campaign_id}", job=job_id)
    return redirect(url_for("reports.job", job_id=job_id))


@bp.get("/jobs/<job_id>")
@office_login_required
def job(job_id: str):
    """Progress of a report batch; refreshes itself until the zip is ready."""
    job = own_job(job_id)
    status = job.get_status()
    status = getattr(status, "value", status)
    ready = status == "finished" and batch_path(current_app.instance_path, job.id).is_file()
    return render_template("reports/job.html", job=job, status=status, meta=job.meta, ready=ready,
                           running=status in RUNNING)


@bp.get("/jobs/<job_id>/reports.zip")
@office_login_required
def job_download(job_id: str):
    """Download a finished batch."""
    job = own_job(job_id)
    path = batch_path(current_app.instance_path, job.id)
    if not path.is_file():
        abort(404)
    audit("download_report_batch", f"campaign:{job.meta.get('campaign_id')}", job=job.id)
    response = send_file(path, mimetype="application/zip")
    name = f"评价报告-{job.meta.get('campaign_id')}-{job.id[:8]}.zip"
    response.headers["Content-Disposition"] = (
        f"attachment; filename=\"reports.zip\"; filename*=UTF-8''{quote(name, safe='')}")
    response.headers["Cache-Control"] = "private, no-store"
    return response
