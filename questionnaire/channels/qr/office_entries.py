"""Entry points as the office sees them: scoped lists with counts, bulk creation, enable/disable.

Every query goes through the caller's Scope. Scans are page views counted in Redis
(a hint that can be lost); completed responses are counted from the database (the truth).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session, aliased

from questionnaire.campaigns.models import Campaign, Questionnaire
from questionnaire.channels.qr.entry_points import RULES, create_entry_points, pairs_for_rule
from questionnaire.intake.channels import QR
from questionnaire.intake.models import CollectionPoint, Response
from questionnaire.kernel import keys
from questionnaire.kernel.errors import NotInScope, ServiceError
from questionnaire.org.models import OrgUnit
from questionnaire.org.scope import Scope
from questionnaire.posters.render import PosterData

log = logging.getLogger(__name__)

RULE_LABELS = {"counties": "每个县区一个", "townships": "每个乡镇一个", "city_units": "每个市直单位一个"}


class BadEntryRequest(ServiceError):
    status, code, message = 422, "invalid_request", "请求有误"


@dataclass(frozen=True)
class EntryRow:
    id: int
    code: str
    is_enabled: bool
    poster_unit: str
    poster_kind: str
    evaluated_unit: str
    questionnaire: str
    scans: int
    completed: int


def record_scan(redis, entry) -> None:
    """Count one page view of an entry (HINCRBY); never fails the resident's page."""
    try:
        redis.hincrby(keys.scans(entry.campaign_id), str(entry.entry_id), 1)
    except Exception:  # noqa: BLE001 - a lost scan count is acceptable, a 500 is not
        log.warning("scan count failed entry=%s", getattr(entry, "entry_id", None), exc_info=True)


def scan_counts(redis, campaign_id: int) -> dict[int, int]:
    try:
        raw = redis.hgetall(keys.scans(campaign_id))
    except Exception:  # noqa: BLE001
        log.warning("scan counts unavailable campaign=%s", campaign_id, exc_info=True)
        return {}
    return {int(k): int(v) for k, v in raw.items()}


def list_entries(session: Session, redis, scope: Scope, campaign_id: int,
                 county_id: int | None = None) -> list[EntryRow]:
    poster = aliased(OrgUnit)
    evaluated = aliased(OrgUnit)
    query = (
        select(CollectionPoint.id, CollectionPoint.code, CollectionPoint.is_enabled, poster.name, poster.kind,
               evaluated.name, Questionnaire.title)
        .join(poster, poster.id == CollectionPoint.collected_unit_id)
        .join(evaluated, evaluated.id == CollectionPoint.evaluated_unit_id)
        .join(Questionnaire, Questionnaire.id == CollectionPoint.questionnaire_id)
        # The QR channel's pages list its own points only (other channels' points have no code).
        .where(CollectionPoint.campaign_id == campaign_id, CollectionPoint.channel == QR,
               scope.clause(CollectionPoint.collected_unit_id, CollectionPoint.evaluated_unit_id))
        .order_by(poster.kind, poster.sort_order, poster.id, CollectionPoint.id)
    )
    if county_id is not None:
        query = query.where(poster.county_id == county_id)
    completed = dict(session.execute(
        select(Response.collection_point_id, func.count())
        .where(Response.campaign_id == campaign_id, Response.channel == QR,
               scope.clause(Response.collected_unit_id, Response.evaluated_unit_id))
        .group_by(Response.collection_point_id)
    ).all())
    scans = scan_counts(redis, campaign_id)
    return [
        EntryRow(id=r[0], code=r[1], is_enabled=r[2], poster_unit=r[3], poster_kind=r[4],
                 evaluated_unit=r[5], questionnaire=r[6], scans=scans.get(r[0], 0),
                 completed=completed.get(r[0], 0))
        for r in session.execute(query)
    ]


def scoped_entry(session: Session, scope: Scope, entry_id: int) -> CollectionPoint:
    entry = session.scalar(select(CollectionPoint).where(
        CollectionPoint.id == entry_id, CollectionPoint.channel == QR,
        scope.clause(CollectionPoint.collected_unit_id, CollectionPoint.evaluated_unit_id)))
    if entry is None:
        raise NotInScope()
    return entry


def set_enabled(session: Session, scope: Scope, entry_id: int, enabled: bool) -> CollectionPoint:
    """Disable or re-enable one code; responses already given are kept (commits)."""
    entry = scoped_entry(session, scope, entry_id)
    entry.is_enabled = enabled
    session.commit()
    return entry


def scoped_counties(session: Session, scope: Scope) -> list[OrgUnit]:
    query = select(OrgUnit).where(OrgUnit.kind == "county").order_by(OrgUnit.sort_order, OrgUnit.id)
    if not scope.is_admin:
        query = query.where(OrgUnit.id == (scope.county_id if scope.role == "county" else -1))
    return list(session.scalars(query))


def bulk_create(session: Session, scope: Scope, campaign_id: int, questionnaire_key: str,
                rules: list[str]) -> int:
    """Create the missing entry points for the chosen rules (commits); returns how many.

    Admins create for the whole city; a county office only within its own county.
    """
    if scope.role not in ("admin", "county"):
        raise NotInScope()
    rules = [r for r in rules if r]
    if not rules or any(r not in RULES for r in rules):
        raise BadEntryRequest("请选择要生成的入口类型")
    if scope.role == "county" and "city_units" in rules:
        raise NotInScope("县区账号不能为市直单位生成入口")
    questionnaire = session.scalar(select(Questionnaire).where(
        Questionnaire.campaign_id == campaign_id, Questionnaire.key == questionnaire_key))
    if questionnaire is None:
        raise BadEntryRequest("请选择本次活动的问卷")
    within = None if scope.is_admin else scope.county_id
    pairs = [pair for rule in rules for pair in pairs_for_rule(session, rule, within_county_id=within)]
    created = create_entry_points(session, campaign_id, questionnaire.id, pairs)
    session.commit()
    return len(created)


def poster_data(session: Session, scope: Scope, base_url: str, campaign_id: int,
                county_id: int | None = None, entry_id: int | None = None) -> list[PosterData]:
    """What goes on each poster, for one entry or every enabled entry in scope (and county)."""
    poster = aliased(OrgUnit)
    evaluated = aliased(OrgUnit)
    query = (
        select(CollectionPoint.code, poster.name, evaluated.name, Campaign.title, Campaign.opens_at,
               Campaign.closes_at)
        .join(poster, poster.id == CollectionPoint.collected_unit_id)
        .join(evaluated, evaluated.id == CollectionPoint.evaluated_unit_id)
        .join(Campaign, Campaign.id == CollectionPoint.campaign_id)
        # The QR channel's pages list its own points only (other channels' points have no code).
        .where(CollectionPoint.campaign_id == campaign_id, CollectionPoint.channel == QR,
               scope.clause(CollectionPoint.collected_unit_id, CollectionPoint.evaluated_unit_id))
        .order_by(poster.kind, poster.sort_order, poster.id, CollectionPoint.id)
    )
    if entry_id is not None:
        query = query.where(CollectionPoint.id == entry_id)
    else:
        query = query.where(CollectionPoint.is_enabled.is_(True))
    if county_id is not None:
        query = query.where(poster.county_id == county_id)
    return [
        PosterData(campaign_title=title, unit_name=poster_name, url=entry_url(base_url, code),
                   opens_at=opens, closes_at=closes, evaluated_name=evaluated_name)
        for code, poster_name, evaluated_name, title, opens, closes in session.execute(query)
    ]


def entry_url(base_url: str, code: str) -> str:
    return f"{base_url.rstrip('/')}/s/{code}"
