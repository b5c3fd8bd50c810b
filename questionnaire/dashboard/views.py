"""Performance-office dashboard: progress, league tables, per-question rates, time series.

Thin views over dashboard/figures.py (tally tables only). Every read is limited to the
account's scope; a county drill-down outside it is a 404. Pages work without
JavaScript (sorting via ?sort=, flagged toggle via ?flagged=); static/js/dashboard.js
polls the JSON endpoint every few seconds and draws the chart.
"""

from __future__ import annotations

import contextlib
import json
from datetime import datetime, timezone

from flask import Blueprint, Response, abort, current_app, redirect, render_template, request, url_for
from sqlalchemy import select

from questionnaire.accounts.auth import audit, current_scope, office_login_required
from questionnaire.campaigns.models import Campaign
from questionnaire.campaigns.pages import choose_campaign
from questionnaire.campaigns.service import get_campaign
from questionnaire.dashboard import figures
from questionnaire.dashboard.suggestions import recent_suggestions
from questionnaire.extensions import db, read_replica
from questionnaire.intake.channels import CHANNEL_LABELS, CHANNELS
from questionnaire.kernel import dialect, keys
from questionnaire.kernel.china_time import format_china_time
from questionnaire.kernel.web.errors import error_page, json_error
from questionnaire.kernel.web.json_cache import cached_json, store_json
from questionnaire.org.models import OrgUnit
from questionnaire.org.scope import Scope
from questionnaire.tallies.models import TallyState
from workers.tally_jobs import catch_up_inline

bp = Blueprint("dashboard", __name__, url_prefix="/dashboard")
CACHE_SECONDS = 120  # a cached body is only ever served for the tally state it was built from

SORT_KEYS = ("name", "responses", "share", "satisfaction_index", "flagged")
SORT_LABELS = {"name": "名称", "responses": "答卷数", "share": "目标完成率", "satisfaction_index": "满意度指数",
               "flagged": "标记答卷"}


class BadDashboardRequest(Exception):
    def __init__(self, message: str):
        super().__init__(message)
        self.message = message




def _flagged() -> bool:
    raw = request.args.get("flagged", "0")
    if raw not in ("0", "1"):
        raise BadDashboardRequest("参数 flagged 只能是 0 或 1")
    return raw == "1"


def _sort() -> tuple[str, bool]:
    key = request.args.get("sort", "responses")
    order = request.args.get("order", "asc" if key == "name" else "desc")
    if key not in SORT_KEYS or order not in ("asc", "desc"):
        raise BadDashboardRequest("排序参数有误")
    return key, order == "desc"


def sort_rows(rows: list, key: str, descending: bool) -> list:
    """Sort league rows; rows without a value (no target, no ratings) always go last."""
    if key == "name":
        return sorted(rows, key=lambda r: r.code, reverse=descending)
    present = [r for r in rows if getattr(r, key) is not None]
    missing = [r for r in rows if getattr(r, key) is None]
    return sorted(present, key=lambda r: (getattr(r, key), r.code), reverse=descending) + missing


def _county_scope(county_id: int | None) -> Scope | None:
    """The account's scope, narrowed to one county for a drill-down; None if not allowed."""
    scope = current_scope()
    if county_id is None:
        return scope
    county = db.session.get(OrgUnit, county_id)
    if county is None or county.kind != "county" or not scope.allows_county(county_id):
        return None
    return Scope(role="county", user_id=scope.user_id, county_id=county_id)


def _channel() -> str | None:
    raw = request.args.get("channel", "")
    if raw and raw not in CHANNELS:
        raise BadDashboardRequest("参数 channel 只能是 " + "、".join(CHANNELS) + " 之一")
    return raw or None


@contextlib.contextmanager
def _reading():
    """Where the figures are read, and that source's replication lag (None on the primary).

    A replica's connection when READ_DATABASE_URL is set (its lag is shown next to "数据截至"),
    else the request's session on the primary, as on one server.
    """
    if read_replica.configured(current_app):
        with read_replica.engine(current_app).connect() as conn:
            yield conn, dialect.replica_lag_seconds(conn)
    else:
        yield db.session, None
    db.session.commit()  # end the read transaction: the next poll must see newer tallies


def _figures(campaign_id: int, scope: Scope, include_flagged: bool, county_id: int | None,
             channel: str | None = None) -> dict:
    catch_up_inline(current_app, campaign_id)  # embedded mode only; a no-op with the RQ worker
    now = datetime.now(timezone.utc)
    with _reading() as (source, lag):
        data = figures.load(source, campaign_id, scope, include_flagged, channel)
        suggestions = recent_suggestions(source, campaign_id, scope, include_flagged)
        # Without flagged answers, say how many flagged suggestions there are and how to see them.
        flagged_suggestions = 0 if include_flagged else sum(
            s.flagged for s in recent_suggestions(source, campaign_id, scope, True))
    summary = figures.summary(data, now)
    as_of = format_china_time(summary.as_of, "%H:%M:%S") if summary.as_of else ""
    return {
        "summary": summary,
        "as_of_label": as_of + dialect.replica_lag_label(lag) if as_of else "",
        "counties": figures.county_rows(data) if county_id is None else [],
        # A township's own account has no county table: its township row stands in for it.
        "townships": figures.township_rows(data, county_id) if county_id is not None or scope.role == "unit" else [],
        "units": figures.unit_rows(data) if county_id is None else [],
        "entries": figures.entry_rows(data, county_id) if county_id is not None else [],
        "questions": figures.question_rows(data),
        "series": figures.series(data, now),
        "suggestions": suggestions,
        "flagged_suggestions": flagged_suggestions,
    }


def _page(campaign_id: int, county_id: int | None):
    try:
        include_flagged = _flagged()
        sort_key, descending = _sort()
        channel = _channel()
    except BadDashboardRequest as exc:
        return error_page(400, "请求有误", exc.message)
    campaign = get_campaign(db.session, campaign_id)
    scope = _county_scope(county_id)
    if scope is None:
        abort(404)
    data = _figures(campaign_id, scope, include_flagged, county_id, channel)
    for name in ("counties", "townships", "units"):
        data[name] = sort_rows(data[name], sort_key, descending)
    county = db.session.get(OrgUnit, county_id) if county_id is not None else None
    audit("view_dashboard", f"campaign:{campaign_id}", county_id=county_id, flagged=include_flagged)
    api_url = url_for("dashboard.api_figures", campaign_id=campaign_id, county=county_id,
                      flagged=int(include_flagged), channel=channel)
    return render_template(
        "dashboard/overview.html" if county is None else "dashboard/county.html",
        campaign=campaign, county=county, include_flagged=include_flagged, sort_key=sort_key,
        descending=descending, sort_labels=SORT_LABELS, api_url=api_url, channel=channel,
        # A county office lands on its drill-down: the panels (rectification warnings) come with it.
        channel_labels=CHANNEL_LABELS,
        panels=feature_panels(scope) if county is None or current_scope().role == "county" else [],
        has_exports="exports.index" in current_app.view_functions, **data,
    )


def feature_panels(scope) -> list:
    """Panels that features above the dashboard contribute to its page (rectification warnings):
    each registers a callable in app.extensions["dashboard_panels"] taking the account's scope and
    returning its rendered HTML or None, so the dashboard imports none of them."""
    return [html for html in (panel(scope) for panel in current_app.extensions.get("dashboard_panels", ()))
            if html]


@bp.get("/")
@office_login_required
def index():
    """Campaigns; with only one, go straight to its dashboard."""
    return choose_campaign("dashboard.overview", "实时看板")


@bp.get("/campaigns/<int:campaign_id>")
@office_login_required
def overview(campaign_id: int):
    """Progress toward the target, county and unit league tables, questions, time chart.

    A county office lands on its own county's drill-down (its townships), not on a one-row table."""
    scope = current_scope()
    if scope.role == "county":
        get_campaign(db.session, campaign_id)
        kept = {k: v for k, v in request.args.items() if k in ("flagged", "channel", "sort", "order")}
        return redirect(url_for("dashboard.county", campaign_id=campaign_id, county_id=scope.county_id, **kept))
    return _page(campaign_id, None)


@bp.get("/campaigns/<int:campaign_id>/counties/<int:county_id>")
@office_login_required
def county(campaign_id: int, county_id: int):
    """One county: its townships, entry points, questions and chart."""
    return _page(campaign_id, county_id)


@bp.get("/api/campaigns/<int:campaign_id>/figures")
@office_login_required
def api_figures(campaign_id: int):
    """The same figures as JSON, polled by the page (?flagged=0|1, ?county=<id>, ?channel=qr|leader|...)."""
    try:
        include_flagged = _flagged()
        channel = _channel()
    except BadDashboardRequest as exc:
        return json_error(400, "bad_request", exc.message)
    raw_county = request.args.get("county", "")
    if raw_county and not raw_county.isdigit():
        return json_error(400, "bad_request", "参数 county 必须是编号")
    county_id = int(raw_county) if raw_county else None
    if db.session.get(Campaign, campaign_id) is None:
        return json_error(404, "not_found", "未找到该调查活动")
    scope = _county_scope(county_id)
    if scope is None:
        return json_error(404, "not_found", "未找到该内容，或您的账号无权查看")
    catch_up_inline(current_app, campaign_id)
    # The cache key's tally state comes from where the figures are read (a lagging replica's body
    # must not be cached under the primary's newer state).
    with _reading() as (source, _lag):
        as_of = source.execute(select(TallyState.applied_at).where(TallyState.campaign_id == campaign_id)).scalar()
    # The county drill-down and the channel choose different bodies for one scope.
    scope_key = f"{scope.role}:{scope.county_id or scope.unit_id or ''}:{county_id or ''}:{channel or ''}"
    key = keys.dashboard_figures(campaign_id, scope_key, include_flagged, as_of.isoformat() if as_of else "none")
    text = cached_json(key)  # figures already built for this exact tally state (shared by every poller)
    if text is None:
        body = figures.jsonable(_figures(campaign_id, scope, include_flagged, county_id, channel))
        body["campaign_id"] = campaign_id
        body["county_id"] = county_id
        body["channel"] = channel
        text = json.dumps(body, ensure_ascii=False, separators=(",", ":"))
        store_json(key, text, CACHE_SECONDS)
    return Response(text, mimetype="application/json", headers={"Cache-Control": "no-store"})


