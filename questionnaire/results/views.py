"""Results pages (评价结果): live standings of every county and city unit, each entity's indicator
table, and the office's scheme versions and entered figures.

Thin views over results/standings.py (tally tables only) and results/service.py. The office
(admin) sees every entity; a county or unit account sees only its own entity, and anything else
is a 404. Scheme versions and entered figures are the office's (admin only).
"""

from __future__ import annotations

import json

import yaml
from flask import Blueprint, Response, abort, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import select

from questionnaire.accounts.auth import audit, current_scope, office_login_required, request_ip_hash
from questionnaire.campaigns.models import Campaign
from questionnaire.campaigns.pages import choose_campaign
from questionnaire.campaigns.service import get_campaign
from questionnaire.extensions import db
from questionnaire.kernel import keys
from questionnaire.kernel.errors import NotInScope
from questionnaire.kernel.web.errors import json_error
from questionnaire.kernel.web.json_cache import cached_json, store_json
from questionnaire.org.models import OrgUnit
from questionnaire.org.scope import Scope
from questionnaire.results import present, publication, service, standings
from questionnaire.results.access import visible_entities
from questionnaire.results.models import STAGE_LABELS
from questionnaire.results.scheme import KIND_LABELS, KINDS
from questionnaire.tallies.models import TallyState
from workers.tally_jobs import catch_up_inline

bp = Blueprint("results", __name__, url_prefix="/results")
ADMIN = ("admin",)
# A cached JSON body is only served for the state it was built from (tallies, scheme, figures,
# publications); short, because the rectification ledger's fed figure is not in the key.
CACHE_SECONDS = 30


def _all_standings(campaign_id: int, scope: Scope) -> dict[str, dict]:
    catch_up_inline(current_app, campaign_id)  # embedded mode only; a no-op with the RQ worker
    out = {}
    for kind in KINDS:
        visible = visible_entities(scope, kind)
        if visible == set():
            continue
        data = standings.build(db.session, campaign_id, kind)
        if data is None:
            continue
        shown = present.standings(data, visible)
        if shown["entities"] or visible is None:  # a township's account has no entity of its own
            out[kind] = shown
    db.session.commit()  # end the read transaction: the next read must see newer tallies
    return out


@bp.get("/")
@office_login_required
def index():
    """Campaigns; with only one, go straight to its results."""
    return choose_campaign("results.overview", "评价结果")


@bp.get("/campaigns/<int:campaign_id>")
@office_login_required
def overview(campaign_id: int):
    """Current standing of every county and city unit in scope (one's own entity for an entity account)."""
    campaign = get_campaign(db.session, campaign_id)
    kinds = _all_standings(campaign_id, current_scope())
    audit("view_results", f"campaign:{campaign_id}")
    return render_template("results/overview.html", campaign=campaign, kinds=kinds, kind_labels=KIND_LABELS,
                           publications=publication.publications(db.session, campaign_id), stage_labels=STAGE_LABELS)


def _entity_in_scope(unit_id: int) -> OrgUnit:
    unit = db.session.get(OrgUnit, unit_id)
    if unit is None or unit.kind not in KINDS:
        raise NotInScope()
    visible = visible_entities(current_scope(), unit.kind)
    if visible is not None and unit.id not in visible:
        raise NotInScope()
    return unit


@bp.get("/campaigns/<int:campaign_id>/entities/<int:unit_id>")
@office_login_required
def entity(campaign_id: int, unit_id: int):
    """One entity: per-channel rates and sub-scores, every indicator's value and points, where points are lost."""
    campaign = get_campaign(db.session, campaign_id)
    unit = _entity_in_scope(unit_id)
    catch_up_inline(current_app, campaign_id)
    data = standings.build(db.session, campaign_id, unit.kind)
    if data is None:
        raise NotInScope()
    standing = next(s for s in data.rows if s.entity.id == unit.id)
    body = present.entity(standing, len(data.rows), data.question_titles,
                          service.external_rows(db.session, campaign_id, unit.id, data.scheme.tree),
                          scheme=data.scheme)
    scheme = present.scheme_info(data.scheme_row, data.scheme)
    db.session.commit()
    audit("view_result", f"campaign:{campaign_id}:unit:{unit.id}")
    return render_template("results/entity.html", campaign=campaign, unit=unit, e=body, scheme=scheme,
                           as_of=present.as_of_label(data))


@bp.get("/api/campaigns/<int:campaign_id>")
@office_login_required
def api_results(campaign_id: int):
    """The same standings as JSON (display strings, rounded half-up), within the account's scope."""
    if db.session.get(Campaign, campaign_id) is None:
        return json_error(404, "not_found", "未找到该调查活动")
    scope = current_scope()
    catch_up_inline(current_app, campaign_id)
    as_of = db.session.scalar(select(TallyState.applied_at).where(TallyState.campaign_id == campaign_id))
    key = keys.results_json(campaign_id, f"{scope.role}:{scope.county_id or scope.unit_id or ''}",
                            service.results_state(db.session, campaign_id, as_of))
    text = cached_json(key)  # built once per state for every poller of this scope
    if text is None:
        body = {"campaign_id": campaign_id, "kinds": _all_standings(campaign_id, scope)}
        text = json.dumps(body, ensure_ascii=False, separators=(",", ":"))
        store_json(key, text, CACHE_SECONDS)
    return Response(text, mimetype="application/json", headers={"Cache-Control": "no-store"})


def _kind_or_404(kind: str) -> str:
    if kind not in KINDS:
        abort(404)
    return kind


@bp.get("/campaigns/<int:campaign_id>/schemes/<kind>")
@office_login_required(roles=ADMIN)
def scheme(campaign_id: int, kind: str):
    """The kind's scheme versions and a form for a new version (the office's to set)."""
    campaign = get_campaign(db.session, campaign_id)
    rows = service.versions(db.session, campaign_id, _kind_or_404(kind))
    current = rows[-1] if rows else None
    text = yaml.safe_dump(current.scheme, allow_unicode=True, sort_keys=False) if current else ""
    return render_template("results/scheme.html", campaign=campaign, kind=kind, kind_label=KIND_LABELS[kind],
                           versions=rows, text=text, problems=[], published=service.is_published(
                               db.session, campaign_id, kind))


@bp.get("/campaigns/<int:campaign_id>/schemes/<kind>/<int:number>")
@office_login_required(roles=ADMIN)
def scheme_version(campaign_id: int, kind: str, number: int):
    """One version as stored, and the standings it gives now (older versions stay readable)."""
    campaign = get_campaign(db.session, campaign_id)
    row = service.version(db.session, campaign_id, _kind_or_404(kind), number)
    data = standings.build(db.session, campaign_id, kind, row)
    return render_template("results/version.html", campaign=campaign, row=row, kind_label=KIND_LABELS[kind],
                           text=yaml.safe_dump(row.scheme, allow_unicode=True, sort_keys=False),
                           result=present.standings(data))


@bp.post("/campaigns/<int:campaign_id>/schemes/<kind>")
@office_login_required(roles=ADMIN)
def change_scheme(campaign_id: int, kind: str):
    """A new scheme version from the edited text (YAML or JSON) and its reason."""
    campaign = get_campaign(db.session, campaign_id)
    _kind_or_404(kind)
    text = request.form.get("scheme", "")
    try:
        raw = yaml.safe_load(text)
        row, created = service.change_scheme(db.session, campaign_id, kind, raw, request.form.get("reason", ""),
                                             current_user.id, request_ip_hash())
    except yaml.YAMLError as exc:
        problems = [f"格式错误：{exc}"]
    except service.SchemeRefused as exc:
        problems = exc.problems
    else:
        flash(f"已保存为第 {row.version} 版" if created else "方案未改变，未生成新版本")
        return redirect(url_for("results.scheme", campaign_id=campaign_id, kind=kind))
    return render_template("results/scheme.html", campaign=campaign, kind=kind, kind_label=KIND_LABELS[kind],
                           versions=service.versions(db.session, campaign_id, kind), text=text, problems=problems,
                           published=service.is_published(db.session, campaign_id, kind)), 422


@bp.post("/campaigns/<int:campaign_id>/entities/<int:unit_id>/figures/<key>")
@office_login_required(roles=ADMIN)
def enter_figure(campaign_id: int, unit_id: int, key: str):
    """Enter one entity's external figure with its source (audited)."""
    get_campaign(db.session, campaign_id)
    unit = _entity_in_scope(unit_id)
    form = {**request.form.to_dict(), "met": request.form.getlist("met")}
    service.enter_external_value(db.session, campaign_id, unit.kind, unit, key, form, current_user.id,
                                 request_ip_hash())
    flash("已保存录入数据")
    return redirect(url_for("results.entity", campaign_id=campaign_id, unit_id=unit_id))
