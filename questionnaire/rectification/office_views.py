"""Office-only rectification pages (绩效办管理员): new items (by hand, from a suggestion, from a
file), the ledger and reminder exports, and year-end. Other accounts get a 403 on every one."""

from __future__ import annotations

import io
from datetime import date, datetime, timezone
from urllib.parse import quote

from flask import Blueprint, Response, abort, current_app, flash, redirect, render_template, request, send_file, url_for
from openpyxl import Workbook

from questionnaire.accounts.auth import audit, current_scope, office_login_required
from questionnaire.campaigns import service as campaign_service
from questionnaire.dashboard.suggestions import recent_suggestions
from questionnaire.exports.writers import write_xlsx
from questionnaire.extensions import db
from questionnaire.kernel.errors import ServiceError
from questionnaire.kernel.web.params import optional_int
from questionnaire.rectification import figures as read_model
from questionnaire.rectification import importer, items, ledger, rules, workflow, yearend
from questionnaire.rectification.errors import ImportRefused
from questionnaire.rectification.item_specs import TEMPLATE_HEADER, ItemSpec
from questionnaire.rectification.web import actor, date_param, today, year_param

bp = Blueprint("rectification_office", __name__, url_prefix="/office/rectification")
OFFICE = ("admin",)
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
SUGGESTION_LIMIT = 20
UPLOAD_ENDPOINTS = {"rectification_office.import_file"}


def _spec_from_form(source: str = "manual", text: str | None = None, source_ref: str | None = None) -> ItemSpec:
    year = optional_int("year") or today().year
    lead = optional_int("lead")
    assists = tuple(int(v) for v in request.form.getlist("assist") if v.isdigit() and int(v) != lead)
    return ItemSpec(year=year, text=text if text is not None else request.form.get("text", ""),
                    category=request.form.get("category", ""),
                    deadline=date_param("deadline") or date(year, 12, 31), lead_ids=(lead,) if lead else (),
                    assist_ids=assists, source=source, batch=request.form.get("batch", "")[:64],
                    note=request.form.get("note", "")[:500], source_ref=source_ref)


def _item_form(error: str | None = None, status: int = 200):
    return render_template("rectification/new_item.html", entities=items.responsible_entities(db.session),
                           categories=rules.CATEGORIES, error=error, form=request.form, year=today().year), status


@bp.get("/items/new")
@office_login_required(roles=OFFICE)
def new_item():
    """Enter one item by hand and split it to its responsible entities."""
    return _item_form()


@bp.post("/items")
@office_login_required(roles=OFFICE)
def create_item():
    """Store the item and one task per entity."""
    who = actor()
    try:
        item = items.create_item(db.session, _spec_from_form(), who.user_id, today(), who.ip_hash)
    except ServiceError as exc:
        return _item_form(exc.message, exc.status)
    flash(f"已创建意见建议并分解为 {len(item.tasks)} 项任务")
    return redirect(url_for("rectification.item", item_id=item.id))


def _campaign_and_suggestions():
    campaigns = campaign_service.campaigns(db.session)
    campaign_id = optional_int("campaign") or (campaigns[0].id if campaigns else None)
    if campaign_id is not None and all(c.id != campaign_id for c in campaigns):
        abort(404)
    found = (recent_suggestions(db.session.connection(), campaign_id, current_scope(), include_flagged=False,
                                limit=SUGGESTION_LIMIT) if campaign_id else [])
    return campaigns, campaign_id, found


@bp.get("/suggestions")
@office_login_required(roles=OFFICE)
def suggestions(error: str | None = None, status: int = 200):
    """The newest free-text suggestions (意见建议) of a campaign, each one can become an item."""
    campaigns, campaign_id, found = _campaign_and_suggestions()
    taken = items.taken_refs(db.session, [f"response:{s.response_id}" for s in found])
    return render_template("rectification/suggestions.html", campaigns=campaigns, campaign_id=campaign_id,
                           suggestions=found, taken=taken, entities=items.responsible_entities(db.session),
                           categories=rules.CATEGORIES, year=today().year, error=error), status


@bp.post("/suggestions")
@office_login_required(roles=OFFICE)
def from_suggestion():
    """Turn one listed suggestion into an item; its text is read again here, never taken from the form."""
    response_id = optional_int("response")
    _, _, found = _campaign_and_suggestions()
    chosen = next((s for s in found if s.response_id == response_id), None)
    if chosen is None:
        abort(404)
    spec = _spec_from_form("survey", text=chosen.text, source_ref=f"response:{chosen.response_id}")
    who = actor()
    try:
        item = items.create_item(db.session, spec, who.user_id, today(), who.ip_hash)
    except ServiceError as exc:
        return suggestions(exc.message, exc.status)
    flash("已将该条意见建议列入整改")
    return redirect(url_for("rectification.item", item_id=item.id))


def _import_page(error=None, problems=(), status=200, result=None):
    return render_template("rectification/import.html", error=error, problems=problems, result=result,
                           sources=rules.SOURCES, year=today().year, header=TEMPLATE_HEADER), status


@bp.get("/import")
@office_login_required(roles=OFFICE)
def import_form():
    """Upload an item list (XLSX or CSV)."""
    return _import_page()


@bp.post("/import")
@office_login_required(roles=OFFICE)
def import_file():
    """Import the whole file or nothing; a refused file gets a per-row report."""
    upload = request.files.get("file")
    if upload is None or not upload.filename:
        return _import_page("请选择要导入的文件", status=400)
    try:
        result = importer.import_items(db.session, actor(), upload.filename, upload.read(),
                                       optional_int("year") or today().year, request.form.get("source", "regional"),
                                       today())
    except ImportRefused as exc:
        return _import_page(exc.message, exc.problems, exc.status)
    return _import_page(result=result)


@bp.get("/import/template.xlsx")
@office_login_required(roles=OFFICE)
def import_template():
    """An empty item list with the expected columns and one example row."""
    wb = Workbook()
    ws = wb.active
    ws.title = "意见建议清单"
    ws.append(TEMPLATE_HEADER)
    ws.append([1, "自治区反馈·2021年度中期", "部分村屯路灯损坏未及时维修", "甲县", "交通", "甲县", "",
               "2021-10-31", ""])
    buffer = io.BytesIO()
    wb.save(buffer)
    buffer.seek(0)
    return _attachment(send_file(buffer, mimetype=XLSX), "意见建议清单模板.xlsx")


def _attachment(response: Response, filename: str) -> Response:
    ascii_name = "rectification." + filename.rsplit(".", 1)[-1]
    response.headers["Content-Disposition"] = (
        f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(filename, safe='')}")
    response.headers["Cache-Control"] = "private, no-store"
    return response


def _xlsx(dataset, action: str, year: int) -> Response:
    buffer = io.BytesIO()
    counts = write_xlsx(buffer, dataset)
    buffer.seek(0)
    audit(action, f"rectification_year:{year}", rows=counts)
    return _attachment(send_file(buffer, mimetype=XLSX), f"{dataset.filename}.xlsx")


def _view(year: int):
    return read_model.build(db.session, current_scope(), year, today(),
                            current_app.config["RECTIFICATION_REPORT_DUE_DAY"])


@bp.get("/ledger.xlsx")
@office_login_required(roles=OFFICE)
def ledger_xlsx():
    """整改台账: one row per item, the monthly history on a second sheet, the page's totals in 说明."""
    year = year_param()
    return _xlsx(ledger.ledger_dataset(_view(year), datetime.now(timezone.utc)), "rectification_export_ledger", year)


@bp.get("/reminders")
@office_login_required(roles=OFFICE)
def reminders():
    """督办提醒清单: every task with a warning, by entity."""
    view = _view(year_param())
    return render_template("rectification/reminders.html", view=view, rows=ledger.reminder_rows(view),
                           reason=ledger.reminder_reason)


@bp.get("/reminders.xlsx")
@office_login_required(roles=OFFICE)
def reminders_xlsx():
    """The reminder list as XLSX."""
    year = year_param()
    return _xlsx(ledger.reminder_dataset(_view(year), datetime.now(timezone.utc)), "rectification_export_reminders",
                 year)


@bp.post("/tasks/<int:task_id>/adjust")
@office_login_required(roles=OFFICE)
def adjust_task(task_id: int):
    """Reassign a task to another entity or move its deadline; a refusal is its Chinese error page."""
    change = workflow.Adjustment(note=request.form.get("note", ""), entity_id=optional_int("entity"),
                                 deadline=date_param("deadline"))
    task = workflow.adjust_task(db.session, actor(), task_id, change, today())
    flash("已调整任务，原责任单位和时限保留在办理记录中")
    return redirect(url_for("rectification.task", task_id=task.id))


@bp.post("/years/<int:year>/close")
@office_login_required(roles=OFFICE)
def close_year(year: int):
    """Year end: freeze the year's figures and carry its open items into the next year."""
    frozen = yearend.close_year(db.session, actor(), year, today())  # a refusal is its Chinese error page
    flash(f"{year} 年度统计已冻结，{frozen.carried} 条未完成事项已结转至 {year + 1} 年度")
    return redirect(url_for("rectification.index", year=year))
