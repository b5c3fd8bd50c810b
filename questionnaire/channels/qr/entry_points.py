"""Create entry points (QR codes) for a campaign. Callers own the transaction."""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import select
from sqlalchemy.orm import Session

from questionnaire.intake.channels import QR
from questionnaire.intake.codes import new_entry_code
from questionnaire.intake.models import CollectionPoint
from questionnaire.org.models import OrgUnit

# Which (evaluated unit, poster unit) pairs a rule stands for.
#   counties   -> one code per county, evaluating the county
#   townships  -> one code per township, evaluating its county (the township is where it hangs)
#   city_units -> one code per city unit, evaluating that unit
RULES = ("counties", "townships", "city_units")


def pairs_for_rule(session: Session, rule: str, within_county_id: int | None = None) -> list[tuple[int, int]]:
    if rule not in RULES:
        raise ValueError(f"unknown entry rule {rule!r}")
    kind = {"counties": "county", "townships": "township", "city_units": "city_unit"}[rule]
    query = select(OrgUnit).where(OrgUnit.kind == kind).order_by(OrgUnit.sort_order, OrgUnit.id)
    if within_county_id is not None:
        query = query.where(OrgUnit.county_id == within_county_id)
    units = session.scalars(query).all()
    if rule == "townships":
        return [(u.county_id, u.id) for u in units]
    return [(u.id, u.id) for u in units]


def create_entry_points(
    session: Session, campaign_id: int, questionnaire_id: int, pairs: Iterable[tuple[int, int]]
) -> list[CollectionPoint]:
    """Add the missing entry points for these (evaluated, poster) pairs; return the new ones."""
    existing = {
        (row.evaluated_unit_id, row.collected_unit_id)
        for row in session.execute(
            select(CollectionPoint.evaluated_unit_id, CollectionPoint.collected_unit_id).where(
                CollectionPoint.campaign_id == campaign_id, CollectionPoint.channel == QR,
                CollectionPoint.questionnaire_id == questionnaire_id,
            )
        )
    }
    used_codes = set(session.scalars(select(CollectionPoint.code).where(CollectionPoint.code.is_not(None))))
    created = []
    for evaluated_id, poster_id in pairs:
        if (evaluated_id, poster_id) in existing:
            continue
        code = new_entry_code()
        while code in used_codes:
            code = new_entry_code()
        used_codes.add(code)
        existing.add((evaluated_id, poster_id))
        ep = CollectionPoint(channel=QR, code=code, campaign_id=campaign_id, questionnaire_id=questionnaire_id,
                             evaluated_unit_id=evaluated_id, collected_unit_id=poster_id)
        session.add(ep)
        created.append(ep)
    session.flush()
    return created
