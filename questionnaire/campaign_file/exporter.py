"""The current state of a campaign as a campaign file (YAML or JSON), the import's inverse.

Exported: the campaign section (times in China time, `answer_scope`, 主办单位, 咨询电话, settings),
the organisation tree with this campaign's per-unit targets, every questionnaire at its current
version, the entry-point rules its QR codes follow, the current scoring scheme of each kind and
the `leader` section. Importing the file into an empty database gives the same campaign, and
importing it back into the same one changes nothing (tests/campaign_file/test_round_trip.py).
"""

from __future__ import annotations

import json
from typing import Any

import yaml
from sqlalchemy import select
from sqlalchemy.orm import Session

from questionnaire.campaigns.models import Campaign, Questionnaire, UnitTarget
from questionnaire.channels.leader.campaign_settings import SETTINGS_KEY as LEADER_KEY
from questionnaire.intake.channels import QR
from questionnaire.intake.models import CollectionPoint
from questionnaire.kernel.china_time import china_isoformat
from questionnaire.kernel.errors import NotInScope
from questionnaire.org.models import OrgUnit
from questionnaire.results.scheme import KINDS as SCORED_KINDS
from questionnaire.results.service import latest as latest_scheme

RULE_OF_KIND = {"county": "counties", "township": "townships", "city_unit": "city_units"}


def _question(q: dict) -> dict:
    """A stored (normalised) question written the way people write the file: no empty fields."""
    out: dict[str, Any] = {"id": q["id"], "type": q["type"], "title": q["title"], "required": q["required"]}
    if q.get("section"):
        out["section"] = q["section"]
    if q["type"] == "rating":
        out["scale"] = q["scale"]
        if not q.get("allow_dont_know", True):
            out["allow_dont_know"] = False
    elif q["type"] == "choice":
        out["options"] = [{"value": o["value"], "label": o["label"]} for o in q["options"]]
    else:
        out["max_length"] = q["max_length"]
    return out


def questionnaire_data(definition: dict) -> dict:
    """A questionnaire's stored definition as it is written in a file (title, intro, questions)."""
    out: dict[str, Any] = {"title": definition["title"]}
    if definition.get("intro"):
        out["intro"] = definition["intro"]
    out["questions"] = [_question(q) for q in definition["questions"]]
    return out


def _unit(unit: OrgUnit, targets: dict[int, int]) -> dict:
    out: dict[str, Any] = {"code": unit.code, "name": unit.name}
    if unit.id in targets:
        out["target_responses"] = targets[unit.id]
    return out


def export_campaign_doc(session: Session, campaign_id: int) -> dict:
    campaign = session.get(Campaign, campaign_id)
    if campaign is None:
        raise NotInScope()
    settings = {k: v for k, v in (campaign.settings or {}).items() if k != LEADER_KEY}
    doc: dict[str, Any] = {"campaign": {
        "slug": campaign.slug, "title": campaign.title, "year": campaign.year, "round": campaign.round,
        "target_responses": campaign.target_responses,
        "opens_at": china_isoformat(campaign.opens_at), "closes_at": china_isoformat(campaign.closes_at),
        "answer_scope": campaign.answer_scope, "organizer": campaign.organizer or "",
        "hotline": campaign.hotline or "", "settings": settings,
    }}
    targets = dict(session.execute(select(UnitTarget.unit_id, UnitTarget.target)
                                   .where(UnitTarget.campaign_id == campaign_id)).all())
    units = list(session.scalars(select(OrgUnit).order_by(OrgUnit.sort_order, OrgUnit.id)))
    city = next((u for u in units if u.kind == "city"), None)
    org: dict[str, Any] = {"city": _unit(city, targets)} if city else {}
    org["counties"] = [
        {**_unit(c, targets), "townships": [_unit(t, targets) for t in units
                                            if t.kind == "township" and t.county_id == c.id]}
        for c in units if c.kind == "county"]
    org["city_units"] = [_unit(u, targets) for u in units if u.kind == "city_unit"]
    doc["org"] = org
    questionnaires = list(session.scalars(select(Questionnaire).where(Questionnaire.campaign_id == campaign_id)
                                          .order_by(Questionnaire.id)))
    doc["questionnaires"] = [{"key": q.key, **questionnaire_data(q.definition)} for q in questionnaires]
    keys = {q.id: q.key for q in questionnaires}
    rules = session.execute(
        select(CollectionPoint.questionnaire_id, OrgUnit.kind).distinct()
        .join(OrgUnit, OrgUnit.id == CollectionPoint.collected_unit_id)
        .where(CollectionPoint.campaign_id == campaign_id, CollectionPoint.channel == QR)).all()
    doc["entry_points"] = sorted(
        ({"for": RULE_OF_KIND[kind], "questionnaire": keys[qn_id]} for qn_id, kind in rules if kind in RULE_OF_KIND),
        key=lambda r: (list(RULE_OF_KIND.values()).index(r["for"]), r["questionnaire"]))
    scoring = {}
    for kind in SCORED_KINDS:
        row = latest_scheme(session, campaign_id, kind)
        if row is not None:
            scoring[kind] = row.scheme
    if scoring:
        doc["scoring"] = scoring
    leader = (campaign.settings or {}).get(LEADER_KEY)
    if leader:
        doc["leader"] = dict(leader)
    return doc


def dump(doc: dict, fmt: str = "yaml") -> str:
    if fmt == "json":
        return json.dumps(doc, ensure_ascii=False, indent=2)
    return yaml.safe_dump(doc, allow_unicode=True, sort_keys=False, width=120)
