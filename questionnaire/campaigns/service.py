"""Campaigns as the office pages list and open them, and their questionnaires as every reader loads them."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import ColumnElement, and_, select
from sqlalchemy.orm import Session

from questionnaire.campaigns.definition import Definition, definition_from_data
from questionnaire.campaigns.models import Campaign, Questionnaire
from questionnaire.kernel.errors import NotInScope


@dataclass(frozen=True)
class LoadedQuestionnaire:
    id: int
    key: str
    title: str
    version: int
    definition: Definition


def campaigns(session: Session) -> list[Campaign]:
    return list(session.scalars(select(Campaign).order_by(Campaign.opens_at.desc(), Campaign.id.desc())))


def open_clause(now: datetime) -> ColumnElement[bool]:
    """Campaigns open at `now` as a SQL condition: the rule of campaigns.schedule.status_at."""
    return and_(Campaign.opens_at <= now, Campaign.closes_at > now)


def get_campaign(session: Session, campaign_id: int) -> Campaign:
    campaign = session.get(Campaign, campaign_id)
    if campaign is None:
        raise NotInScope()
    return campaign


def load_questionnaires(conn, campaign_id: int) -> dict[int, LoadedQuestionnaire]:
    """The campaign's questionnaires by id, in id order (conn: a Session or a Connection)."""
    return {
        row.id: LoadedQuestionnaire(row.id, row.key, row.title, row.version, definition_from_data(row.definition))
        for row in conn.execute(
            select(Questionnaire.id, Questionnaire.key, Questionnaire.title, Questionnaire.version,
                   Questionnaire.definition)
            .where(Questionnaire.campaign_id == campaign_id).order_by(Questionnaire.id))
    }


def load_definitions(conn, campaign_id: int) -> dict[int, Definition]:
    """Questionnaire id -> parsed definition, for every questionnaire of the campaign."""
    return {qn_id: qn.definition for qn_id, qn in load_questionnaires(conn, campaign_id).items()}
