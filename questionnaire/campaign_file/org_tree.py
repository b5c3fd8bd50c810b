"""The organisation tree as campaign files and the office's tree upload state it: validation
of the `org` section, the upsert of its units and the per-unit targets of a campaign.

One implementation for both: the file import and the Excel upload (admin) end up here.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from questionnaire.campaigns.models import UnitTarget
from questionnaire.org.models import OrgUnit


def validate_unit(raw: Any, path: str, problems: list[str]) -> dict | None:
    if (not isinstance(raw, Mapping) or not isinstance(raw.get("code"), (str, int))
            or not isinstance(raw.get("name"), str)):
        problems.append(f"{path}: 需要 code 和 name")
        return None
    target = raw.get("target_responses")
    if target is not None and (not isinstance(target, int) or isinstance(target, bool) or target <= 0):
        problems.append(f"{path}.target_responses: 必须是正整数（不设目标时省略）")
        target = None
    return {"code": str(raw["code"]), "name": raw["name"].strip(), "target_responses": target}


def validate_org_section(org: Any, problems: list[str]) -> dict:
    """The file's `org` section (city, counties with townships, city units), normalised;
    problems appended with their paths. The tree upload (admin) checks its rows with it too."""
    org = org or {}
    city = validate_unit(org.get("city"), "org.city", problems) if isinstance(org, Mapping) else None
    counties = []
    for i, raw in enumerate(org.get("counties") or [] if isinstance(org, Mapping) else []):
        county = validate_unit(raw, f"org.counties[{i}]", problems)
        if county is None:
            continue
        county["townships"] = []
        for j, t in enumerate(raw.get("townships") or []):
            if isinstance(t, str):
                t = {"code": f"{county['code']}-{j + 1:03d}", "name": t}
            township = validate_unit(t, f"org.counties[{i}].townships[{j}]", problems)
            if township:
                county["townships"].append(township)
        counties.append(county)
    city_units = []
    for i, raw in enumerate(org.get("city_units") or [] if isinstance(org, Mapping) else []):
        if isinstance(raw, str):
            raw = {"code": f"u{i + 1:03d}", "name": raw}
        unit = validate_unit(raw, f"org.city_units[{i}]", problems)
        if unit:
            city_units.append(unit)
    codes = [u["code"] for u in counties + city_units] + [t["code"] for c in counties for t in c["townships"]]
    dupes = sorted({x for x in codes if codes.count(x) > 1})
    if dupes:
        problems.append(f"org: 单位编码重复：{', '.join(dupes[:10])}")

    return {"city": city, "counties": counties, "city_units": city_units}


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
