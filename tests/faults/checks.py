"""What every fault scenario must prove, checked against the database itself."""

from __future__ import annotations

import json
import time
from collections import Counter

from sqlalchemy import text

from questionnaire.intake.identity import participant_hash
from tests.faults.load import LoadResult
from tests.faults.servers import FAULT_HMAC_KEY


def stored_rows(engine, campaign_id: int) -> list[tuple[str, str]]:
    """(participant_hash, submission_id) of every stored response of the campaign."""
    with engine.connect() as conn:
        return [tuple(r) for r in conn.execute(
            text("SELECT participant_hash, submission_id FROM responses WHERE campaign_id = :c"),
            {"c": campaign_id})]


def assert_nothing_lost(result: LoadResult, engine, campaign_id: int) -> None:
    # Every answer the clients saw was one of the promised ones: no 500, no page that is
    # not ours, no receipt for another submission; every 503 said clearly "not saved".
    bad = result.bad_attempts()
    assert bad == [], describe(bad)
    unclear = [a for a in result.attempts if a.status == 503 and a.error_code not in (None, "service_unavailable")]
    assert unclear == []
    # The server always answered (gunicorn stayed up, nothing was dropped mid-request).
    assert [a for a in result.attempts if a.status is None] == []
    # Service resumed by itself: every resident's retries ended in an acknowledgement.
    assert result.unacknowledged() == []

    rows = stored_rows(engine, campaign_id)
    expected = {(participant_hash(FAULT_HMAC_KEY, campaign_id, "device", r.device_id), r.acknowledged)
                for r in result.residents}
    # Exactly the acknowledged responses are stored, each once, under its own participant:
    # nothing acknowledged is missing, nothing unacknowledged (a 503) slipped in, nobody twice.
    assert len(rows) == len(set(rows))
    assert set(rows) == expected
    assert len({phash for phash, _ in rows}) == len(rows) == len(result.residents)


def tallies_converge(engine, campaign_id: int, timeout: float = 90) -> float:
    """Wait until the live tallies equal a fresh recount; return the seconds it took."""
    from questionnaire.tallies import counting as tallies
    from tests.faults.servers import wait_until

    started = time.monotonic()
    wait_until(lambda: tallies.verify(engine, campaign_id) == [], timeout,
               "the tally worker to catch up with a recount", interval=0.25)
    return round(time.monotonic() - started, 2)


def describe(attempts) -> str:
    kinds = Counter((a.kind, a.channel, a.status) for a in attempts)
    return f"{len(attempts)} bad answers {dict(kinds)}; first: {attempts[:3]}"


def report(scenario: str, result: LoadResult, **measured) -> str:
    """One line of numbers for the test log (pytest -s or -rA shows it)."""
    line = "FAULTS " + json.dumps({"scenario": scenario, **result.summary(), **measured}, ensure_ascii=False)
    print(line)
    return line
