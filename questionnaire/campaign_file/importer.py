"""Import a campaign file (YAML or JSON): org tree, campaign, questionnaires, entry points.

Validation collects every problem with its path before anything is written;
the import itself is one transaction and is idempotent (units by code, the
campaign by slug, questionnaires by key), so it can be re-run after edits.
The file spans org, campaigns and the QR channel's entry points, so its import is
a package above all three rather than part of campaigns.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import yaml
from sqlalchemy import select
from sqlalchemy.orm import Session

from questionnaire.campaigns import answer_scope
from questionnaire.campaigns.definition import DefinitionError, definition_to_data, parse_definition
from questionnaire.campaigns.models import Campaign, Questionnaire, UnitTarget
from questionnaire.channels.leader.campaign_settings import SETTINGS_KEY as LEADER_KEY
from questionnaire.channels.leader.campaign_settings import validate_section as validate_leader_section
from questionnaire.channels.qr.entry_points import RULES, create_entry_points, pairs_for_rule
from questionnaire.intake.models import Response
from questionnaire.org.models import OrgUnit
from questionnaire.results.scheme import KINDS as SCORED_KINDS
from questionnaire.results.scheme import parse_scheme
from questionnaire.results.service import SchemeRefused, add_scheme_version, check_scheme
from questionnaire.results.tree import leaves

ROUNDS = ("mid_year", "year_end", "annual")


class CampaignFileError(ValueError):
    def __init__(self, problems: list[str]):
        super().__init__("\n".join(problems))
        self.problems = problems


@dataclass
class ImportSummary:
    campaign_id: int
    units_created: int = 0
    questionnaires: list[str] = field(default_factory=list)
    entry_points_created: int = 0
    scheme_versions: list[str] = field(default_factory=list)  # "county v2" for each version added


def read_campaign_file(path: str | Path) -> Any:
    text = Path(path).read_text(encoding="utf-8")
    try:
        return yaml.safe_load(text)  # JSON is valid YAML
    except yaml.YAMLError as exc:
        raise CampaignFileError([f"文件格式错误：{exc}"]) from exc


def _datetime(raw: Any, path: str, problems: list[str]) -> datetime | None:
    if isinstance(raw, str):
        try:
            raw = datetime.fromisoformat(raw)
        except ValueError:
            problems.append(f"{path}: 不是有效的时间（ISO 8601，例如 2026-05-01T00:00:00+08:00）")
            return None
    if not isinstance(raw, datetime):
        problems.append(f"{path}: 必须是带时区的时间")
        return None
    if raw.tzinfo is None:
        problems.append(f"{path}: 必须写明时区（例如 +08:00）")
        return None
    return raw.astimezone(timezone.utc)


def _unit(raw: Any, path: str, problems: list[str]) -> dict | None:
    if (not isinstance(raw, Mapping) or not isinstance(raw.get("code"), (str, int))
            or not isinstance(raw.get("name"), str)):
        problems.append(f"{path}: 需要 code 和 name")
        return None
    target = raw.get("target_responses")
    if target is not None and (not isinstance(target, int) or isinstance(target, bool) or target <= 0):
        problems.append(f"{path}.target_responses: 必须是正整数（不设目标时省略）")
        target = None
    return {"code": str(raw["code"]), "name": raw["name"].strip(), "target_responses": target}


def validate_campaign_doc(doc: Any) -> dict:
    """Return a normalised document or raise CampaignFileError with every problem."""
    problems: list[str] = []
    if not isinstance(doc, Mapping):
        raise CampaignFileError(["文件顶层必须是一个对象"])
    c = doc.get("campaign")
    campaign: dict = {}
    if not isinstance(c, Mapping):
        problems.append("campaign: 缺少活动信息")
    else:
        for key in ("slug", "title"):
            if not isinstance(c.get(key), str) or not c[key].strip():
                problems.append(f"campaign.{key}: 必填文本")
        if not isinstance(c.get("year"), int):
            problems.append("campaign.year: 必须是年份整数")
        if c.get("round", "annual") not in ROUNDS:
            problems.append(f"campaign.round: 必须是 {'/'.join(ROUNDS)} 之一")
        target = c.get("target_responses", 0)
        if not isinstance(target, int) or target < 0:
            problems.append("campaign.target_responses: 必须是非负整数")
        opens = _datetime(c.get("opens_at"), "campaign.opens_at", problems)
        closes = _datetime(c.get("closes_at"), "campaign.closes_at", problems)
        if opens and closes and closes <= opens:
            problems.append("campaign.closes_at: 必须晚于 opens_at")
        settings = c.get("settings", {})
        if not isinstance(settings, Mapping):
            problems.append("campaign.settings: 必须是对象")
            settings = {}
        scope = c.get("answer_scope", answer_scope.DEFAULT)
        if scope not in answer_scope.SCOPES:
            problems.append(f"campaign.answer_scope: 必须是 {'/'.join(answer_scope.SCOPES)} 之一"
                            "（每次评议一次 / 每份问卷一次 / 每个评价对象一次）")
        contact = {}
        for key, limit in (("organizer", 200), ("hotline", 40)):
            value = c.get(key, "")
            if isinstance(value, int) and not isinstance(value, bool):
                value = str(value)  # a phone number written without quotes
            if not isinstance(value, str) or len(value.strip()) > limit:
                problems.append(f"campaign.{key}: 必须是不超过 {limit} 字的文本")
                value = ""
            contact[key] = value.strip()
        campaign = {**c, "opens_at": opens, "closes_at": closes, "settings": dict(settings),
                    "round": c.get("round", "annual"), "target_responses": target,
                    "answer_scope": scope, **contact}

    org = doc.get("org") or {}
    city = _unit(org.get("city"), "org.city", problems) if isinstance(org, Mapping) else None
    counties = []
    for i, raw in enumerate(org.get("counties") or [] if isinstance(org, Mapping) else []):
        county = _unit(raw, f"org.counties[{i}]", problems)
        if county is None:
            continue
        county["townships"] = []
        for j, t in enumerate(raw.get("townships") or []):
            if isinstance(t, str):
                t = {"code": f"{county['code']}-{j + 1:03d}", "name": t}
            township = _unit(t, f"org.counties[{i}].townships[{j}]", problems)
            if township:
                county["townships"].append(township)
        counties.append(county)
    city_units = []
    for i, raw in enumerate(org.get("city_units") or [] if isinstance(org, Mapping) else []):
        if isinstance(raw, str):
            raw = {"code": f"u{i + 1:03d}", "name": raw}
        unit = _unit(raw, f"org.city_units[{i}]", problems)
        if unit:
            city_units.append(unit)
    codes = [u["code"] for u in counties + city_units] + [t["code"] for c in counties for t in c["townships"]]
    dupes = sorted({x for x in codes if codes.count(x) > 1})
    if dupes:
        problems.append(f"org: 单位编码重复：{', '.join(dupes[:10])}")

    questionnaires = []
    raw_qs = doc.get("questionnaires")
    if not isinstance(raw_qs, list) or not raw_qs:
        problems.append("questionnaires: 至少需要一份问卷")
        raw_qs = []
    for i, raw in enumerate(raw_qs):
        key = raw.get("key") if isinstance(raw, Mapping) else None
        if not isinstance(key, str) or not key:
            problems.append(f"questionnaires[{i}].key: 必填")
            continue
        try:
            defn = parse_definition({k: v for k, v in raw.items() if k != "key"}, f"questionnaires[{i}]")
        except DefinitionError as exc:
            problems.extend(exc.problems)
            continue
        questionnaires.append({"key": key, "definition": definition_to_data(defn)})
    keys = {q["key"] for q in questionnaires}

    entry_rules = []
    for i, raw in enumerate(doc.get("entry_points") or []):
        if not isinstance(raw, Mapping) or raw.get("for") not in RULES:
            problems.append(f"entry_points[{i}].for: 必须是 {'/'.join(RULES)} 之一")
            continue
        if raw.get("questionnaire") not in keys:
            problems.append(f"entry_points[{i}].questionnaire: 未定义的问卷 {raw.get('questionnaire')!r}")
            continue
        entry_rules.append({"for": raw["for"], "questionnaire": raw["questionnaire"]})

    rating_ids = {question["id"] for q in questionnaires for question in q["definition"]["questions"]
                  if question["type"] == "rating"}
    scoring = _scoring(doc.get("scoring"), rating_ids, problems)
    leader = validate_leader_section(doc.get("leader"), keys, problems)
    if leader is not None and campaign:
        campaign["settings"][LEADER_KEY] = leader

    if problems:
        raise CampaignFileError(problems)
    return {"campaign": campaign, "city": city, "counties": counties, "city_units": city_units,
            "questionnaires": questionnaires, "entry_points": entry_rules, "scoring": scoring}


def _scoring(raw: Any, rating_ids: set[str], problems: list[str]) -> dict:
    """The optional scoring schemes per evaluated kind (results/scheme.py), each validated whole."""
    if raw is None:
        return {}
    if not isinstance(raw, Mapping):
        problems.append(f"scoring: 必须按被评价对象类型（{'/'.join(SCORED_KINDS)}）给出计分方案")
        return {}
    schemes = {}
    for kind, scheme in raw.items():
        if kind not in SCORED_KINDS:
            problems.append(f"scoring.{kind}: 被评价对象类型必须是 {'/'.join(SCORED_KINDS)} 之一")
            continue
        try:
            check_scheme(kind, scheme)
        except SchemeRefused as exc:
            problems.extend(exc.problems)
            continue
        for node in leaves(parse_scheme(kind, scheme).tree):
            if node.input is not None and node.input.question and node.input.question not in rating_ids:
                problems.append(f"scoring.{kind}.tree: 指标「{node.name}」引用的题目 {node.input.question} "
                                "不是本活动问卷中的评分题")
        schemes[kind] = scheme
    return schemes


def _set_unit_targets(session: Session, campaign_id: int, spec: dict, units: dict[str, OrgUnit]) -> None:
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


def import_campaign(session: Session, doc: Any) -> ImportSummary:
    """Validate and import in one transaction (this service commits)."""
    spec = validate_campaign_doc(doc)
    summary = ImportSummary(campaign_id=0)
    units = {u.code: u for u in session.scalars(select(OrgUnit))}

    def upsert(code, name, kind, parent, order):
        unit = units.get(code)
        if unit is None:
            unit = OrgUnit(code=code, kind=kind)
            session.add(unit)
            units[code] = unit
            summary.units_created += 1
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

    c = spec["campaign"]
    campaign = session.scalar(select(Campaign).where(Campaign.slug == c["slug"]))
    if campaign is None:
        campaign = Campaign(slug=c["slug"])
        session.add(campaign)
    campaign.title, campaign.year, campaign.round = c["title"].strip(), c["year"], c["round"]
    campaign.target_responses = c["target_responses"]
    campaign.opens_at, campaign.closes_at, campaign.settings = c["opens_at"], c["closes_at"], c["settings"]
    campaign.organizer, campaign.hotline = c["organizer"], c["hotline"]
    if campaign.id is not None and campaign.answer_scope != c["answer_scope"] and session.scalar(
            select(Response.id).where(Response.campaign_id == campaign.id).limit(1)) is not None:
        # Stored participant keys were made under the old scope: changing it would let everyone
        # who answered answer again (or lock out those the new scope allows).
        session.rollback()
        raise CampaignFileError([f"campaign.answer_scope: 本次评议已有答卷，不能从 {campaign.answer_scope} "
                                 f"改为 {c['answer_scope']}"])
    campaign.answer_scope = c["answer_scope"]
    session.flush()
    summary.campaign_id = campaign.id
    _set_unit_targets(session, campaign.id, spec, units)

    by_key = {}
    for q in spec["questionnaires"]:
        existing = session.scalar(select(Questionnaire).where(
            Questionnaire.campaign_id == campaign.id, Questionnaire.key == q["key"]))
        if existing is None:
            existing = Questionnaire(campaign_id=campaign.id, key=q["key"], version=1,
                                     title=q["definition"]["title"], definition=q["definition"])
            session.add(existing)
        elif existing.definition != q["definition"]:
            # A changed questionnaire is a new version; stored answers keep the version they had.
            existing.version += 1
            existing.title, existing.definition = q["definition"]["title"], q["definition"]
        by_key[q["key"]] = existing
        summary.questionnaires.append(q["key"])
    session.flush()

    for rule in spec["entry_points"]:
        pairs = pairs_for_rule(session, rule["for"])
        summary.entry_points_created += len(
            create_entry_points(session, campaign.id, by_key[rule["questionnaire"]].id, pairs))
    for kind, scheme in spec["scoring"].items():
        # An unchanged scheme adds no version; a changed one after publication needs its `reason`.
        try:
            row, created = add_scheme_version(session, campaign.id, kind, scheme, str(scheme.get("reason") or ""),
                                              None)
        except SchemeRefused as exc:
            session.rollback()
            raise CampaignFileError([f"scoring.{kind}: {p}" for p in exc.problems]) from None
        if created:
            summary.scheme_versions.append(f"{kind} v{row.version}")
    session.commit()
    return summary
