"""`flask rebuild-redis` restores the dedup fast path from PostgreSQL."""

from __future__ import annotations

import uuid

import pytest

from questionnaire.extensions import redis_store
from questionnaire.kernel import keys
from tests.factories import good_answers

# Markers are rebuilt by streaming PostgreSQL rows (a server-side cursor) into the Redis server.
pytestmark = pytest.mark.both_backends


def submit(client, code):
    return client.post(f"/api/v1/entries/{code}/responses",
                       json={"submission_id": str(uuid.uuid4()), "answers": good_answers()})


def test_rebuild_after_a_flush_restores_the_markers(clean_app, client, runner, campaign):
    residents = [clean_app.test_client() for _ in range(3)]
    receipts = [submit(r, campaign.codes["K1"]).get_json() for r in residents]
    redis = redis_store.client(clean_app)
    redis.flushdb()  # Redis lost everything (restart without persistence)

    result = runner.invoke(args=["rebuild-redis"])
    assert result.exit_code == 0, result.output
    assert f"campaign={campaign.id} markers=3 stale_removed=0 accepted=3" in result.output

    markers = sorted(v.decode() for v in (redis.get(k) for k in redis.scan_iter(keys.participant(campaign.id, "*"))))
    assert markers == sorted(f"d:{r['submission_id']}" for r in receipts)
    # The fast path refuses the second answer again.
    assert submit(residents[0], campaign.codes["K1"]).status_code == 409


def test_rebuild_removes_markers_that_postgres_does_not_know(clean_app, runner, campaign):
    redis = redis_store.client(clean_app)
    ghost = keys.participant(campaign.id, "0" * 64)
    redis.set(ghost, "d:ghost")  # e.g. Redis kept state from a database restored from backup
    result = runner.invoke(args=["rebuild-redis", "--campaign", str(campaign.id)])
    assert result.exit_code == 0 and "stale_removed=1" in result.output
    assert redis.get(ghost) is None


def test_rebuild_of_an_unknown_campaign_is_a_clear_error(runner, campaign):
    result = runner.invoke(args=["rebuild-redis", "--campaign", "99999"])
    assert result.exit_code == 1 and "调查活动 99999 不存在" in result.output
