"""Resolve an entry code to everything the survey page and the submit path need.

Resolved entries are cached per process for a few seconds: the survey hot path
then costs no query for the campaign, questionnaire and units. A disabled code
takes effect within ENTRY_CACHE_SECONDS. A miss loads every entry point of the
code's campaign in one query: with hundreds of codes answered at once, a cache
refreshed code by code would cost one query per code every few seconds per
worker (measured: at 40 submissions/s, nearly one lookup per submission).
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field
from datetime import datetime, timezone

from sqlalchemy import select
from sqlalchemy.orm import Session

from questionnaire.campaigns import answer_scope, schedule
from questionnaire.campaigns.definition import Definition, definition_from_data
from questionnaire.campaigns.models import Campaign, Questionnaire
from questionnaire.campaigns.service import load_questionnaires
from questionnaire.intake.codes import looks_like_entry_code
from questionnaire.intake.models import CollectionPoint
from questionnaire.kernel.errors import CampaignClosed, CampaignNotOpen, EntryDisabled, EntryNotFound
from questionnaire.org.models import OrgUnit


@dataclass(frozen=True)
class ResolvedEntry:
    entry_id: int
    channel: str
    code: str
    is_enabled: bool
    campaign_id: int
    campaign_title: str
    opens_at: datetime
    closes_at: datetime
    questionnaire_id: int
    questionnaire_version: int
    definition: Definition
    evaluated_unit_id: int
    evaluated_unit_name: str
    collected_unit_id: int
    poster_unit_name: str
    answer_scope: str = answer_scope.CAMPAIGN
    organizer: str = ""
    hotline: str = ""
    # What a channel derives from this entry alone (the rendered thank-you page): it lives as
    # long as this object, which the catalog keeps across reloads while the entry is unchanged.
    memo: dict = field(default_factory=dict, compare=False, hash=False, repr=False)

    @property
    def participant_scope(self) -> str:
        """What one answer through this point is about, for the participant key."""
        return answer_scope.scope_key(self.answer_scope, self.questionnaire_id, self.evaluated_unit_id)

    def status_at(self, now: datetime) -> str:
        return schedule.status_at(self.opens_at, self.closes_at, now)

    def ensure_open(self, now: datetime) -> None:
        if not self.is_enabled:
            raise EntryDisabled()
        status = self.status_at(now)
        if status == schedule.NOT_OPEN:
            raise CampaignNotOpen(opens_at=self.opens_at)
        if status == schedule.CLOSED:
            raise CampaignClosed()


class EntryCatalog:
    """A small TTL cache in front of the entry lookup (thread-safe, per process)."""

    def __init__(self, ttl_seconds: float):
        self.ttl = ttl_seconds
        self._items: dict[str, tuple[float, ResolvedEntry | None]] = {}
        self._lock = threading.Lock()

    def clear(self) -> None:
        with self._lock:
            self._items.clear()

    def resolve(self, session: Session, code: str) -> ResolvedEntry:
        """Return the entry or raise EntryNotFound (unknown codes are cached too)."""
        code = (code or "").strip().lower()
        if not looks_like_entry_code(code):
            raise EntryNotFound()
        now = time.monotonic()
        if self.ttl > 0:
            hit = self._items.get(code)
            if hit is not None and hit[0] > now:
                if hit[1] is None:
                    raise EntryNotFound()
                return hit[1]
        if self.ttl <= 0:
            entry = load_entry(session, code)
            if entry is None:
                raise EntryNotFound()
            return entry
        siblings = load_campaign_entries(session, code)
        entry = siblings.get(code)
        with self._lock:
            if len(self._items) + len(siblings) > 50_000:  # bounded: codes are few, junk lookups are not
                self._items.clear()
            expires = now + self.ttl
            for sibling_code, sibling in siblings.items():
                kept = self._items.get(sibling_code)
                if kept is not None and kept[1] == sibling:
                    sibling = kept[1]  # unchanged: keep the object, and with it its memo
                self._items[sibling_code] = (expires, sibling)
            entry = self._items[code][1] if code in siblings else None
            self._items[code] = (expires, entry)
        if entry is None:
            raise EntryNotFound()
        return entry


def _entry_select(*extra):
    evaluated = OrgUnit.__table__.alias("evaluated")
    poster = OrgUnit.__table__.alias("poster")
    return (
        select(
            CollectionPoint.id, CollectionPoint.channel, CollectionPoint.code, CollectionPoint.is_enabled,
            Campaign.id.label("campaign_id"), Campaign.title, Campaign.opens_at, Campaign.closes_at,
            Campaign.answer_scope, Campaign.organizer, Campaign.hotline,
            Questionnaire.id.label("questionnaire_id"), Questionnaire.version, *extra,
            evaluated.c.id.label("evaluated_id"), evaluated.c.name.label("evaluated_name"),
            poster.c.id.label("poster_id"), poster.c.name.label("poster_name"),
        )
        .join(Campaign, Campaign.id == CollectionPoint.campaign_id)
        .join(Questionnaire, Questionnaire.id == CollectionPoint.questionnaire_id)
        .join(evaluated, evaluated.c.id == CollectionPoint.evaluated_unit_id)
        .join(poster, poster.c.id == CollectionPoint.collected_unit_id)
    )


def load_entry(session: Session, code: str) -> ResolvedEntry | None:
    row = session.execute(_entry_select(Questionnaire.definition).where(CollectionPoint.code == code)).one_or_none()
    return None if row is None else _resolved(row, definition_from_data(row.definition))


def load_point(session: Session, point_id: int) -> ResolvedEntry | None:
    """A collection point by id: how channels without a public code (leader invitations, phone
    cases, hotline callbacks) resolve the point they submit through."""
    row = session.execute(_entry_select(Questionnaire.definition).where(CollectionPoint.id == point_id)).one_or_none()
    return None if row is None else _resolved(row, definition_from_data(row.definition))


def load_campaign_entries(session: Session, code: str) -> dict[str, ResolvedEntry]:
    """Every entry point of the campaign `code` belongs to (empty when the code is unknown)."""
    campaign_id = session.execute(select(CollectionPoint.campaign_id).where(CollectionPoint.code == code)).scalar()
    if campaign_id is None:
        return {}
    # Definitions once per questionnaire (a campaign has a few, and thousands of codes).
    definitions = {(qn.id, qn.version): qn.definition for qn in load_questionnaires(session, campaign_id).values()}
    entries = {}
    for row in session.execute(_entry_select().where(CollectionPoint.campaign_id == campaign_id)):
        definition = definitions.get((row.questionnaire_id, row.version))
        if definition is not None:  # else edited between the two reads: left to the next miss
            entries[row.code] = _resolved(row, definition)
    if code not in entries:
        single = load_entry(session, code)
        if single is not None:
            entries[code] = single
    return entries


def _resolved(row, definition: Definition) -> ResolvedEntry:
    return ResolvedEntry(
        entry_id=row.id, channel=row.channel, code=row.code, is_enabled=row.is_enabled,
        campaign_id=row.campaign_id, campaign_title=row.title,
        opens_at=_aware(row.opens_at), closes_at=_aware(row.closes_at),
        questionnaire_id=row.questionnaire_id, questionnaire_version=row.version,
        definition=definition,
        evaluated_unit_id=row.evaluated_id, evaluated_unit_name=row.evaluated_name,
        collected_unit_id=row.poster_id, poster_unit_name=row.poster_name,
        answer_scope=row.answer_scope, organizer=row.organizer, hotline=row.hotline,
    )


def _aware(value: datetime) -> datetime:
    # Columns selected individually come back through the UTCDateTime type already.
    return value if value.tzinfo else value.replace(tzinfo=timezone.utc)
