"""Campaigns as the office pages list and open them."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from questionnaire.campaigns.models import Campaign
from questionnaire.kernel.errors import NotInScope


def campaigns(session: Session) -> list[Campaign]:
    return list(session.scalars(select(Campaign).order_by(Campaign.opens_at.desc(), Campaign.id.desc())))


def get_campaign(session: Session, campaign_id: int) -> Campaign:
    campaign = session.get(Campaign, campaign_id)
    if campaign is None:
        raise NotInScope()
    return campaign
