"""Synthetic responses for benchmarks and dashboard rehearsals (`flask generate-responses`).

Rows look like real ones to the tallies and the dashboard: a random enabled entry
point (townships weighted like their share of posters), answers drawn per question
with a realistic skew towards "satisfied", distinct participant hashes, created_at
spread between the campaign's opening and now (never in the future). They are written
uncounted (queued in tally_pending) so the tally worker or a recount picks them up,
exactly like submitted ones.

PostgreSQL gets them through COPY (about 100k rows/s on a small machine); SQLite
through executemany. Never run against a live campaign's database: the rows are fake.
"""

from __future__ import annotations

import json
import random
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

from sqlalchemy import insert, select
from sqlalchemy.engine import Engine

from questionnaire.campaigns.definition import Definition, answers_digest
from questionnaire.campaigns.models import Campaign
from questionnaire.campaigns.service import load_questionnaires
from questionnaire.intake.models import CollectionPoint, Response
from questionnaire.kernel.dialect import is_postgres
from questionnaire.tallies.queue import enqueue_where

COLUMNS = ("campaign_id", "questionnaire_id", "questionnaire_version", "collection_point_id", "evaluated_unit_id",
           "collected_unit_id", "participant_hash", "identity_kind", "submission_id", "answers", "answers_digest",
           "duration_seconds", "ip_hash", "user_agent_class", "created_at", "flags", "channel")
# Answer level weights: most residents are satisfied, a few say "don't know".
RATING_WEIGHTS = {"5": 45, "4": 30, "3": 13, "2": 5, "1": 2, "dk": 5}


@dataclass(frozen=True)
class _Entry:
    id: int
    questionnaire_id: int
    version: int
    evaluated_unit_id: int
    collected_unit_id: int
    channel: str


def _answer_sampler(defn: Definition, rng: random.Random):
    plan = []
    for q in defn.questions:
        if q.type == "rating":
            values = [v for v in RATING_WEIGHTS if v in q.option_values]
            plan.append((q.id, values, [RATING_WEIGHTS[v] for v in values], 1.0))
        elif q.type == "choice":
            values = sorted(q.option_values)
            plan.append((q.id, values, None, 1.0 if q.required else 0.7))
        elif q.type == "text" and q.required:
            plan.append((q.id, ["无"], None, 1.0))

    def sample() -> dict[str, str]:
        answers = {}
        for qid, values, weights, share in plan:
            if share < 1.0 and rng.random() > share:
                continue
            answers[qid] = rng.choices(values, weights)[0]
        return answers

    return sample


def generate_rows(engine: Engine, campaign_id: int, count: int, seed: int = 2026,
                  now: datetime | None = None, run: str | None = None) -> Iterator[tuple]:
    rng = random.Random(seed)
    with engine.connect() as conn:
        campaign = conn.execute(select(Campaign.opens_at).where(Campaign.id == campaign_id)).first()
        if campaign is None:
            raise LookupError(f"调查活动 {campaign_id} 不存在")
        samplers = {qn.id: (qn.version, _answer_sampler(qn.definition, rng))
                    for qn in load_questionnaires(conn, campaign_id).values()}
        entries = [_Entry(r.id, r.questionnaire_id, samplers[r.questionnaire_id][0], r.evaluated_unit_id,
                          r.collected_unit_id, r.channel)
                   for r in conn.execute(select(CollectionPoint).where(CollectionPoint.campaign_id == campaign_id,
                                                                  CollectionPoint.is_enabled))]
    if not entries:
        raise LookupError(f"调查活动 {campaign_id} 没有启用的入口")
    start = campaign.opens_at if campaign.opens_at.tzinfo else campaign.opens_at.replace(tzinfo=timezone.utc)
    now = now or datetime.now(timezone.utc)
    span = max((now - start).total_seconds(), 3600.0)
    start = now - timedelta(seconds=span)
    run = run or uuid.uuid4().hex[:8]  # participant hashes differ between runs: generating twice adds rows
    for i in range(count):
        entry = rng.choice(entries)
        answers = samplers[entry.questionnaire_id][1]()
        created = start + timedelta(seconds=rng.random() * span)
        yield (campaign_id, entry.questionnaire_id, entry.version, entry.id, entry.evaluated_unit_id,
               # A UUID per row, as a phone sends: the receipt number is its first 10 hex digits, so
               # every demo answer has its own (a "syn-<run>-" prefix gave all 3,000 the same one).
               entry.collected_unit_id, f"synthetic-{run}-{i}", "device",
               str(uuid.uuid5(uuid.NAMESPACE_OID, f"{run}-{i}")), answers,
               answers_digest(answers), rng.randint(25, 400), f"ip{rng.randrange(200_000):06d}", "wechat",
               created, 0, entry.channel)


def generate(engine: Engine, campaign_id: int, count: int, seed: int = 2026, chunk: int = 50_000) -> int:
    """Write `count` synthetic uncounted responses (queued for the tally worker); return rows written."""
    run = uuid.uuid4().hex[:8]
    rows = generate_rows(engine, campaign_id, count, seed, run=run)
    # This run's rows, found by their participant prefix, are queued in the writing transaction.
    this_run = (Response.__table__.c.campaign_id == campaign_id) & Response.__table__.c.participant_hash.like(
        f"synthetic-{run}-%")
    if is_postgres(engine):
        return _copy(engine, rows, this_run)
    written = 0
    batch: list[dict] = []
    with engine.begin() as conn:
        for row in rows:
            batch.append(dict(zip(COLUMNS, row, strict=True)))
            if len(batch) >= chunk:
                conn.execute(insert(Response.__table__), batch)
                written += len(batch)
                batch.clear()
        if batch:
            conn.execute(insert(Response.__table__), batch)
            written += len(batch)
        enqueue_where(conn, this_run)
    return written


def _copy(engine: Engine, rows: Iterator[tuple], this_run) -> int:
    written = 0
    with engine.connect() as conn:
        raw = conn.connection.driver_connection  # psycopg: COPY, inside the connection's transaction
        with raw.cursor() as cur:
            with cur.copy(f"COPY responses ({', '.join(COLUMNS)}) FROM STDIN") as copy:
                for row in rows:
                    row = list(row)
                    row[9] = json.dumps(row[9], ensure_ascii=False)
                    copy.write_row(row)
                    written += 1
        enqueue_where(conn, this_run)
        conn.commit()
    return written
