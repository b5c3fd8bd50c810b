"""Questionnaires edited in the browser: check, save (a new version once answers exist), preview.

Saving goes through the campaign file's `store_questionnaire`, so the editor and the file import
version a changed questionnaire the same way; the checks are `parse_definition`'s, with the
file's messages.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from questionnaire.accounts.service import add_event
from questionnaire.admin.editor_form import valid_key
from questionnaire.campaign_file.importer import store_questionnaire
from questionnaire.campaigns.definition import (
    Definition,
    DefinitionError,
    definition_to_data,
    parse_definition,
)
from questionnaire.campaigns.models import Campaign, Questionnaire
from questionnaire.intake.channels import QR
from questionnaire.intake.models import Response
from questionnaire.intake.points import ResolvedEntry
from questionnaire.kernel.errors import NotInScope, ServiceError
from questionnaire.org.models import OrgUnit

PREVIEW_CODE = "preview"


class NewVersionNotConfirmed(ServiceError):
    status, code, message = 409, "confirm_new_version", "该问卷已有答卷，保存将生成新版本，请勾选确认后再保存"


class BadQuestionnaireKey(ServiceError):
    status, code, message = 422, "bad_key", "问卷标识必须是小写字母开头的英文标识（a-z、0-9、_，最多 32 位）"


@dataclass(frozen=True)
class QuestionnaireSummary:
    id: int
    key: str
    title: str
    version: int
    questions: int
    answers: int


def answers_of(session: Session, questionnaire_id: int) -> int:
    return session.scalar(select(func.count()).select_from(Response)
                          .where(Response.questionnaire_id == questionnaire_id)) or 0


def summaries(session: Session, campaign_id: int) -> list[QuestionnaireSummary]:
    counts = dict(session.execute(select(Response.questionnaire_id, func.count())
                                  .where(Response.campaign_id == campaign_id)
                                  .group_by(Response.questionnaire_id)).all())
    return [QuestionnaireSummary(q.id, q.key, q.title, q.version, len(q.definition["questions"]), counts.get(q.id, 0))
            for q in session.scalars(select(Questionnaire).where(Questionnaire.campaign_id == campaign_id)
                                     .order_by(Questionnaire.id))]


def find(session: Session, campaign_id: int, key: str) -> Questionnaire | None:
    return session.scalar(select(Questionnaire).where(Questionnaire.campaign_id == campaign_id,
                                                      Questionnaire.key == key))


def check(raw: dict) -> Definition:
    """Raise DefinitionError with the file import's messages (path `questionnaire...`)."""
    return parse_definition(raw, "questionnaire")


def save(session: Session, campaign_id: int, key: str, raw: dict, confirmed: bool, user_id: int,
         ip_hash: str | None) -> tuple[Questionnaire, bool]:
    """(the questionnaire, whether a new version was made); commits with its audit event."""
    if session.get(Campaign, campaign_id) is None:
        raise NotInScope()
    if not valid_key(key):
        raise BadQuestionnaireKey()
    data = definition_to_data(check(raw))
    existing = find(session, campaign_id, key)
    before = existing.version if existing is not None else 0
    if existing is not None and existing.definition != data and answers_of(session, existing.id) and not confirmed:
        raise NewVersionNotConfirmed()
    row = store_questionnaire(session, campaign_id, key, data)
    session.flush()
    new_version = before and row.version != before
    add_event(session, user_id, "save_questionnaire", f"campaign:{campaign_id}:{key}",
              {"version": row.version, "new_version": bool(new_version)}, ip_hash)
    session.commit()
    return row, bool(new_version)


def preview_entry(session: Session, campaign_id: int, definition: Definition) -> ResolvedEntry:
    """What the resident page needs to draw `definition` as a county's entry would show it."""
    campaign = session.get(Campaign, campaign_id)
    if campaign is None:
        raise NotInScope()
    county = session.scalar(select(OrgUnit).where(OrgUnit.kind == "county").order_by(OrgUnit.sort_order).limit(1))
    name = county.name if county is not None else "示例县区"
    return ResolvedEntry(
        entry_id=0, channel=QR, code=PREVIEW_CODE, is_enabled=True, campaign_id=campaign.id,
        campaign_title=campaign.title, opens_at=campaign.opens_at, closes_at=campaign.closes_at,
        questionnaire_id=0, questionnaire_version=0, definition=definition, evaluated_unit_id=0,
        evaluated_unit_name=name, collected_unit_id=0, poster_unit_name=name,
        answer_scope=campaign.answer_scope, organizer=campaign.organizer or "", hotline=campaign.hotline or "")


__all__ = ["DefinitionError", "NewVersionNotConfirmed", "check", "preview_entry", "save", "summaries"]
