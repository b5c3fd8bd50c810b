"""PostgreSQL goes away under load (fast and immediate shutdown) and comes back: clients get a
clear 503 meanwhile, the web process reconnects by itself, and every acknowledged response is
stored exactly once."""

from __future__ import annotations

import time

import pytest

from tests.faults.checks import assert_nothing_lost, report, tallies_converge

pytestmark = pytest.mark.faults

# Long enough that residents certainly hit the outage (and the 5 s entry cache of the
# web workers runs out, so entry lookups fail too), short enough to keep the suite quick.
DOWN_SECONDS = 6


@pytest.mark.parametrize("mode", ["fast", "immediate"])
def test_postgres_restart_mid_load_gives_503_then_resumes_with_every_receipt_stored_once(
        stack, start_load, tally_pipeline, mode):
    load = start_load()
    load.wait_for_acks(40)

    # fast: sessions are terminated and in-flight transactions roll back, then a clean
    # checkpoint. immediate: the postmaster and backends just quit; the next start replays WAL.
    stack.pg.stop(mode)
    down_at = time.monotonic()
    load.keep_going(seconds=DOWN_SECONDS)
    stack.pg.start()
    up_at = time.monotonic()
    load.keep_going(seconds=1, more_acks=40)
    result = load.stop()

    refused_while_down = [a for a in result.attempts if a.status == 503 and down_at <= a.at < up_at]
    assert refused_while_down, "the load never met the outage"
    assert_nothing_lost(result, stack.engine(), stack.campaign_id)
    converged = tallies_converge(stack.engine(), stack.campaign_id)
    tally_pipeline.assert_alive()

    resumed = result.first_ack_after(up_at)
    report(f"postgres stop -m {mode} + start", result,
           postgres_down_s=round(up_at - down_at, 2),
           status_503_while_down=len(refused_while_down),
           status_503_after_restart=sum(1 for a in result.attempts if a.status == 503 and a.at >= up_at),
           first_ack_after_restart_s=round(resumed - up_at, 2),
           rows_stored=len(result.acknowledged_ids()), tallies_exact_after_s=converged)


def test_pg_ctl_restart_under_load_is_invisible_or_a_clear_503(stack, start_load):
    """A plain `pg_ctl restart -m fast` (what an operator does for a config change)."""
    load = start_load()
    load.wait_for_acks(40)
    restarted_at = time.monotonic()
    stack.pg.restart("fast")
    load.keep_going(seconds=1, more_acks=40)
    result = load.stop()

    assert_nothing_lost(result, stack.engine(), stack.campaign_id)
    report("pg_ctl restart -m fast", result,
           first_ack_after_restart_s=round(result.first_ack_after(restarted_at) - restarted_at, 2),
           rows_stored=len(result.acknowledged_ids()))
