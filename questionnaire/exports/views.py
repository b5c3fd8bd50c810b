"""Office exports: raw responses (RQ job with progress) and tallies (streamed in the request).

Every request is checked against the account's scope (exports/plan.py): a county,
township or unit outside it is a 404. A queued export belongs to the account that asked
for it; anyone else gets a 404 for its progress, status and file, and the owner's scope
is checked again at download time. Every export is written to the audit log.
"""

from __future__ import annotations

import io
import uuid
from datetime import datetime, timedelta, timezone
from urllib.parse import quote

from flask import Blueprint, Response, abort, current_app, jsonify, render_template, request, send_file, url_for
from flask_login import current_user
from rq.job import Job
from sqlalchemy import select

from questionnaire.accounts.auth import audit, current_scope, office_login_required
from questionnaire.accounts.models import AuditEvent
from questionnaire.campaigns import service as campaign_service
from questionnaire.exports import datasets
from questionnaire.exports import plan as exports
from questionnaire.exports import writers as export_writers
from questionnaire.exports.plan import ExportRefused, ExportRequest
from questionnaire.extensions import db, read_replica
from questionnaire.intake.channels import CHANNEL_LABELS
from questionnaire.kernel.errors import NotInScope
from questionnaire.kernel.web.jobs import own_job
from questionnaire.kernel.web.params import optional_int
from questionnaire.org.models import OrgUnit
from workers.export_jobs import FILE_MAX_AGE, build_export, export_path
from workers.queues import EXPORTS, app_queue
from workers.tally_jobs import catch_up_inline

bp = Blueprint("exports", __name__, url_prefix="/office/exports")

MIMETYPES = {"xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
             "csv": "text/csv; charset=utf-8"}
RUNNING = ("queued", "started", "deferred", "scheduled")




def _form_request(campaign_id: int) -> ExportRequest:
    return ExportRequest(
        campaign_id=campaign_id,
        dataset=request.form.get("dataset", ""),
        fmt=request.form.get("fmt", ""),
        unit_id=optional_int("unit"),
        questionnaire_id=optional_int("questionnaire"),
        include_flagged=request.form.get("include_flagged") == "1",
        channel=request.form.get("channel") or None,
    )


def _scoped_units(scope) -> list[OrgUnit]:
    """The county / township / city-unit choices of this account, counties before their townships."""
    units = list(db.session.scalars(select(OrgUnit).where(scope.org_unit_clause(), OrgUnit.kind != "city")))
    sort = {u.id: u.sort_order for u in units}

    def order(u: OrgUnit):
        if u.kind == "city_unit":
            return (1, u.sort_order, u.id)
        return (0, sort.get(u.county_id, 0), u.county_id or 0, u.kind != "county", u.sort_order, u.id)

    return sorted(units, key=order)


def _form_page(campaign_id: int | None, error: str | None = None, status: int = 200, form=None):
    campaigns = campaign_service.campaigns(db.session)
    if campaign_id is None and campaigns:
        campaign_id = campaigns[0].id
    campaign = next((c for c in campaigns if c.id == campaign_id), None)
    if campaign_id is not None and campaign is None:
        abort(404)
    scope = current_scope()
    return render_template(
        "exports/index.html", campaigns=campaigns, campaign=campaign, units=_scoped_units(scope),
        recent=_recent_exports(), channel_labels=CHANNEL_LABELS,
        scope_label=exports.scope_label(db.session.connection(), scope), datasets=exports.DATASETS,
        error=error, # Flagged responses left out by default, as on the dashboard: the two counts agree.
        form=form or {"dataset": "responses", "fmt": "xlsx", "include_flagged": "0"},
    ), status


def _recent_exports(limit: int = 10) -> list[AuditEvent]:
    """This account's queued exports whose files may still exist (from the audit log)."""
    since = datetime.now(timezone.utc) - timedelta(seconds=FILE_MAX_AGE)
    return list(db.session.scalars(
        select(AuditEvent).where(AuditEvent.user_id == current_user.id, AuditEvent.action == "queue_export",
                                 AuditEvent.at >= since).order_by(AuditEvent.at.desc()).limit(limit)))


@bp.get("")
@office_login_required
def index():
    """Choose what to export: dataset, format, a narrower scope, flagged responses or not."""
    return _form_page(optional_int("campaign"))


@bp.post("")
@office_login_required
def start():
    """Tallies stream back at once; raw responses go to an RQ job with a progress page."""
    campaign_id = optional_int("campaign")
    if campaign_id is None:
        abort(400)
    req = _form_request(campaign_id)
    scope = current_scope()
    try:
        plan = exports.plan(db.session.connection(), scope, req)
    except ExportRefused as exc:
        return _form_page(campaign_id, exc.message, 422, request.form)
    detail = {**req.to_dict(), "scope": plan.scope_label, "filter": plan.filter_label}
    if req.dataset == "tallies":
        return _tallies_now(plan, detail)
    export_id = uuid.uuid4().hex
    job = app_queue(current_app, EXPORTS).enqueue(
        build_export, export_id, current_user.id, req.to_dict(), job_id=export_id,
        result_ttl=EXPORTS.result_ttl, failure_ttl=EXPORTS.result_ttl,
        meta={"export": req.to_dict(), "user_id": current_user.id, "done": 0, "total": None,
              "scope": plan.scope_label, "filter": plan.filter_label},
    )
    audit("queue_export", f"campaign:{campaign_id}", job=job.id, **detail)
    return _redirect(url_for("exports.job", job_id=job.id))


def _redirect(location: str) -> Response:
    response = Response(status=303)
    response.headers["Location"] = location
    return response


def _tallies_now(plan, detail: dict) -> Response:
    catch_up_inline(current_app, plan.request.campaign_id)  # embedded mode: count what is pending first
    generated_at = datetime.now(timezone.utc)
    if read_replica.configured(current_app):  # READ_DATABASE_URL: the replica answers the read
        with read_replica.engine(current_app).connect() as conn:
            dataset = datasets.build(conn, plan, generated_at)
    else:
        dataset = datasets.build(db.session.connection(), plan, generated_at)
    db.session.remove()  # the rows are in memory (a few thousand); give the connection back
    audit("export", f"campaign:{plan.request.campaign_id}", rows=dataset.expected_rows, **detail)
    name = f"{dataset.filename}.{plan.request.fmt}"
    if plan.request.fmt == "csv":
        body = export_writers.csv_chunks(dataset.tables[0].header, (row for _, row in dataset.rows))
        return _attachment(Response(body, mimetype=MIMETYPES["csv"]), name)
    buffer = io.BytesIO()
    export_writers.write_xlsx(buffer, dataset)
    buffer.seek(0)
    return _attachment(send_file(buffer, mimetype=MIMETYPES["xlsx"]), name)


def _attachment(response: Response, filename: str) -> Response:
    """RFC 6266 / 5987: an ASCII fallback name plus the Chinese name in filename*."""
    ascii_name = "export." + filename.rsplit(".", 1)[-1]
    response.headers["Content-Disposition"] = (
        f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(filename, safe='')}"
    )
    response.headers["Cache-Control"] = "private, no-store"
    return response


def _own_job(job_id: str) -> Job:
    """The caller's own export job, still inside the caller's scope; otherwise 404."""
    job = own_job(job_id, "export")
    try:
        exports.plan(db.session.connection(), current_scope(), ExportRequest.from_dict(job.meta["export"]))
    except (NotInScope, ExportRefused):
        abort(404)
    return job


def _status(job: Job) -> dict:
    status = job.get_status()
    status = getattr(status, "value", status)
    fmt = job.meta["export"]["fmt"]
    ready = status == "finished" and export_path(current_app.config, job.id, fmt).exists()
    return {"status": status, "done": job.meta.get("done") or 0, "total": job.meta.get("total"),
            "ready": ready, "expired": status == "finished" and not ready,
            "download_url": url_for("exports.download", job_id=job.id) if ready else None}


@bp.get("/jobs/<job_id>")
@office_login_required
def job(job_id: str):
    """Progress of an export; refreshes itself (script or meta refresh) until the file is ready."""
    job = _own_job(job_id)
    return render_template("exports/job.html", job=job, meta=job.meta, state=_status(job), running=RUNNING,
                           dataset_label=exports.DATASETS.get(job.meta["export"]["dataset"], ""))


@bp.get("/jobs/<job_id>/status")
@office_login_required
def job_status(job_id: str):
    """JSON progress for the polling script: status, rows done / expected, download URL."""
    return jsonify(_status(_own_job(job_id)))


@bp.get("/jobs/<job_id>/download")
@office_login_required
def download(job_id: str):
    """The finished file, streamed from disk under its Chinese name."""
    job = _own_job(job_id)
    fmt = job.meta["export"]["fmt"]
    path = export_path(current_app.config, job.id, fmt)
    if job.get_status() != "finished" or not path.exists():
        abort(404)
    audit("download_export", f"campaign:{job.meta['export']['campaign_id']}", job=job.id,
          rows=job.meta.get("done"), scope=job.meta.get("scope"), filter=job.meta.get("filter"))
    response = send_file(path, mimetype=MIMETYPES[fmt], conditional=False, max_age=0)
    return _attachment(response, job.meta.get("filename") or f"export.{fmt}")
