"""Rebuild what Redis holds for a campaign from PostgreSQL (after a flush, a failover, a restore).

Redis holds derived state; the part rebuilt from PostgreSQL is the dedup markers
(`keys.done_marker` per participant). They are recomputed from the responses table,
streamed with a server-side cursor and written in pipelines, so a 1.2 M-response
campaign rebuilds in seconds without loading it into memory.

Safe to run while residents are answering: PostgreSQL's unique constraint
refuses duplicates whatever Redis says, and a marker written here is the same
value the submit path writes after its commit.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timezone

import redis
from sqlalchemy import func, select
from sqlalchemy.engine import Engine

from questionnaire.campaigns.models import Campaign
from questionnaire.intake.models import Response
from questionnaire.intake.submissions import MARKER_GRACE
from questionnaire.kernel import keys

log = logging.getLogger(__name__)
BATCH = 5_000


@dataclass(frozen=True)
class RebuildSummary:
    campaign_id: int
    markers_written: int
    stale_keys_removed: int
    accepted: int  # responses the campaign holds in PostgreSQL


def campaign_ids(engine: Engine) -> list[int]:
    with engine.connect() as conn:
        return list(conn.scalars(select(Campaign.id).order_by(Campaign.id)))


def rebuild_campaign(engine: Engine, client: redis.Redis, campaign_id: int,
                     clear: bool = True, now: datetime | None = None) -> RebuildSummary:
    """Rewrite the campaign's dedup markers from the responses table; report how many it stores."""
    now = now or datetime.now(timezone.utc)
    responses = Response.__table__
    with engine.connect() as conn:
        closes_at = conn.scalar(select(Campaign.closes_at).where(Campaign.id == campaign_id))
        if closes_at is None:
            raise LookupError(f"调查活动 {campaign_id} 不存在")
    if closes_at.tzinfo is None:
        closes_at = closes_at.replace(tzinfo=timezone.utc)
    ttl = max(int((closes_at + MARKER_GRACE - now).total_seconds()), 60)

    removed = 0
    if clear:
        # Markers of rows no longer in PostgreSQL (restored backup) must not refuse anyone.
        pattern = keys.participant(campaign_id, "*")
        batch = []
        for key in client.scan_iter(match=pattern, count=1000):
            batch.append(key)
            if len(batch) >= 1000:
                removed += client.delete(*batch)
                batch = []
        if batch:
            removed += client.delete(*batch)

    written = 0
    with engine.connect() as conn:
        rows = conn.execution_options(stream_results=True, yield_per=BATCH).execute(
            select(responses.c.participant_hash, responses.c.submission_id)
            .where(responses.c.campaign_id == campaign_id)
        )
        for part in rows.partitions(BATCH):
            pipe = client.pipeline(transaction=False)
            for phash, submission_id in part:
                pipe.set(keys.participant(campaign_id, phash), keys.done_marker(submission_id), ex=ttl)
            pipe.execute()
            written += len(part)
        # Counted after the markers: responses committed meanwhile wrote their own markers.
        accepted = conn.scalar(
            select(func.count()).select_from(responses).where(responses.c.campaign_id == campaign_id)
        )
    log.info("redis rebuilt campaign=%s markers=%s removed=%s accepted=%s",
             campaign_id, written, removed, accepted)
    return RebuildSummary(campaign_id, written, removed, accepted)

