"""Scoring schemes as versions, office-entered figures, and the audit of both.

Every change to a scheme is a new version (never an edit). Once any version of a kind has been
published, a new version needs a reason, and published results keep naming the version they
used. `add_scheme_version` runs inside its caller's transaction (the campaign file import);
`change_scheme` and `enter_external_value` are the office's actions and commit.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from flask import current_app, has_app_context
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from questionnaire.accounts.models import AuditEvent
from questionnaire.campaigns.models import Campaign
from questionnaire.kernel.errors import NotInScope, ServiceError
from questionnaire.kernel.sqltypes import utcnow
from questionnaire.org.models import OrgUnit
from questionnaire.results.external import ExternalValueError, figure_value, parse_figure, parse_source
from questionnaire.results.feeds import FedFigure, fed_figures
from questionnaire.results.inputs import EXTERNAL
from questionnaire.results.models import FINAL, ExternalValue, ResultPublication, ScoringScheme
from questionnaire.results.scheme import KINDS, Scheme, SchemeError, parse_scheme, scheme_data
from questionnaire.results.tree import leaves

REASON_LIMIT = 500


class SchemeRefused(ServiceError):
    status, code, message = 422, "scheme_refused", "计分方案有误"

    def __init__(self, problems: list[str]):
        super().__init__("计分方案有误：" + "；".join(problems), problems=problems)
        self.problems = problems


class FigureRefused(ServiceError):
    status, code, message = 422, "figure_refused", "录入数据有误"


def audit(session: Session, user_id: int | None, action: str, target: str, detail: dict,
          ip_hash: str | None = None, now: datetime | None = None) -> None:
    """An audit event in the caller's transaction (it is committed with the change it records)."""
    session.add(AuditEvent(user_id=user_id, action=action, target=target[:200], detail=detail, ip_hash=ip_hash,
                           at=now or utcnow()))


def versions(session: Session, campaign_id: int, kind: str) -> list[ScoringScheme]:
    return list(session.scalars(select(ScoringScheme).where(
        ScoringScheme.campaign_id == campaign_id, ScoringScheme.kind == kind).order_by(ScoringScheme.version)))


def latest(session: Session, campaign_id: int, kind: str) -> ScoringScheme | None:
    return session.scalar(select(ScoringScheme).where(
        ScoringScheme.campaign_id == campaign_id, ScoringScheme.kind == kind)
        .order_by(ScoringScheme.version.desc()).limit(1))


def version(session: Session, campaign_id: int, kind: str, number: int) -> ScoringScheme:
    row = session.scalar(select(ScoringScheme).where(
        ScoringScheme.campaign_id == campaign_id, ScoringScheme.kind == kind, ScoringScheme.version == number))
    if row is None:
        raise NotInScope()
    return row


def parsed(row: ScoringScheme) -> Scheme:
    return parse_scheme(row.kind, row.scheme)


def is_published(session: Session, campaign_id: int, kind: str) -> bool:
    return session.scalar(select(func.count()).select_from(ResultPublication).where(
        ResultPublication.campaign_id == campaign_id, ResultPublication.kind == kind)) > 0


def latest_publication(session: Session, campaign_id: int, kind: str) -> ResultPublication | None:
    return session.scalar(select(ResultPublication).where(
        ResultPublication.campaign_id == campaign_id, ResultPublication.kind == kind)
        .order_by(ResultPublication.id.desc()).limit(1))


def final_is_locked(session: Session, campaign_id: int, kind: str) -> bool:
    """Final results stand on the current scheme version: nothing of the kind may change."""
    last = latest_publication(session, campaign_id, kind)
    current = latest(session, campaign_id, kind)
    return last is not None and last.stage == FINAL and current is not None and last.scheme_id == current.id


def check_scheme(kind: str, raw: Any) -> dict:
    """The scheme data to store, or SchemeRefused listing every problem (each naming its place)."""
    try:
        parse_scheme(kind, raw)
    except SchemeError as exc:
        raise SchemeRefused(exc.problems) from None
    return scheme_data(raw)


def add_scheme_version(session: Session, campaign_id: int, kind: str, raw: Any, reason: str,
                       user_id: int | None) -> tuple[ScoringScheme, bool]:
    """(the current version, whether it is new). An unchanged scheme adds nothing; a change after
    publication needs a reason. Does not commit."""
    data = check_scheme(kind, raw)
    current = latest(session, campaign_id, kind)
    if current is not None and current.scheme == data:
        return current, False
    reason = (reason or "").strip()
    if len(reason) > REASON_LIMIT:
        raise SchemeRefused([f"修改原因不能超过 {REASON_LIMIT} 字"])
    if current is not None and is_published(session, campaign_id, kind) and not reason:
        raise SchemeRefused([f"{current.version} 版计分方案的结果已发布，修改须说明原因（将生成第 "
                             f"{current.version + 1} 版，原版本保留可查）"])
    row = ScoringScheme(campaign_id=campaign_id, kind=kind, version=(current.version + 1) if current else 1,
                        scheme=data, reason=reason or ("首次设定" if current is None else "发布前修改"),
                        created_by=user_id)
    session.add(row)
    session.flush()
    audit(session, user_id, "scheme_version", f"campaign:{campaign_id}:{kind}:v{row.version}",
          {"reason": row.reason, "previous_version": current.version if current else None})
    return row, True


def change_scheme(session: Session, campaign_id: int, kind: str, raw: Any, reason: str, user_id: int,
                  ip_hash: str | None = None) -> tuple[ScoringScheme, bool]:
    """The office's change of a scheme: a new version, committed with its audit event."""
    if session.get(Campaign, campaign_id) is None or kind not in KINDS:
        raise NotInScope()
    try:
        row, created = add_scheme_version(session, campaign_id, kind, raw, reason, user_id)
    except ServiceError:
        session.rollback()
        raise
    session.commit()
    return row, created


def external_leaf(scheme: Scheme, key: str):
    """The leaf of `scheme` that takes the external figure `key` (its value kind and name)."""
    for node in leaves(scheme.tree):
        if node.input is not None and node.input.kind == EXTERNAL and node.input.key == key:
            return node
    raise NotInScope()


def enter_external_value(session: Session, campaign_id: int, kind: str, unit: OrgUnit, key: str,
                         form: Mapping[str, Any], user_id: int, ip_hash: str | None = None) -> ExternalValue:
    """Enter or replace one entity's external figure with its source; audited with old and new."""
    current = latest(session, campaign_id, kind)
    if current is None or unit.kind != kind:
        raise NotInScope()
    node = external_leaf(parsed(current), key)
    if final_is_locked(session, campaign_id, kind):
        raise FigureRefused("最终结果已发布，录入数据不能再修改；如需更正，须先生成带原因的新版本计分方案")
    try:
        stored = parse_figure(node.input.value_kind, form)
        if "met" in stored:
            unknown = set(stored["met"]) - {item.name for item in node.rule.items}
            if unknown:
                raise ExternalValueError("未知的评价要点：" + "、".join(sorted(unknown)))
        source = parse_source(form.get("source"))
    except ExternalValueError as exc:
        raise FigureRefused(str(exc)) from None
    row = session.scalar(select(ExternalValue).where(
        ExternalValue.campaign_id == campaign_id, ExternalValue.unit_id == unit.id, ExternalValue.key == key))
    before = None if row is None else {"value": row.value, "source": row.source}
    if row is None:
        row = ExternalValue(campaign_id=campaign_id, unit_id=unit.id, key=key)
        session.add(row)
    row.value, row.source, row.entered_by, row.entered_at = stored, source, user_id, utcnow()
    audit(session, user_id, "external_value", f"campaign:{campaign_id}:unit:{unit.id}:{key}",
          {"before": before, "after": {"value": stored, "source": source}}, ip_hash)
    session.commit()
    return row


def external_values(conn, campaign_id: int) -> dict[int, dict[str, Any]]:
    """unit id -> key -> the scored value of every external figure of the campaign.

    Figures the office enters, and figures features compute from their own records and register
    in app.extensions["external_figures"] (a callable (session, campaign_id) -> unit id -> key ->
    the stored form, e.g. the 12345 check's hotline_on_time from its counts). A computed figure
    wins over an entered one of the same key: it is the record, not a copy of it.
    """
    out: dict[int, dict[str, Any]] = {}
    for unit_id, key, value in conn.execute(select(ExternalValue.unit_id, ExternalValue.key, ExternalValue.value)
                                            .where(ExternalValue.campaign_id == campaign_id)):
        out.setdefault(unit_id, {})[key] = figure_value(value)
    for provider in (current_app.extensions.get("external_figures", ()) if has_app_context() else ()):
        for unit_id, figures in provider(conn, campaign_id).items():
            for key, stored in figures.items():
                out.setdefault(unit_id, {})[key] = figure_value(stored)
    return out


def external_rows(session: Session, campaign_id: int, unit_id: int, scheme_tree=None,
                  fed: dict | None = None) -> dict[str, ExternalValue | FedFigure]:
    """The figures of one entity by key: entered ones, and for leaves fed by a feature (see
    results/feeds.py) the fed figure wherever the feed has data for the entity."""
    rows: dict = {row.key: row for row in session.scalars(select(ExternalValue).where(
        ExternalValue.campaign_id == campaign_id, ExternalValue.unit_id == unit_id))}
    if scheme_tree is not None:
        fed = fed_figures(session, campaign_id) if fed is None else fed
        for key, feed in fed_leaves(scheme_tree).items():
            figure = fed.get(feed, {}).get(unit_id)
            if figure is not None:
                rows[key] = figure
    return rows


def fed_leaves(tree) -> dict[str, str]:
    """external key -> feed name, for the scheme's leaves that a feature feeds."""
    return {node.input.key: node.input.feed for node in leaves(tree) if node.input is not None and node.input.feed}


def with_fed_values(values: dict[int, dict], tree, fed: dict) -> dict[int, dict]:
    """Scored external values with the fed figures laid over the entered ones (entered = fallback)."""
    out = {unit_id: dict(keys) for unit_id, keys in values.items()}
    for key, feed in fed_leaves(tree).items():
        for unit_id, figure in fed.get(feed, {}).items():
            out.setdefault(unit_id, {})[key] = figure_value(figure.value)
    return out


def results_state(session: Session, campaign_id: int, tally_as_of) -> str:
    """What the results JSON is built from, as a cache key part: the tally state, the newest scheme
    version, entered figure and publication. (A fed figure, the rectification ledger, is not in
    it: the cache's short TTL bounds how long a ledger change takes to show.)"""
    scheme = session.scalar(select(func.max(ScoringScheme.id)).where(ScoringScheme.campaign_id == campaign_id))
    figure = session.scalar(select(func.max(ExternalValue.entered_at)).where(ExternalValue.campaign_id == campaign_id))
    published = session.scalar(select(func.max(ResultPublication.id))
                               .where(ResultPublication.campaign_id == campaign_id))
    return ":".join(str(x.isoformat() if hasattr(x, "isoformat") else x)
                    for x in (tally_as_of or "none", scheme or 0, figure or "none", published or 0))
