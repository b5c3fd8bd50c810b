"""Office pages of the QR channel: entry points with counts, QR codes, posters and poster batches.

Every view is behind `office_login_required` and every lookup goes through the account's
scope: an entry point or county outside it is a 404 (existence is not confirmed).
"""

from __future__ import annotations

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_login import current_user

from questionnaire.accounts.auth import audit, current_scope, office_login_required
from questionnaire.campaigns import service as campaign_service
from questionnaire.campaigns.pages import choose_campaign
from questionnaire.channels.qr import office_entries
from questionnaire.channels.qr.entry_points import RULES
from questionnaire.extensions import db, redis_store
from questionnaire.kernel.web.http import attachment
from questionnaire.kernel.web.jobs import own_job
from questionnaire.kernel.web.params import optional_int, safe_back
from questionnaire.posters import qr
from questionnaire.posters.render import PAGE_SIZES, render_posters
from workers.poster_jobs import build_poster_batch, result_key
from workers.queues import POSTERS, app_queue

bp = Blueprint("office", __name__, url_prefix="/office")





def _redis():
    return redis_store.client(current_app)


def _size() -> str:
    size = request.values.get("size", "A4").upper()
    if size not in PAGE_SIZES:
        abort(400)
    return size


@bp.get("/")
@office_login_required
def index():
    """Campaigns; with only one, go straight to its entry points."""
    return choose_campaign("office.entries", "调查活动")


def _entry_filter(scope) -> office_entries.EntryFilter:
    """The list's filters from the query string; a county or township outside the scope is a 404."""
    city_units = request.args.get("county") == "city_units"
    county_id = None if city_units else optional_int("county")
    if county_id is not None and not scope.allows_county(county_id):
        abort(404)
    if city_units and not scope.is_admin:
        abort(404)
    township_id = optional_int("township") if county_id is not None else None
    if township_id is not None and township_id not in {
            t.id for t in office_entries.scoped_townships(db.session, scope, county_id)}:
        abort(404)
    sort = request.args.get("sort", "place")
    if sort not in office_entries.SORTS:
        abort(400)
    return office_entries.EntryFilter(county_id=county_id, city_units=city_units, township_id=township_id,
                                      search=request.args.get("q", "").strip()[:60], sort=sort)


@bp.get("/campaigns/<int:campaign_id>/entries")
@office_login_required
def entries(campaign_id: int):
    """Entry points in scope with short URL, scans and completed responses; search, filter, sort."""
    scope = current_scope()
    campaign = campaign_service.get_campaign(db.session, campaign_id)
    narrow = _entry_filter(scope)
    rows = office_entries.list_entries(db.session, _redis(), scope, campaign_id, narrow=narrow)
    audit("view_entries", f"campaign:{campaign_id}", county_id=narrow.county_id)
    return render_template(
        "office/entries.html", campaign=campaign, rows=rows, county_id=narrow.county_id, narrow=narrow,
        counties=office_entries.scoped_counties(db.session, scope),
        townships=office_entries.scoped_townships(db.session, scope, narrow.county_id),
        sorts=office_entries.SORTS,
        base_url=current_app.config["PUBLIC_BASE_URL"], rules=RULES,
        rule_labels=office_entries.RULE_LABELS, questionnaires=campaign.questionnaires,
        totals={"scans": sum(r.scans for r in rows), "completed": sum(r.completed for r in rows)},
    )


@bp.post("/campaigns/<int:campaign_id>/entries")
@office_login_required(roles=("admin", "county"))
def create_entries(campaign_id: int):
    """Create entry points in bulk (one per county / township / city unit)."""
    campaign_service.get_campaign(db.session, campaign_id)
    created = office_entries.bulk_create(db.session, current_scope(), campaign_id,
                                         request.form.get("questionnaire", ""), request.form.getlist("rule"))
    audit("create_entries", f"campaign:{campaign_id}", created=created, rules=request.form.getlist("rule"))
    flash(f"已新生成 {created} 个入口" if created else "没有需要新生成的入口（已全部存在）")
    return redirect(url_for("office.entries", campaign_id=campaign_id))


@bp.post("/entries/<int:entry_id>/enabled")
@office_login_required
def set_enabled(entry_id: int):
    """Disable or re-enable one code; its responses stay."""
    enabled = request.form.get("enabled") == "1"
    entry = office_entries.set_enabled(db.session, current_scope(), entry_id, enabled)
    current_app.extensions["entry_catalog"].clear()  # this process sees the change at once
    audit("enable_entry" if enabled else "disable_entry", f"entry:{entry.code}")
    name = office_entries.entry_unit_name(db.session, entry)
    done = "重新启用" if enabled else "停用，扫码的居民将看到“已停用”提示；已收到的答卷保留"
    flash(f"{name}的入口（{entry.code}）已{done}")
    back = safe_back(request.form.get("back"))
    return redirect(back or url_for("office.entries", campaign_id=entry.campaign_id))


def _entry_url(entry_id: int) -> tuple:
    entry = office_entries.scoped_entry(db.session, current_scope(), entry_id)
    return entry, office_entries.entry_url(current_app.config["PUBLIC_BASE_URL"], entry.code)


@bp.get("/entries/<int:entry_id>/qr.png")
@office_login_required
def qr_png(entry_id: int):
    """The entry's QR code as a 300 dpi PNG."""
    entry, url = _entry_url(entry_id)
    name = office_entries.entry_unit_name(db.session, entry)
    png = qr.qr_png(url, caption=name)
    audit("download_qr", f"entry:{entry.code}", format="png")
    return _download(png, "image/png", f"二维码-{name}-{entry.code}.png")


@bp.get("/entries/<int:entry_id>/qr.svg")
@office_login_required
def qr_svg(entry_id: int):
    """The entry's QR code as a vector SVG."""
    entry, url = _entry_url(entry_id)
    svg = qr.qr_svg(url)
    audit("download_qr", f"entry:{entry.code}", format="svg")
    name = office_entries.entry_unit_name(db.session, entry)
    return _download(svg, "image/svg+xml", f"二维码-{name}-{entry.code}.svg")


@bp.get("/entries/<int:entry_id>/poster.pdf")
@office_login_required
def poster(entry_id: int):
    """One poster, A4 or A3."""
    size = _size()
    entry = office_entries.scoped_entry(db.session, current_scope(), entry_id)
    data = office_entries.poster_data(db.session, current_scope(), current_app.config["PUBLIC_BASE_URL"],
                                      entry.campaign_id, entry_id=entry.id)
    pdf = render_posters(data, size=size)
    audit("download_poster", f"entry:{entry.code}", size=size)
    name = office_entries.entry_unit_name(db.session, entry)
    return _download(pdf, "application/pdf", f"海报-{name}-{entry.code}-{size}.pdf")


@bp.post("/campaigns/<int:campaign_id>/posters")
@office_login_required
def poster_batch(campaign_id: int):
    """Queue one multi-page PDF of every enabled poster in scope (optionally one county)."""
    scope = current_scope()
    campaign_service.get_campaign(db.session, campaign_id)
    size = _size()
    county_id = optional_int("county")
    if county_id is not None and not scope.allows_county(county_id):
        abort(404)
    queue = app_queue(current_app, POSTERS)
    job = queue.enqueue(build_poster_batch, campaign_id, current_user.id, county_id, size,
                        result_ttl=POSTERS.result_ttl, failure_ttl=POSTERS.result_ttl,
                        meta={"user_id": current_user.id, "campaign_id": campaign_id,
                              "county_id": county_id, "size": size, "done": 0, "total": None})
    audit("queue_poster_batch", f"campaign:{campaign_id}", county_id=county_id, size=size, job=job.id)
    return redirect(url_for("office.poster_job", job_id=job.id))


@bp.get("/jobs/<job_id>")
@office_login_required
def poster_job(job_id: str):
    """Progress of a poster batch; refreshes itself until the PDF is ready."""
    job = own_job(job_id)
    status = job.get_status()
    status = getattr(status, "value", status)
    return render_template("office/job.html", job=job, status=status, meta=job.meta,
                           ready=status == "finished" and bool(_redis().exists(result_key(job.id))))


@bp.get("/jobs/<job_id>/posters.pdf")
@office_login_required
def poster_job_download(job_id: str):
    """Download a finished batch."""
    job = own_job(job_id)
    pdf = _redis().get(result_key(job.id))
    if pdf is None:
        abort(404)
    audit("download_poster_batch", f"campaign:{job.meta.get('campaign_id')}",
          county_id=job.meta.get("county_id"), pages=job.meta.get("total"), job=job.id)
    return _download(pdf, "application/pdf", f"海报合集-{job.meta.get('size', 'A4')}-{job.id[:8]}.pdf")


def _download(body: bytes, mimetype: str, filename: str) -> Response:
    response = Response(body, mimetype=mimetype)
    response.headers["Content-Disposition"] = attachment(filename)
    response.headers["Cache-Control"] = "private, no-store"
    return response
