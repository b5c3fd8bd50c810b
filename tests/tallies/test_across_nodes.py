"""The tally job's one applier per campaign and the cron scheduler's single instance hold across
nodes: each node has its own engine (its own pool, its own processes), and both locks live in
PostgreSQL, not in any process."""

from __future__ import annotations

import pytest
from sqlalchemy import create_engine, text

from questionnaire.extensions import db
from questionnaire.tallies import counting as tallies
from questionnaire.tallies.leader import LEASE_NAMESPACE, TALLY_SCHEDULE, ScheduleLease

pytestmark = pytest.mark.real_only  # advisory locks: PostgreSQL only (SQLite is one machine)


@pytest.fixture
def other_node(clean_app):
    """A second node's engine on the same database (what another machine's workers use)."""
    engine = create_engine(db.engine.url, pool_size=2)
    yield engine
    engine.dispose()


def test_a_campaign_busy_on_one_node_is_skipped_by_the_applier_of_another(campaign, submit, other_node):
    for _ in range(3):
        submit("K1")
    with db.engine.connect() as node_one:
        with node_one.begin():
            # Node one's applier is mid-batch: it holds the campaign's lock in its transaction.
            assert tallies.lock_campaign(node_one, campaign.id, wait=False)
            assert tallies.apply_pending(other_node, campaign.id, wait=False) == 0
            assert tallies.verify(other_node, campaign.id) == ["3 responses not yet tallied"]
        # Node one's transaction ended: the other node counts, exactly once.
        assert tallies.apply_pending(other_node, campaign.id, wait=False) == 3
    assert tallies.apply_pending(db.engine, campaign.id, wait=False) == 0
    assert tallies.verify(db.engine, campaign.id) == []


def test_the_tally_schedule_lease_is_held_by_one_node_at_a_time(clean_app, other_node):
    leader, standby = ScheduleLease(db.engine), ScheduleLease(other_node)
    try:
        assert leader.acquire()
        assert not standby.acquire()
        assert leader.held() and not standby.held()

        # The leader's node dies: PostgreSQL ends its session, and the lease goes with it at once.
        with db.engine.connect() as conn:
            conn.execute(text(
                "SELECT pg_terminate_backend(pid) FROM pg_locks WHERE locktype = 'advisory' AND granted"
                " AND classid = :ns AND objid = :k"), {"ns": LEASE_NAMESPACE, "k": TALLY_SCHEDULE})
            conn.commit()
        assert not leader.held()  # the old leader notices on its next tick and stops enqueuing
        assert standby.acquire()
        assert not leader.acquire()  # and it stands by: still one scheduler
    finally:
        leader.release()
        standby.release()
    # Released on shutdown: the next scheduler to start leads at once.
    successor = ScheduleLease(other_node)
    assert successor.acquire()
    successor.release()
