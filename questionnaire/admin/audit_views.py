"""The audit log viewer (read-only): filters by account, action, unit and date; CSV export."""

from __future__ import annotations

from datetime import date

from flask import Response, abort, render_template, request, stream_with_context
from sqlalchemy import select

from questionnaire.accounts.auth import audit
from questionnaire.accounts.models import OfficeUser
from questionnaire.admin import audit_view
from questionnaire.admin.web import admin_only, bp
from questionnaire.extensions import db
from questionnaire.kernel.china_time import china_date
from questionnaire.kernel.sqltypes import utcnow
from questionnaire.kernel.web.http import attachment
from questionnaire.kernel.web.params import optional_int
from questionnaire.org.models import OrgUnit


def _date(name: str) -> date | None:
    raw = request.args.get(name, "").strip()
    if not raw:
        return None
    try:
        return date.fromisoformat(raw)
    except ValueError:
        abort(400)


def _filter() -> audit_view.AuditFilter:
    action = request.args.get("action", "").strip()
    if len(action) > 64:
        abort(400)
    return audit_view.AuditFilter(user_id=optional_int("user"), action=action, unit_id=optional_int("unit"),
                                  since=_date("from"), until=_date("to"))


@bp.get("/audit")
@admin_only
def audit_log():
    """Who did what, newest first, 100 a page."""
    narrow = _filter()
    number = optional_int("page") or 1
    rows, total = audit_view.page(db.session, narrow, number)
    return render_template(
        "admin/audit.html", rows=rows, total=total, number=number, narrow=narrow,
        pages=max(1, -(-total // audit_view.PAGE_SIZE)), action_labels=audit_view.ACTION_LABELS,
        actions=audit_view.actions(db.session),
        users=list(db.session.scalars(select(OfficeUser).order_by(OfficeUser.username))),
        units=list(db.session.scalars(select(OrgUnit).where(OrgUnit.kind != "city")
                                      .order_by(OrgUnit.kind, OrgUnit.sort_order, OrgUnit.id))),
        args={k: v for k, v in request.args.items() if k != "page"},
    )


@bp.get("/audit.csv")
@admin_only
def audit_csv():
    """The filtered events as CSV (Excel opens it); the export itself is audited."""
    narrow = _filter()
    audit("export_audit", "audit", user=narrow.user_id, filter_action=narrow.action, unit=narrow.unit_id,
          since=narrow.since.isoformat() if narrow.since else None,
          until=narrow.until.isoformat() if narrow.until else None)
    name = f"审计日志-{china_date(utcnow()).isoformat()}.csv"
    return Response(stream_with_context(audit_view.csv_chunks(db.session, narrow)), mimetype="text/csv",
                    headers={"Content-Disposition": attachment(name), "Cache-Control": "private, no-store"})
