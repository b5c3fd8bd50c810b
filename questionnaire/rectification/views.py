"""Rectification pages for the office and the responsible entities (county and unit accounts).

Every lookup goes through the account's scope (items.scoped_tasks): another entity's task,
item or evidence file is a 404. The workflow decides who may do what (403 for the other
side's action, 422 with the reason for a wrong status); a refused form is shown again with
its Chinese message and status, and nothing is written.
"""

from __future__ import annotations

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, send_file, url_for
from markupsafe import Markup

from questionnaire.accounts.auth import audit, current_scope, office_login_required
from questionnaire.extensions import db
from questionnaire.kernel.errors import NotInScope, ServiceError
from questionnaire.org.kinds import ORG_KIND_LABELS
from questionnaire.rectification import evidence, evidence_rules, items, rules, workflow
from questionnaire.rectification import figures as read_model
from questionnaire.rectification.models import RectificationEvidence
from questionnaire.rectification.web import actor, date_param, today, year_param
from questionnaire.rectification.workflow import ActionInput, ReportInput

bp = Blueprint("rectification", __name__, url_prefix="/office/rectification")

UPLOAD_ENDPOINTS = {"rectification.report"}


@bp.app_context_processor
def rectification_labels():
    return {"status_labels": rules.STATUS_LABELS, "outcome_labels": rules.OUTCOME_LABELS,
            "colour_labels": rules.COLOUR_LABELS, "reason_labels": rules.LONG_TERM_REASONS,
            "source_labels": rules.SOURCES, "role_kinds": rules.TASK_ROLES, "org_kind_labels": ORG_KIND_LABELS}


def _due_day() -> int:
    return current_app.config["RECTIFICATION_REPORT_DUE_DAY"]


def dashboard_panel(scope) -> Markup | None:
    """This year's warnings and rate on the live dashboard (registered in dashboard_panels)."""
    view = read_model.build(db.session, scope, today().year, today(), _due_day())
    if not view.rows:
        return None
    # render_template escapes every value; the panel is then placed as-is into the dashboard page.
    return Markup(render_template("rectification/_dashboard_panel.html", view=view))


@bp.get("/")
@office_login_required
def index():
    """The office's overview (rates, warnings, every item) or an entity's own tasks with colours."""
    scope = current_scope()
    year = year_param()
    view = read_model.build(db.session, scope, year, today(), _due_day())
    colour = request.args.get("colour") or None
    if colour not in (None, *rules.COLOUR_LABELS):
        abort(400)
    rows = sorted(view.rows, key=lambda r: (rules.COLOUR_ORDER[r.colour], r.task.deadline, r.task.id))
    if colour:
        rows = [r for r in rows if r.colour == colour]
    template = "rectification/office.html" if scope.is_admin else "rectification/entity.html"
    return render_template(template, view=view, rows=rows, colour=colour, years=items.years(db.session) or [year],
                           due_day=_due_day(), today_year=today().year)


@bp.get("/items/<int:item_id>")
@office_login_required
def item(item_id: int):
    """One item with the tasks this account may see."""
    found, tasks = items.load_item(db.session, current_scope(), item_id)
    return render_template("rectification/item.html", item=found, tasks=tasks)


def _task_page(task_id: int, error: str | None = None, status: int = 200):
    scoped = actor()
    task = items.load_task(db.session, scoped.scope, task_id)
    view_row = next((r for r in read_model.build(db.session, scoped.scope, task.item.year, today(), _due_day()).rows
                     if r.task.id == task.id), None)
    colour = view_row.colour if view_row else None
    return render_template(
        "rectification/task.html", task=task, item=task.item, colour=colour, error=error, today=today(),
        actions=rules.actions_for(task.status, scoped.side), transitions=rules.TRANSITIONS,
        can_report=scoped.side == rules.ENTITY and "report" in rules.actions_for(task.status, rules.ENTITY),
        max_mb=current_app.config["EVIDENCE_MAX_BYTES"] // (1024 * 1024), accepted=evidence_rules.ACCEPTED_TEXT,
        max_files=evidence_rules.MAX_FILES_PER_TASK, form=request.form if error else {},
        entities=items.responsible_entities(db.session) if scoped.scope.is_admin else [],
    ), status


@bp.get("/tasks/<int:task_id>")
@office_login_required
def task(task_id: int):
    """A task: its item, status, warning colour, history, monthly reports, evidence and the next steps."""
    return _task_page(task_id)


@bp.post("/tasks/<int:task_id>/actions")
@office_login_required
def act(task_id: int):
    """One workflow step (accept, claim 销号, long-term request; the office's review steps)."""
    given = ActionInput(action=request.form.get("action", ""), note=request.form.get("note", ""),
                        completed_on=date_param("completed_on"), long_term_reason=request.form.get("reason") or None,
                        planned_on=date_param("planned_on"))
    try:
        workflow.take_action(db.session, actor(), task_id, given, today())
    except NotInScope:
        raise
    except ServiceError as exc:
        return _task_page(task_id, exc.message, exc.status)
    flash(f"已{rules.TRANSITIONS[given.action].label}")
    return redirect(url_for("rectification.task", task_id=task_id))


@bp.post("/tasks/<int:task_id>/reports")
@office_login_required
def report(task_id: int):
    """This month's progress with evidence files; optionally claim completion or ask for long-term."""
    then_action = request.form.get("then") or None
    then = None
    if then_action:
        then = ActionInput(action=then_action, note=request.form.get("note", ""),
                           completed_on=date_param("completed_on"), long_term_reason=request.form.get("reason") or None,
                           planned_on=date_param("planned_on"))
    given = ReportInput(progress=request.form.get("progress", ""), measures=request.form.get("measures"), then=then)
    uploads = [evidence.Upload(f.filename or "", f.stream) for f in request.files.getlist("files") if f.filename]
    try:
        workflow.submit_report(db.session, actor(), task_id, given, uploads, current_app.instance_path,
                               current_app.config["EVIDENCE_MAX_BYTES"], today())
    except NotInScope:
        raise
    except ServiceError as exc:
        return _task_page(task_id, exc.message, exc.status)
    flash(f"本月进展已提交{f'，附佐证材料 {len(uploads)} 个' if uploads else ''}")
    return redirect(url_for("rectification.task", task_id=task_id))


@bp.get("/evidence/<int:evidence_id>")
@office_login_required
def evidence_file(evidence_id: int):
    """Download an evidence file: the office and the owning entity only; always as an attachment."""
    found = db.session.get(RectificationEvidence, evidence_id)
    if found is None:
        abort(404)
    items.load_task(db.session, current_scope(), found.task_id)  # 404 outside the scope
    path = evidence.stored_path(current_app.instance_path, found.stored_name)
    if not path.is_file():
        abort(404)
    audit("rectification_download_evidence", f"rectification_task:{found.task_id}", evidence=found.id,
          name=found.original_name)
    response = send_file(path, mimetype=evidence_rules.KINDS[found.kind][2], as_attachment=True,
                         download_name=found.original_name, conditional=False, max_age=0)
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Cache-Control"] = "private, no-store"
    return response
