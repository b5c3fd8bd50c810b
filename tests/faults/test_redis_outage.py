"""Redis dies (kill -9) under load and comes back empty: nothing acknowledged is lost, nobody is
stored twice, the web process carries on through PostgreSQL alone, and `flask rebuild-redis`
restores the dedup fast path."""

from __future__ import annotations

import json
import time
import urllib.error
import urllib.request
import uuid

import pytest
from sqlalchemy import text

from questionnaire.kernel import keys
from tests.faults.checks import assert_nothing_lost, report, stored_rows, tallies_converge

pytestmark = pytest.mark.faults


def post_json(stack, code: str, device_token: str, payload: dict) -> tuple[int, dict]:
    request = urllib.request.Request(
        f"{stack.base_url}/api/v1/entries/{code}/responses", data=json.dumps(payload).encode(),
        headers={"Content-Type": "application/json", "X-Participant-Token": device_token}, method="POST")
    try:
        with urllib.request.urlopen(request, timeout=10) as resp:
            return resp.status, json.loads(resp.read())
    except urllib.error.HTTPError as exc:
        return exc.code, json.loads(exc.read())


def device_token(device_id: str) -> str:
    from itsdangerous import URLSafeSerializer

    from tests.faults.servers import FAULT_SECRET_KEY

    return URLSafeSerializer(FAULT_SECRET_KEY, salt="participant-device").dumps(device_id)


def response_id_sequence(engine) -> int:
    with engine.connect() as conn:
        return conn.execute(text("SELECT last_value FROM responses_id_seq")).scalar_one()


def test_redis_killed_mid_load_loses_nothing_and_rebuild_restores_the_fast_path(stack, start_load, tally_pipeline):
    load = start_load()
    load.wait_for_acks(40)

    stack.redis.kill()
    killed_at = time.monotonic()
    # Residents keep being served while Redis is gone (PostgreSQL's unique key is the truth).
    load.keep_going(seconds=2, more_acks=40)
    during = load.first_ack_after(killed_at)

    stack.redis.start()  # empty: it keeps nothing on disk
    restarted_at = time.monotonic()
    load.keep_going(seconds=1, more_acks=40)
    result = load.stop()

    engine = stack.engine()
    assert_nothing_lost(result, engine, stack.campaign_id)
    resumed = result.first_ack_after(restarted_at)
    # The tally worker and its scheduler rode out the outage and count everything exactly.
    converged = tallies_converge(engine, stack.campaign_id)
    tally_pipeline.assert_alive()

    # One command rebuilds the markers from PostgreSQL.
    rebuilt = stack.flask("rebuild-redis")
    rows = stored_rows(engine, stack.campaign_id)
    assert rebuilt.returncode == 0, rebuilt.stderr
    assert f"campaign={stack.campaign_id} markers={len(rows)}" in rebuilt.stdout
    redis = stack.redis.client()
    for phash, submission_id in rows:
        assert redis.get(keys.participant(stack.campaign_id, phash)) == f"d:{submission_id}".encode()

    # A second answer from residents of the load is refused by the Redis marker alone: the
    # database is not even asked (an INSERT ... ON CONFLICT would have drawn a new id).
    api_residents = [r for r in result.residents if r.channel == "api"][:10]
    sequence_before = response_id_sequence(engine)
    for r in api_residents:
        answers = {"overall": "1"} if r.code == stack.codes["U1"] else {"gov": "1", "security": "1", "transport": "1"}
        status, body = post_json(stack, r.code, device_token(r.device_id),
                                 {"submission_id": str(uuid.uuid4()), "answers": answers})
        assert (status, body["error"]["code"]) == (409, "already_participated")
    assert response_id_sequence(engine) == sequence_before
    assert stored_rows(engine, stack.campaign_id) == rows

    report("redis kill -9 + restart", result,
           acknowledged_while_redis_down=sum(1 for r in result.residents
                                             if r.acknowledged_at and killed_at <= r.acknowledged_at < restarted_at),
           first_ack_after_kill_s=round(during - killed_at, 2),
           redis_down_s=round(restarted_at - killed_at, 2),
           first_ack_after_restart_s=round(resumed - restarted_at, 2),
           rows_stored=len(rows), tallies_exact_after_s=converged)


def test_while_redis_is_down_submissions_are_stored_through_postgres_alone(stack):
    """The documented behaviour: the dedup fast path is skipped, PostgreSQL decides."""
    k1 = stack.codes["K1"]
    answers = {"gov": "5", "security": "4", "transport": "3"}
    stack.redis.kill()

    resident = device_token(uuid.uuid4().hex)
    first_id = str(uuid.uuid4())
    status, body = post_json(stack, k1, resident, {"submission_id": first_id, "answers": answers})
    assert (status, body["status"], body["submission_id"]) == (201, "accepted", first_id)

    # The client retries (it never saw the answer): same receipt, nothing new stored.
    status, again = post_json(stack, k1, resident, {"submission_id": first_id, "answers": answers})
    assert (status, again["status"], again["receipt_no"]) == (200, "replayed", body["receipt_no"])

    # The same person answers again: refused by the unique key, without Redis.
    status, refused = post_json(stack, k1, resident, {"submission_id": str(uuid.uuid4()), "answers": answers})
    assert (status, refused["error"]["code"]) == (409, "already_participated")

    # The resident's page still opens and its form still stores (signed token, no Redis needed).
    with urllib.request.urlopen(f"{stack.base_url}/s/{k1}", timeout=10) as page:
        assert page.status == 200 and 'name="token"' in page.read().decode()

    assert [sid for _, sid in stored_rows(stack.engine(), stack.campaign_id)] == [first_id]

    # Redis comes back empty; the next refusal of this person puts the lost marker back.
    stack.redis.start()
    status, _ = post_json(stack, k1, resident, {"submission_id": str(uuid.uuid4()), "answers": answers})
    assert status == 409
    phash = stored_rows(stack.engine(), stack.campaign_id)[0][0]
    assert stack.redis.client().get(keys.participant(stack.campaign_id, phash)) == f"d:{first_id}".encode()
