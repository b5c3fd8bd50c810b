"""Store a resident's answers exactly once per participant per campaign.

Order of truth:
1. Redis `SET NX` on the participant key is the fast path: a committed marker
   (`d:<submission_id>`) refuses a second answer without touching PostgreSQL.
2. The unique constraint (campaign_id, participant_hash) is the truth: the
   insert uses ON CONFLICT DO NOTHING, so concurrent double submits, a flushed
   Redis or a Redis outage can never store two answers for one person.
3. `submission_id` is the client's idempotency key: a retried submit returns
   the first receipt; the same key with different answers is refused.

A response is acknowledged only after its transaction commits.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from enum import Enum
from typing import Callable, Mapping

import redis
from sqlalchemy import select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Engine
from sqlalchemy.sql.expression import Executable
from sqlalchemy.exc import DBAPIError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout

from questionnaire.domain import keys
from questionnaire.domain.definition import AnswerError, answers_digest, validate_answers
from questionnaire.domain.identity import participant_hash as make_participant_hash
from questionnaire.models import Response
from questionnaire.services.entries import ResolvedEntry
from questionnaire.services.errors import IdempotencyConflict, InvalidAnswers, ServiceUnavailable

log = logging.getLogger(__name__)
responses = Response.__table__

# Built once with the values as parameters: SQLAlchemy compiles it once per dialect and then only
# binds the row (a statement carrying the values re-derives its cache key on every submit).
_INSERTS = {
    name: dialect.insert(responses).on_conflict_do_nothing().returning(responses.c.id)
    for name, dialect in (("postgresql", postgresql), ("sqlite", sqlite))
}

# Dedup markers outlive the campaign so a late duplicate is still refused fast.
MARKER_GRACE = timedelta(days=30)


class Outcome(str, Enum):
    ACCEPTED = "accepted"
    REPLAYED = "replayed"  # same submission_id again: same receipt, nothing new stored
    ALREADY_PARTICIPATED = "already_participated"


@dataclass(frozen=True)
class Participant:
    kind: str  # wechat / device
    identity: str  # openid or device id (never stored; only its HMAC is)


@dataclass(frozen=True)
class Submission:
    participant: Participant
    submission_id: str
    answers: Mapping
    duration_seconds: int | None = None
    ip_hash: str | None = None
    user_agent_class: str | None = None


@dataclass(frozen=True)
class Receipt:
    outcome: Outcome
    response_id: int | None
    submission_id: str | None
    created_at: datetime | None

    @property
    def receipt_no(self) -> str:
        return (self.submission_id or "").replace("-", "")[:10].upper()


@dataclass
class SubmissionStore:
    """Everything the submit path needs, so it runs the same from a view, a test or a bench."""

    engine: Engine
    redis: redis.Redis
    hmac_key: str
    on_accepted: Callable[[ResolvedEntry, int], None] | None = None

    def participant_hash(self, entry: ResolvedEntry, participant: Participant) -> str:
        return make_participant_hash(self.hmac_key, entry.campaign_id, participant.kind, participant.identity)

    def submit(self, entry: ResolvedEntry, sub: Submission, now: datetime | None = None) -> Receipt:
        now = now or datetime.now(timezone.utc)
        entry.ensure_open(now)
        try:
            answers = validate_answers(entry.definition, sub.answers)
        except AnswerError as exc:
            raise InvalidAnswers(fields=exc.fields) from None
        digest = answers_digest(answers)
        phash = self.participant_hash(entry, sub.participant)
        marker_key = keys.participant(entry.campaign_id, phash)

        fast = self._claim(marker_key, sub.submission_id, entry.closes_at + MARKER_GRACE - now)
        if fast is not None and fast.startswith("d:") and fast[2:] != sub.submission_id:
            return Receipt(Outcome.ALREADY_PARTICIPATED, None, None, None)

        row = {
            "campaign_id": entry.campaign_id,
            "questionnaire_id": entry.questionnaire_id,
            "questionnaire_version": entry.questionnaire_version,
            "entry_point_id": entry.entry_id,
            "evaluated_unit_id": entry.evaluated_unit_id,
            "poster_unit_id": entry.poster_unit_id,
            "participant_hash": phash,
            "identity_kind": sub.participant.kind,
            "submission_id": sub.submission_id,
            "answers": answers,
            "answers_digest": digest,
            "duration_seconds": sub.duration_seconds,
            "ip_hash": sub.ip_hash,
            "user_agent_class": sub.user_agent_class,
            "created_at": now,
        }
        try:
            with self.engine.begin() as conn:
                inserted = conn.execute(self._insert(), row).first()
                if inserted is None:
                    receipt, holder = self._explain_conflict(conn, entry, phash, sub.submission_id, digest)
        except (DBAPIError, PoolTimeout) as exc:
            if isinstance(exc, DBAPIError) and not (
                isinstance(exc, OperationalError) or exc.connection_invalidated
            ):
                raise
            log.warning("submit failed: database unavailable campaign=%s error=%s", entry.campaign_id, exc)
            self._release(marker_key, sub.submission_id)
            raise ServiceUnavailable() from exc

        if inserted is not None:
            self._mark_done(marker_key, sub.submission_id, entry.closes_at + MARKER_GRACE - now)
            if self.on_accepted is not None:
                self.on_accepted(entry, inserted.id)
            return Receipt(Outcome.ACCEPTED, inserted.id, sub.submission_id, now)
        # Redis lost the marker (flush, restart, outage): put the committed one back.
        self._mark_done(marker_key, holder, entry.closes_at + MARKER_GRACE - now)
        return receipt

    def status(self, entry: ResolvedEntry, participant: Participant) -> Receipt | None:
        """The participant's existing receipt in this campaign, if any (read-only)."""
        phash = self.participant_hash(entry, participant)
        with self.engine.connect() as conn:
            row = conn.execute(
                select(responses.c.id, responses.c.submission_id, responses.c.created_at).where(
                    responses.c.campaign_id == entry.campaign_id,
                    responses.c.participant_hash == phash,
                )
            ).first()
        if row is None:
            return None
        return Receipt(Outcome.ALREADY_PARTICIPATED, row.id, row.submission_id, row.created_at)

    # -- database -----------------------------------------------------------------------

    def _insert(self) -> Executable:
        return _INSERTS["postgresql" if self.engine.dialect.name == "postgresql" else "sqlite"]

    @staticmethod
    def _explain_conflict(conn, entry, phash, submission_id, digest) -> tuple[Receipt, str]:
        """The insert hit a unique key: a retry of the same submit, or a second answer.

        Returns the receipt and the submission_id that holds the participant's place.
        """
        same = conn.execute(
            select(responses.c.id, responses.c.participant_hash, responses.c.answers_digest,
                   responses.c.created_at).where(responses.c.submission_id == submission_id)
        ).first()
        if same is not None:
            if same.participant_hash != phash or same.answers_digest != digest:
                raise IdempotencyConflict(fields={"submission_id": "已用于另一份不同的答卷，新答卷请使用新的编号"})
            return Receipt(Outcome.REPLAYED, same.id, submission_id, same.created_at), submission_id
        existing = conn.execute(
            select(responses.c.submission_id).where(
                responses.c.campaign_id == entry.campaign_id, responses.c.participant_hash == phash
            )
        ).first()
        if existing is None:  # a unique key we do not know about: surface it, do not guess
            raise RuntimeError("insert refused by an unexpected constraint")
        return Receipt(Outcome.ALREADY_PARTICIPATED, None, None, None), existing.submission_id

    # -- redis fast path (every call tolerates Redis being down) ----------------------------

    def _claim(self, key: str, submission_id: str, ttl: timedelta) -> str | None:
        """SET NX the in-flight marker; return the marker already there, or None."""
        try:
            if self.redis.set(key, f"p:{submission_id}", nx=True, ex=max(int(ttl.total_seconds()), 60)):
                return None
            value = self.redis.get(key)
            return value.decode() if isinstance(value, bytes) else value
        except redis.RedisError as exc:
            log.warning("dedup fast path skipped: redis unavailable error=%s", exc)
            return None

    def _mark_done(self, key: str, submission_id: str, ttl: timedelta) -> None:
        try:
            self.redis.set(key, f"d:{submission_id}", ex=max(int(ttl.total_seconds()), 60))
        except redis.RedisError:
            pass  # PostgreSQL already refuses the duplicate; the marker is only a shortcut

    def _release(self, key: str, submission_id: str) -> None:
        """Drop our in-flight marker so a failed attempt does not lock the person out."""
        try:
            if self.redis.get(key) in (f"p:{submission_id}".encode(), f"p:{submission_id}"):
                self.redis.delete(key)
        except redis.RedisError:
            pass
