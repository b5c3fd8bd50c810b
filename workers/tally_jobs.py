"""Tally jobs: the periodic incremental run and the full recount.

Production: `flask tallies cron` (rq's CronScheduler, questionnaire/tallies/cli.py) enqueues
`apply_open_campaigns` on the `tallies` queue every TALLY_INTERVAL_SECONDS and
`flask rq-worker tallies` runs it.
Every run is safe to repeat or to lose (a killed job leaves its batch uncounted,
the next run counts it), so the schedule needs no bookkeeping of its own.

Embedded mode has no worker process: a dashboard read calls `catch_up_inline`,
which runs the same step in the request at most once per second.
"""

from __future__ import annotations

import logging
import time

from questionnaire.extensions import db, redis_store
from questionnaire.kernel import keys
from questionnaire.tallies import counting as tallies
from questionnaire.tallies import queue as tally_queue
from workers import app_context

log = logging.getLogger(__name__)

# One incremental job stops after this long so a backlog is worked off in slices and the
# "as of" time keeps moving; the next scheduled run carries on.
SLICE_SECONDS = 20
# Rows per transaction: large enough that a batch's fixed cost (lock, context, six upserts,
# commit) is spread thin, small enough that a backlog is counted in steps of a few seconds.
BATCH_SIZE = 5000


def apply_open_campaigns(slice_seconds: float = SLICE_SECONDS) -> dict[int, int]:
    """Count uncounted responses of every open campaign (or with a backlog); return rows per campaign."""
    counted: dict[int, int] = {}
    with app_context():
        for campaign_id in tallies.open_campaign_ids(db.engine):
            deadline = time.monotonic() + slice_seconds
            total = 0
            while time.monotonic() < deadline:
                # wait=False: if a recount or another worker holds the campaign, skip it this time.
                n = tallies.apply_pending(db.engine, campaign_id, batch_size=BATCH_SIZE, max_batches=1, wait=False)
                total += n
                # Only a full batch means a backlog. Under a steady load, going round again would
                # count the handful of rows that arrived meanwhile, each small batch paying the
                # whole fixed cost (measured: ~10-row batches back to back, 2 ms of worker CPU and
                # as much PostgreSQL CPU per response); the next scheduled run takes them together.
                if n < BATCH_SIZE:
                    break
            if total:
                counted[campaign_id] = total
                log.info("tallied campaign=%s rows=%s", campaign_id, total)
        tally_queue.tidy(db.engine)
    return counted


def recount_campaign(campaign_id: int) -> int:
    """Rebuild every tally of the campaign from the responses table."""
    with app_context():
        rows = tallies.recount(db.engine, campaign_id)
        log.info("recounted campaign=%s rows=%s", campaign_id, rows)
        return rows


def catch_up_inline(app, campaign_id: int, min_interval: float = 1.0) -> None:
    """Embedded mode only: bring the tallies up to date inside the caller (debounced).

    With real Redis this does nothing; the scheduled job keeps the tallies fresh and a
    dashboard read must never do a worker's job.
    """
    if app.config.get("RQ_ASYNC"):
        return
    client = redis_store.client(app)
    if not client.set(keys.lock(f"tally-inline:{campaign_id}"), "1", nx=True, px=int(min_interval * 1000)):
        return
    tallies.apply_pending(db.engine, campaign_id, wait=False)
