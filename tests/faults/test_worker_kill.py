"""An RQ tally worker is killed (kill -9) in the middle of a job: the batch it had claimed rolls
back with its counts, a new worker finishes the work, and the tallies equal a full recount."""

from __future__ import annotations

import pytest
from rq.job import Job
from sqlalchemy import text

from questionnaire.demo import synthetic
from questionnaire.tallies import counting as tallies
from questionnaire.tallies import queue as tally_queue
from tests.faults.servers import wait_until
from workers.queues import TALLIES, get_queue
from workers.tally_jobs import apply_open_campaigns, recount_campaign

pytestmark = pytest.mark.faults

BATCH = 5000  # apply_pending's batch size in the scheduled job
ROWS = 2 * BATCH + 2000  # three batches: the worker dies in the second one


def counted(engine, campaign_id: int) -> int:
    with engine.connect() as conn:
        return conn.execute(text("SELECT count(*) FROM responses r WHERE campaign_id = :c AND "
                                 + tally_queue.COUNTED_SQL), {"c": campaign_id}).scalar_one()


def applier_lock_held(engine, campaign_id: int, writing: bool = False) -> bool:
    """A transaction holds the campaign's tally lock (tallies.LOCK_NAMESPACE); with writing=True
    it has also written (claimed rows: PostgreSQL gave it a transaction id) and not committed."""
    with engine.connect() as conn:
        return conn.execute(text(
            "SELECT count(*) FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid"
            " WHERE l.locktype = 'advisory' AND l.granted AND l.classid = :ns AND l.objid = :c"
            + (" AND a.backend_xid IS NOT NULL" if writing else "")),
            {"ns": tallies.LOCK_NAMESPACE, "c": campaign_id}).scalar_one() > 0


def run_to_completion(queue, fn, *args, timeout: float = 120) -> Job:
    job = queue.enqueue(fn, *args, job_timeout=TALLIES.job_timeout)

    def done():
        status = job.get_status(refresh=True)
        assert status != "failed", job.latest_result().exc_string if job.latest_result() else status
        return status == "finished"

    wait_until(done, timeout, f"{fn.__name__} to finish", interval=0.2)
    return job


def test_worker_killed_mid_batch_rolls_the_batch_back_and_a_new_worker_converges(stack):
    engine = stack.engine()
    cid = stack.campaign_id
    synthetic.generate(engine, cid, ROWS, seed=11)
    queue = get_queue(TALLIES, stack.redis.client(), True)

    first = stack.worker("worker-1").start()
    queue.enqueue(apply_open_campaigns, job_timeout=TALLIES.job_timeout)
    # The first batch is committed and the worker has claimed the next one.
    wait_until(lambda: counted(engine, cid) >= BATCH and applier_lock_held(engine, cid, writing=True), 120,
               "the worker to commit one batch and claim the next", interval=0.02)
    first.kill()
    # PostgreSQL sees the dead client and rolls its transaction back, releasing the lock.
    wait_until(lambda: not applier_lock_held(engine, cid), 30, "the killed worker's transaction to end")

    done = counted(engine, cid)
    assert done % BATCH == 0 and done < ROWS  # whole batches only: the claimed one rolled back
    # What is counted matches a recount of exactly the counted rows; the rest is still pending.
    assert tallies.verify(engine, cid) == [f"{ROWS - done} responses not yet tallied"]

    second = stack.worker("worker-2").start()
    try:
        run_to_completion(queue, apply_open_campaigns)
        assert counted(engine, cid) == ROWS
        assert tallies.verify(engine, cid) == []
    finally:
        second.stop()
    print(f"FAULTS {{\"scenario\": \"rq worker kill -9 mid apply\", \"rows\": {ROWS}, "
          f"\"counted_before_kill\": {done}, \"rolled_back_batch\": {BATCH}, \"verify\": \"exact\"}}")


def test_worker_killed_mid_recount_leaves_the_old_tallies_and_a_new_worker_recounts(stack):
    engine = stack.engine()
    cid = stack.campaign_id
    synthetic.generate(engine, cid, BATCH, seed=12)
    tallies.apply_pending(engine, cid)
    with engine.connect() as conn:
        before = tallies.read_tables(conn, cid)
    # New uncounted rows make the recount a long single transaction (claim + flag + count all).
    synthetic.generate(engine, cid, BATCH, seed=13)
    queue = get_queue(TALLIES, stack.redis.client(), True)

    doomed = stack.worker("worker-recount-1").start()
    job = queue.enqueue(recount_campaign, cid, job_timeout=TALLIES.job_timeout)
    wait_until(lambda: job.get_status(refresh=True) == "started" and applier_lock_held(engine, cid, writing=True),
               60, "the recount to claim rows", interval=0.02)
    doomed.kill()
    wait_until(lambda: not applier_lock_held(engine, cid), 30, "the killed recount's transaction to end")

    # Nothing of the half-done recount survives: old tallies intact, new rows still uncounted.
    with engine.connect() as conn:
        assert tallies.read_tables(conn, cid) == before
    assert counted(engine, cid) == BATCH
    assert tallies.verify(engine, cid) == [f"{BATCH} responses not yet tallied"]

    rescuer = stack.worker("worker-recount-2").start()
    try:
        run_to_completion(queue, recount_campaign, cid)
    finally:
        rescuer.stop()
    assert counted(engine, cid) == 2 * BATCH
    assert tallies.verify(engine, cid) == []
