"""Demo data for the results page (`./dev run`): leader-evaluation points and external figures.

Leader evaluation has no intake of its own in the demo, so the demo adds `leader` collection
points (the heads of three city units rating each county) for the synthetic answers to reach,
and a few office-entered figures (rectification counts, overdue work orders) with a source that
says they are demo data. Both are idempotent.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from questionnaire.campaigns.models import Questionnaire
from questionnaire.intake.models import CollectionPoint
from questionnaire.org.models import OrgUnit
from questionnaire.results.models import ExternalValue

LEADER_RATERS = 3
# (on-time closed, assigned) rectification items and overdue work orders for the first counties.
DEMO_FIGURES = ((541, 625, 3), (118, 120, 0), (60, 75, 1), (88, 90, 12))
DEMO_SOURCE = "演示数据（非真实台账）"


def add_leader_points(session: Session, campaign_id: int) -> int:
    """Leader-evaluation points rating every county, collected at the first city units (commits)."""
    questionnaire_id = session.scalar(select(Questionnaire.id).where(
        Questionnaire.campaign_id == campaign_id, Questionnaire.key == "county"))
    raters = session.scalars(select(OrgUnit.id).where(OrgUnit.kind == "city_unit")
                             .order_by(OrgUnit.sort_order).limit(LEADER_RATERS)).all()
    if questionnaire_id is None:
        return 0
    existing = set(session.execute(select(CollectionPoint.evaluated_unit_id, CollectionPoint.collected_unit_id).where(
        CollectionPoint.campaign_id == campaign_id, CollectionPoint.channel == "leader")).all())
    added = 0
    for county_id in session.scalars(select(OrgUnit.id).where(OrgUnit.kind == "county")):
        for rater_id in raters:
            if (county_id, rater_id) not in existing:
                session.add(CollectionPoint(channel="leader", code=None, campaign_id=campaign_id,
                                            questionnaire_id=questionnaire_id, evaluated_unit_id=county_id,
                                            collected_unit_id=rater_id))
                added += 1
    session.commit()
    return added


def add_external_figures(session: Session, campaign_id: int) -> int:
    """Rectification counts and overdue orders for the first counties, unless any figure exists (commits)."""
    if session.scalar(select(ExternalValue.id).where(ExternalValue.campaign_id == campaign_id).limit(1)):
        return 0
    counties = session.scalars(select(OrgUnit.id).where(OrgUnit.kind == "county")
                               .order_by(OrgUnit.sort_order).limit(len(DEMO_FIGURES))).all()
    for county_id, (closed, assigned, overdue) in zip(counties, DEMO_FIGURES, strict=False):
        session.add(ExternalValue(campaign_id=campaign_id, unit_id=county_id, key="rectification_on_time",
                                  value={"numerator": str(closed), "denominator": str(assigned)}, source=DEMO_SOURCE))
        session.add(ExternalValue(campaign_id=campaign_id, unit_id=county_id, key="overdue_orders",
                                  value={"count": overdue}, source=DEMO_SOURCE))
    session.commit()
    return len(counties)
