"""Store a resident's answers exactly once per participant and answer scope (campaigns.answer_scope:
the campaign, a questionnaire or an evaluated unit; the scope is part of the participant key).

Order of truth:
1. Redis `SET NX` on the participant key is the fast path: a committed marker
   (`keys.done_marker`) refuses a second answer without touching PostgreSQL. An accepted
   submission's committed marker rides on the process's next admission script
   (`admission.DoneMarks`): one Redis round trip per submission, not two.
2. The unique constraint (campaign_id, participant_hash) is the truth: the
   insert uses ON CONFLICT DO NOTHING, so concurrent double submits, a flushed
   Redis or a Redis outage can never store two answers for one person.
3. `submission_id` is the client's idempotency key: a retried submit returns
   the first receipt; the same key with different answers is refused.

A response is acknowledged only after its transaction commits.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from enum import Enum

import redis
from sqlalchemy.engine import Engine

from questionnaire.campaigns.definition import AnswerError, answers_digest, validate_answers
from questionnaire.intake.admission import Admission, Claim, DoneMarks, ThreadClients
from questionnaire.intake.free_text import mask_text_answers, seal
from questionnaire.intake.identity import participant_hash as make_participant_hash
from questionnaire.intake.points import ResolvedEntry
from questionnaire.intake.writer import DatabaseUnavailable, writer_for
from questionnaire.kernel import keys
from questionnaire.kernel.crypto import Cipher
from questionnaire.kernel.errors import IdempotencyConflict, InvalidAnswers, ServiceUnavailable

log = logging.getLogger(__name__)

# Dedup markers outlive the campaign so a late duplicate is still refused fast.
MARKER_GRACE = timedelta(days=30)
# Longest time on the form a client may report (seconds); the web form's comes from its signed token.
MAX_DURATION = 24 * 3600


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
    # The submission id came from a token the server signed for this page (the QR form), not
    # from the client: only the browser that was shown the form can send it. A resident whose
    # browser keeps no cookies is a new participant at every tap, so for such an id the same
    # answers under another participant are the same resident's retry (see _explain_conflict).
    signed_submission_id: bool = False
    # Required items whose answer is still being checked (a paper form's 待核对 items): stored
    # without them now, completed later through tallies.completion. Empty for every other channel.
    held_items: frozenset[str] = frozenset()


def receipt_no(submission_id: str | None) -> str:
    """The receipt number a resident is shown (and the raw export lists): 10 characters of the
    submission id, enough to find an answer when someone asks about it."""
    return (submission_id or "").replace("-", "")[:10].upper()


@dataclass(frozen=True)
class Receipt:
    outcome: Outcome
    response_id: int | None
    submission_id: str | None
    created_at: datetime | None

    @property
    def receipt_no(self) -> str:
        return receipt_no(self.submission_id)


@dataclass
class SubmissionStore:
    """Everything the submit path needs, so it runs the same from a view, a test or a bench.

    Built once per app (intake.services) and shared by its threads: it holds no request state.
    """

    engine: Engine
    redis: redis.Redis
    hmac_key: str
    connect_timeout: int = 3
    # FIELD_ENCRYPTION_KEY: free texts as typed are kept sealed with it when a number in them was
    # masked. Without it (some tests and benches) only the masked text is stored.
    field_key: str | None = None

    def __post_init__(self):
        self.writer = writer_for(self.engine, self.connect_timeout)
        self.done_marks = DoneMarks()
        self.admission_clients = ThreadClients(self.redis)
        self._cipher = Cipher(self.field_key) if self.field_key else None

    def participant_hash(self, entry: ResolvedEntry, participant: Participant) -> str:
        """The participant's key within what the campaign allows one answer for (its answer scope)."""
        return make_participant_hash(self.hmac_key, entry.campaign_id, participant.kind, participant.identity,
                                     entry.participant_scope)

    def submit(self, entry: ResolvedEntry, sub: Submission, now: datetime | None = None,
               admission: Admission | None = None) -> Receipt:
        """Store the answers once; `admission` holds the request's rate-limit buckets (see
        intake.admission), counted in the same Redis round trip as the dedup claim."""
        now = now or datetime.now(timezone.utc)
        try:
            answers = validate_answers(entry.definition, sub.answers, sub.held_items)
        except AnswerError as exc:
            raise InvalidAnswers(fields=exc.fields) from None
        # After validation: a malformed request is a request error (422) whatever the entry's
        # state; the survey page checks the state first so residents see "closed" at once.
        entry.ensure_open(now)
        # Typed phone and ID numbers are masked before anything is stored or hashed: a digest of
        # the text as typed would give the masked digits back to anyone who tries 10^4 guesses.
        answers, typed = mask_text_answers(entry.definition, answers)
        sealed = seal(self._cipher, typed) if typed and self._cipher is not None else None
        digest = answers_digest(answers)
        phash = self.participant_hash(entry, sub.participant)
        marker_key = keys.participant(entry.campaign_id, phash)
        marker_ttl = entry.closes_at + MARKER_GRACE - now

        claim = Claim(marker_key, keys.in_flight_marker(sub.submission_id), int(marker_ttl.total_seconds()))
        holder = keys.done_submission((admission or Admission()).admit(self.admission_clients, claim, self.done_marks))
        if holder is not None and holder != sub.submission_id:
            return Receipt(Outcome.ALREADY_PARTICIPATED, None, None, None)

        row = {
            "channel": entry.channel,
            "campaign_id": entry.campaign_id,
            "questionnaire_id": entry.questionnaire_id,
            "questionnaire_version": entry.questionnaire_version,
            "collection_point_id": entry.entry_id,
            "evaluated_unit_id": entry.evaluated_unit_id,
            "collected_unit_id": entry.collected_unit_id,
            "participant_hash": phash,
            "identity_kind": sub.participant.kind,
            "submission_id": sub.submission_id,
            "answers": answers,
            "free_text_sealed": sealed,
            "answers_digest": digest,
            "duration_seconds": sub.duration_seconds,
            "ip_hash": sub.ip_hash,
            "user_agent_class": sub.user_agent_class,
            "created_at": now,
            "flags": 0,
        }
        try:
            receipt, holder = self._store(row, entry.campaign_id, phash, digest, sub.signed_submission_id)
        except DatabaseUnavailable as exc:
            log.warning("submit failed: database unavailable campaign=%s error=%s", entry.campaign_id, exc.__cause__)
            self._release(marker_key, sub.submission_id)
            raise ServiceUnavailable() from exc

        if holder is None:  # another participant's receipt replayed: this participant answered nothing
            self._release(marker_key, sub.submission_id)
        elif receipt.outcome is Outcome.ACCEPTED and holder == sub.submission_id:
            # Our claim holds the key: the committed marker can wait for the next script.
            self.done_marks.add(marker_key, keys.done_marker(holder), marker_ttl.total_seconds())
        else:  # a refusal or a replay: put back at once a marker Redis lost (flush, restart)
            self._mark_done(marker_key, holder, marker_ttl)
        return receipt

    def status(self, entry: ResolvedEntry, participant: Participant) -> Receipt | None:
        """The participant's existing receipt in this campaign, if any (read-only)."""
        phash = self.participant_hash(entry, participant)
        for attempt in (1, 2):
            try:
                row = self.writer.by_participant(entry.campaign_id, phash)
                break
            except DatabaseUnavailable as exc:
                if attempt == 2 or not exc.lost:
                    raise ServiceUnavailable() from exc
        if row is None:
            return None
        return Receipt(Outcome.ALREADY_PARTICIPATED, row.id, row.submission_id, row.created_at)

    # -- database -----------------------------------------------------------------------

    def _store(self, row: dict, campaign_id: int, phash: str, digest: str,
               signed_id: bool = False) -> tuple[Receipt, str | None]:
        """Insert the row, or say whose place it is. Returns the receipt and the place holder's
        submission_id (for the Redis marker; None when this participant holds no place).

        A connection that broke mid-statement (restart, failover, a server-side idle
        timeout) is retried once on a fresh one. That is safe because of the idempotency
        key: if the first attempt did commit, the retry meets its own submission_id with the
        same participant and answers, and that is this request's acceptance.
        """
        sid = row["submission_id"]
        for attempt in (1, 2):
            try:
                response_id = self.writer.insert(row)
                if response_id is not None:
                    return Receipt(Outcome.ACCEPTED, response_id, sid, row["created_at"]), sid
                return self._explain_conflict(campaign_id, phash, sid, digest, retried=attempt == 2,
                                              signed_id=signed_id)
            except DatabaseUnavailable as exc:
                if attempt == 2 or not exc.lost:
                    raise
                log.info("database connection lost; retrying the submit once error=%s", exc.__cause__)
        raise AssertionError("unreachable")

    def _explain_conflict(self, campaign_id, phash, submission_id, digest, retried: bool,
                          signed_id: bool = False) -> tuple[Receipt, str | None]:
        """The insert hit a unique key: a retry of the same submit, or a second answer."""
        same = self.writer.by_submission(submission_id)
        if same is not None:
            if same.participant_hash != phash and same.answers_digest == digest and signed_id:
                # A cookieless double tap: the first tap's receipt; the new participant holds nothing.
                return Receipt(Outcome.REPLAYED, same.id, submission_id, same.created_at), None
            if same.participant_hash != phash or same.answers_digest != digest:
                raise IdempotencyConflict(fields={"submission_id": "已用于另一份不同的答卷，新答卷请使用新的编号"})
            outcome = Outcome.ACCEPTED if retried else Outcome.REPLAYED  # retried: our own lost commit
            return Receipt(outcome, same.id, submission_id, same.created_at), submission_id
        existing = self.writer.by_participant(campaign_id, phash)
        if existing is None:  # a unique key we do not know about: surface it, do not guess
            raise RuntimeError("insert refused by an unexpected constraint")
        return Receipt(Outcome.ALREADY_PARTICIPATED, None, None, None), existing.submission_id

    # -- redis fast path (every call tolerates Redis being down) ----------------------------

    def _mark_done(self, key: str, submission_id: str, ttl: timedelta) -> None:
        """The committed marker; after a refusal it puts back one that Redis lost (flush, restart)."""
        try:
            self.redis.set(key, keys.done_marker(submission_id), ex=max(int(ttl.total_seconds()), 60))
        except redis.RedisError:
            pass  # PostgreSQL already refuses the duplicate; the marker is only a shortcut

    def _release(self, key: str, submission_id: str) -> None:
        """Drop our in-flight marker so a failed attempt does not lock the person out."""
        try:
            marker = keys.in_flight_marker(submission_id)
            if self.redis.get(key) in (marker.encode(), marker):
                self.redis.delete(key)
        except redis.RedisError:
            pass
