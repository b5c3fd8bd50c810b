"""Create, change and copy a campaign from the office's form (these functions commit).

The fields are checked by the campaign file's own validation; a copy takes the earlier
campaign's questionnaires (as version 1), per-unit targets, settings, scoring schemes and
leader section, so last year's campaign is this year's starting point. Entry points and
accounts are made afterwards, on their own pages.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from questionnaire.accounts.service import add_event
from questionnaire.campaign_file.importer import CampaignFileError, validate_campaign_section
from questionnaire.campaigns.models import Campaign, Questionnaire, UnitTarget
from questionnaire.channels.leader.campaign_settings import SETTINGS_KEY as LEADER_KEY
from questionnaire.intake.models import Response
from questionnaire.kernel.errors import NotInScope
from questionnaire.results.scheme import KINDS as SCORED_KINDS
from questionnaire.results.service import add_scheme_version
from questionnaire.results.service import latest as latest_scheme


def _checked(session: Session, section: dict, campaign_id: int | None) -> dict:
    problems: list[str] = []
    spec = validate_campaign_section(section, problems)
    slug_owner = session.scalar(select(Campaign.id).where(Campaign.slug == section.get("slug")))
    if slug_owner is not None and slug_owner != campaign_id:
        problems.append(f"campaign.slug: 活动标识 {section['slug']} 已被另一次评议使用")
    if problems:
        raise CampaignFileError(problems)
    return spec


def _apply(campaign: Campaign, spec: dict) -> None:
    campaign.slug, campaign.title, campaign.year, campaign.round = (
        spec["slug"].strip(), spec["title"].strip(), spec["year"], spec["round"])
    campaign.target_responses = spec["target_responses"]
    campaign.opens_at, campaign.closes_at = spec["opens_at"], spec["closes_at"]
    campaign.organizer, campaign.hotline = spec["organizer"], spec["hotline"]
    campaign.answer_scope = spec["answer_scope"]


def create_campaign(session: Session, section: dict, user_id: int, ip_hash: str | None,
                    copy_from: int | None = None) -> Campaign:
    source = None
    if copy_from is not None:
        source = session.get(Campaign, copy_from)
        if source is None:
            raise NotInScope()
        section = {**section, "settings": dict(source.settings or {})}
    spec = _checked(session, section, None)
    campaign = Campaign(settings=spec["settings"])
    _apply(campaign, spec)
    session.add(campaign)
    session.flush()
    if source is not None:
        _copy_contents(session, source, campaign, user_id)
    add_event(session, user_id, "create_campaign", f"campaign:{campaign.id}",
              {"slug": campaign.slug, "copied_from": copy_from}, ip_hash)
    session.commit()
    return campaign


def _copy_contents(session: Session, source: Campaign, campaign: Campaign, user_id: int) -> None:
    for q in session.scalars(select(Questionnaire).where(Questionnaire.campaign_id == source.id)
                             .order_by(Questionnaire.id)):
        session.add(Questionnaire(campaign_id=campaign.id, key=q.key, version=1, title=q.title,
                                  definition=q.definition))
    for t in session.scalars(select(UnitTarget).where(UnitTarget.campaign_id == source.id)):
        session.add(UnitTarget(campaign_id=campaign.id, unit_id=t.unit_id, target=t.target))
    for kind in SCORED_KINDS:
        scheme = latest_scheme(session, source.id, kind)
        if scheme is not None:
            add_scheme_version(session, campaign.id, kind, scheme.scheme, f"复制自 {source.title}", user_id)
    if LEADER_KEY in (source.settings or {}):
        campaign.settings = dict(source.settings)  # the leader section names questionnaire keys, copied too


def update_campaign(session: Session, campaign_id: int, section: dict, user_id: int, ip_hash: str | None) -> Campaign:
    campaign = session.get(Campaign, campaign_id)
    if campaign is None:
        raise NotInScope()
    spec = _checked(session, {**section, "settings": dict(campaign.settings or {})}, campaign_id)
    if spec["answer_scope"] != campaign.answer_scope and session.scalar(
            select(Response.id).where(Response.campaign_id == campaign_id).limit(1)) is not None:
        # The import's rule: participant keys already stored were made under the old scope.
        raise CampaignFileError([f"campaign.answer_scope: 本次评议已有答卷，不能从 {campaign.answer_scope} "
                                 f"改为 {spec['answer_scope']}"])
    _apply(campaign, spec)
    add_event(session, user_id, "update_campaign", f"campaign:{campaign.id}", {"slug": campaign.slug}, ip_hash)
    session.commit()
    return campaign
