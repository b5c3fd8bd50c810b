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

from questionnaire.campaign_file.org_section import validate_org_section
from questionnaire.campaign_file.org_tree import apply_org, set_unit_targets
from questionnaire.campaigns import answer_scope
from questionnaire.campaigns.definition import DefinitionError, definition_to_data, parse_definition
from questionnaire.campaigns.models import Campaign, Questionnaire
from questionnaire.channels.leader.campaign_settings import SETTINGS_KEY as LEADER_KEY
from questionnaire.channels.leader.campaign_settings import validate_section as validate_leader_section
from questionnaire.channels.qr.entry_points import RULES, create_entry_points, pairs_for_rule
from questionnaire.intake.models import Response
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


def validate_campaign_section(c: Any, problems: list[str]) -> dict:
    """The file's `campaign` section, normalised; every problem appended with its path.

    The office's campaign form (admin) checks its fields with this same function, so a
    browser and a file get the same messages."""
    campaign: dict = {}
    if not isinstance(c, Mapping):
        problems.append("campaign: 缺少活动信息")
        return campaign
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
    return campaign


def validate_campaign_doc(doc: Any) -> dict:
    """Return a normalised document or raise CampaignFileError with every problem."""
    problems: list[str] = []
    if not isinstance(doc, Mapping):
        raise CampaignFileError(["文件顶层必须是一个对象"])
    campaign = validate_campaign_section(doc.get("campaign"), problems)

    org = validate_org_section(doc.get("org"), problems)

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
    return {"campaign": campaign, **org,
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


def store_questionnaire(session: Session, campaign_id: int, key: str, definition: dict) -> Questionnaire:
    """Add a questionnaire or change it (caller commits): a changed one is a new version, and
    stored answers keep the version they were given under. The file import and the office's
    questionnaire editor both save through here."""
    existing = session.scalar(select(Questionnaire).where(
        Questionnaire.campaign_id == campaign_id, Questionnaire.key == key))
    if existing is None:
        existing = Questionnaire(campaign_id=campaign_id, key=key, version=1,
                                 title=definition["title"], definition=definition)
        session.add(existing)
    elif existing.definition != definition:
        existing.version += 1
        existing.title, existing.definition = definition["title"], definition
    return existing


def import_campaign(session: Session, doc: Any) -> ImportSummary:
    """Validate and import in one transaction (this service commits)."""
    spec = validate_campaign_doc(doc)
    summary = ImportSummary(campaign_id=0)
    units, summary.units_created = apply_org(session, spec)

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
    set_unit_targets(session, campaign.id, spec, units)

    by_key = {}
    for q in spec["questionnaires"]:
        by_key[q["key"]] = store_questionnaire(session, campaign.id, q["key"], q["definition"])
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
