"""Demo data for the results page (`./dev run`): office-entered figures.

The channels' own demo seeds supply the answers (QR synthetic answers, leader ratings through
the leader channel); the results page also needs a few office-entered figures (rectification
counts, overdue work orders), with a source that says they are demo data. Idempotent.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from questionnaire.org.models import OrgUnit
from questionnaire.results.models import ExternalValue

# (on-time closed, assigned) rectification items and overdue work orders for the first counties.
DEMO_FIGURES = ((541, 625, 3), (118, 120, 0), (60, 75, 1), (88, 90, 12))
DEMO_SOURCE = "演示数据（非真实台账）"


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
