"""Migration 0007 moves stored answers and tallies to collection points without losing or
changing any: the same counts, receipts and an exact `tallies verify`, on both backends.

The database is taken down to 0006 (the schema of `entry_points`) holding answers and
tallies, checked there with the old column names, and brought back up."""

from __future__ import annotations

import pytest
from flask_migrate import downgrade, upgrade
from sqlalchemy import text

from questionnaire.extensions import db
from questionnaire.tallies import counting
from tests.fixtures.submissions import Submitter

# The migration and the submit path run differently on each backend.
pytestmark = pytest.mark.both_backends


def _snapshot(point_column: str) -> dict:
    with db.engine.connect() as conn:
        return {
            "responses": sorted(conn.execute(text(
                f"SELECT {point_column}, submission_id, participant_hash, answers_digest, flags FROM responses"))
                .all()),
            "tally_entries": sorted(conn.execute(text(
                f"SELECT {point_column}, flags, responses FROM tally_entries")).all()),
            "tally_answers": sorted(conn.execute(text(
                f"SELECT {point_column}, question_id, value, responses FROM tally_answers")).all()),
            "points": sorted(conn.execute(text(
                f"SELECT id, code FROM {'entry_points' if point_column == 'entry_point_id' else 'collection_points'}"))
                .all()),
        }


def _release_connections() -> None:
    # ALTER TABLE waits for every open transaction that touched the table.
    db.session.remove()
    db.engine.dispose()


def test_answers_and_tallies_survive_the_move_to_collection_points(clean_app, campaign):
    submit = Submitter(clean_app, campaign)
    receipts = [submit(code, duration=duration).receipt_no
                for code, duration in (("K1", 60), ("K1T1", 60), ("K1T2", 5), ("K2", 60), ("U1", 60))]
    counting.apply_pending(db.engine, campaign.id)
    submit("K2T1")  # one answer still waiting for the tally worker when the schema changes
    before = _snapshot("collection_point_id")
    _release_connections()
    try:
        downgrade(revision="0006_tally_queue")
        assert _snapshot("entry_point_id") == before
        _release_connections()
    finally:
        upgrade(revision="heads")
    after = _snapshot("collection_point_id")
    assert after == before
    # Receipt numbers are read off the stored submission ids, which the snapshot compared.
    assert set(receipts) <= {sid.replace("-", "")[:10].upper() for _, sid, *_ in after["responses"]}
    with db.engine.connect() as conn:
        assert conn.execute(text("SELECT DISTINCT channel FROM responses")).scalars().all() == ["qr"]
        assert conn.execute(text("SELECT DISTINCT channel FROM collection_points")).scalars().all() == ["qr"]
    assert counting.apply_pending(db.engine, campaign.id) == 1
    assert counting.verify(db.engine, campaign.id) == []
