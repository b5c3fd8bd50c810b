"""The organisation tree a validated `org` section describes (campaign_file.org_section): the
upsert of its units and the per-unit targets of a campaign.

One implementation for both: the file import and the Excel upload (admin) end up here.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from questionnaire.campaigns.models import UnitTarget
from questionnaire.org.models import OrgUnit


def apply_org(session: Session, spec: dict) -> tuple[dict[str, OrgUnit], int]:
    """Upsert the tree a validated spec describes (units by code; caller commits).

    Returns every unit by code and how many were created. Units the spec leaves out are kept:
    entry points, answers and accounts refer to them.
    """
    units = {u.code: u for u in session.scalars(select(OrgUnit))}
    created = 0

    def upsert(code, name, kind, parent, order):
        nonlocal created
        unit = units.get(code)
        if unit is None:
            unit = OrgUnit(code=code, kind=kind)
            session.add(unit)
            units[code] = unit
            created += 1
        unit.name, unit.parent, unit.sort_order = name, parent, order
        return unit

    city = upsert(spec["city"]["code"], spec["city"]["name"], "city", None, 0) if spec["city"] else None
    for i, c in enumerate(spec["counties"]):
        county = upsert(c["code"], c["name"], "county", city, i)
        session.flush()
        county.county_id = county.id
        for j, t in enumerate(c["townships"]):
            township = upsert(t["code"], t["name"], "township", county, j)
            township.county_id = county.id
    for i, u in enumerate(spec["city_units"]):
        upsert(u["code"], u["name"], "city_unit", city, i)
    session.flush()
    return units, created


def set_unit_targets(session: Session, campaign_id: int, spec: dict, units: dict[str, OrgUnit]) -> None:
    """Per-unit targets as the file states them now (a target left out of the file is removed)."""
    wanted = {}
    for c in spec["counties"]:
        for u in [c, *c["townships"]]:
            if u["target_responses"]:
                wanted[units[u["code"]].id] = u["target_responses"]
    for u in spec["city_units"]:
        if u["target_responses"]:
            wanted[units[u["code"]].id] = u["target_responses"]
    existing = {t.unit_id: t for t in session.scalars(select(UnitTarget).where(UnitTarget.campaign_id == campaign_id))}
    for unit_id, row in existing.items():
        if unit_id not in wanted:
            session.delete(row)
    for unit_id, target in wanted.items():
        if unit_id in existing:
            existing[unit_id].target = target
        else:
            session.add(UnitTarget(campaign_id=campaign_id, unit_id=unit_id, target=target))
