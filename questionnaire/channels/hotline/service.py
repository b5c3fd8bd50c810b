"""Read model of the check: per-entity rates, problem orders, the figures the results read, and
the entity's own view. Which entity an account speaks for: a county account its county, a city
unit's account its unit; nobody else's (a township account, or any other entity: 404/403).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime, timezone

from sqlalchemy import select
from sqlalchemy.orm import Session

from questionnaire.campaigns.models import Campaign
from questionnaire.channels.hotline.models import Appeal, OrderCheck, WorkOrder
from questionnaire.channels.hotline.rates import (
    DENIED,
    CheckedOrder,
    EntityRates,
    RateOptions,
    entity_rates,
    problems,
)
from questionnaire.kernel.errors import NotInScope
from questionnaire.kernel.numbers import as_text
from questionnaire.org.models import OrgUnit
from questionnaire.org.scope import Scope

# The keys a scoring scheme's leaf reads with `{external: KEY}` (results/service.external_values).
FIGURE_KEYS = {"on_time": "hotline_on_time", "resolution": "hotline_resolution",
               "satisfaction": "hotline_satisfaction"}


@dataclass(frozen=True)
class CheckedRow:
    check: OrderCheck
    order: WorkOrder
    facts: CheckedOrder
    problems: tuple[str, ...]


def period_end(campaign: Campaign) -> datetime:
    raw = ((campaign.settings or {}).get("hotline") or {}).get("period_end")
    if raw:
        moment = datetime.fromisoformat(raw)
        return moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc)
    return campaign.closes_at


def options(campaign: Campaign) -> RateOptions:
    return RateOptions.from_settings(campaign.settings)


def entity_of(session: Session, scope: Scope) -> OrgUnit:
    """The county or city unit an account speaks for; NotInScope for anyone else."""
    unit_id = scope.county_id if scope.role == "county" else scope.unit_id if scope.role == "unit" else None
    unit = session.get(OrgUnit, unit_id) if unit_id is not None else None
    if unit is None or unit.kind not in ("county", "city_unit"):
        raise NotInScope()
    return unit


def checked_rows(session: Session, campaign: Campaign, unit_id: int | None = None) -> dict[int, list[CheckedRow]]:
    """entity -> its sampled orders with their check and appeals applied."""
    query = (select(OrderCheck, WorkOrder).join(WorkOrder, WorkOrder.id == OrderCheck.order_id)
             .where(OrderCheck.campaign_id == campaign.id).order_by(OrderCheck.draw_order))
    appeals = select(Appeal.check_id, Appeal.rate).join(OrderCheck, OrderCheck.id == Appeal.check_id).where(
        OrderCheck.campaign_id == campaign.id, Appeal.status == "approved")
    if unit_id is not None:
        query = query.where(OrderCheck.org_unit_id == unit_id)
        appeals = appeals.where(OrderCheck.org_unit_id == unit_id)
    removed: dict[int, set[str]] = defaultdict(set)
    for check_id, rate in session.execute(appeals):
        removed[check_id].add(rate)
    end = period_end(campaign)
    out: dict[int, list[CheckedRow]] = defaultdict(list)
    for check, order in session.execute(query):
        facts = CheckedOrder(order.deadline_at, order.extended_deadline_at, order.closed_at, check.reached,
                             check.perceived_on_time, check.resolution, check.satisfaction,
                             frozenset(removed.get(check.id, ())))
        out[check.org_unit_id].append(CheckedRow(check, order, facts,
                                                 tuple(problems(facts, end, check.contact == DENIED))))
    return out


def rates_by_entity(session: Session, campaign: Campaign, unit_id: int | None = None) -> dict[int, EntityRates]:
    end, opts = period_end(campaign), options(campaign)
    return {entity: entity_rates([r.facts for r in rows], end, opts)
            for entity, rows in checked_rows(session, campaign, unit_id).items()}


def figures(session: Session, campaign_id: int) -> dict[int, dict[str, dict]]:
    """entity -> the three scored rates as external figures from their counts (never a typed rate)."""
    campaign = session.get(Campaign, campaign_id)
    if campaign is None:
        return {}
    out: dict[int, dict[str, dict]] = {}
    partial = options(campaign).partial_weight
    for entity, r in rates_by_entity(session, campaign).items():
        values = {}
        if r.due:
            values[FIGURE_KEYS["on_time"]] = {"numerator": str(r.on_time), "denominator": str(r.due)}
        if r.resolution_n:
            resolved = r.resolution_counts.get("已解决", 0) + partial * r.resolution_counts.get("部分解决", 0)
            values[FIGURE_KEYS["resolution"]] = {"numerator": as_text(resolved), "denominator": str(r.resolution_n)}
        if r.satisfaction_rate is not None:
            values[FIGURE_KEYS["satisfaction"]] = {"numerator": as_text(r.satisfaction_rate * r.satisfaction_n / 100),
                                                   "denominator": str(r.satisfaction_n)}
        if values:
            out[entity] = values
    return out
