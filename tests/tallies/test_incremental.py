"""Incremental tallies are exact: they equal a full recount, whatever the commit order."""

from __future__ import annotations

import threading
import uuid
from concurrent.futures import ThreadPoolExecutor

import pytest
from sqlalchemy import func, select, text

from questionnaire.extensions import db
from questionnaire.intake.models import Response
from questionnaire.tallies import counting as tallies
from questionnaire.tallies import flag_rules as F
from questionnaire.tallies.models import TallyEntry

# Counting upserts, recount and burst windows have a PostgreSQL path and a SQLite one.
pytestmark = pytest.mark.both_backends


def counted(campaign_id, clean_only=False):
    q = select(func.coalesce(func.sum(TallyEntry.responses), 0)).where(TallyEntry.campaign_id == campaign_id)
    if clean_only:
        q = q.where(TallyEntry.flags == 0)
    return db.session.scalar(q)


def stored_tallies(campaign_id):
    with db.engine.connect() as conn:
        return tallies.read_tables(conn, campaign_id)


def test_apply_pending_counts_each_response_once(campaign, submit):
    for _ in range(3):
        submit("K1")
    submit("K1T1")
    assert tallies.apply_pending(db.engine, campaign.id) == 4
    assert tallies.apply_pending(db.engine, campaign.id) == 0
    assert counted(campaign.id) == 4
    assert tallies.verify(db.engine, campaign.id) == []


def test_verify_reports_untallied_rows_and_tampered_counts(campaign, submit):
    submit("K1")
    assert tallies.verify(db.engine, campaign.id) == ["1 responses not yet tallied"]
    tallies.apply_pending(db.engine, campaign.id)
    with db.engine.begin() as conn:
        conn.execute(text("UPDATE tally_entries SET responses = responses + 1"))
    problems = tallies.verify(db.engine, campaign.id)
    assert len(problems) == 1 and "recount=1 tallies=2" in problems[0]
    tallies.recount(db.engine, campaign.id)
    assert tallies.verify(db.engine, campaign.id) == []


def test_speeders_are_kept_but_counted_apart(campaign, submit):
    submit("K1", duration=5)      # campaign minimum is 20 seconds
    submit("K1", duration=90)
    tallies.apply_pending(db.engine, campaign.id)
    assert counted(campaign.id) == 2
    assert counted(campaign.id, clean_only=True) == 1
    flags = sorted(db.session.scalars(select(Response.flags)))
    assert flags == [0, F.SPEEDER]


def test_a_burst_flags_rows_counted_earlier_and_moves_them_exactly(clean_app, campaign, submit):
    from questionnaire.campaigns.models import Campaign

    c = db.session.get(Campaign, campaign.id)
    c.settings = {**c.settings, "max_per_ip_window": 3, "window_seconds": 3600}
    db.session.commit()
    for _ in range(3):
        submit("K1", ip="same-ip")
    tallies.apply_pending(db.engine, campaign.id)
    assert counted(campaign.id, clean_only=True) == 3  # three is within the limit
    submit("K1", ip="same-ip")                          # the fourth makes it a burst
    tallies.apply_pending(db.engine, campaign.id)
    assert counted(campaign.id) == 4
    assert counted(campaign.id, clean_only=True) == 0
    assert tallies.verify(db.engine, campaign.id) == []


def test_rows_arriving_after_a_burst_began_are_flagged_too(clean_app, campaign, submit):
    from questionnaire.campaigns.models import Campaign

    c = db.session.get(Campaign, campaign.id)
    c.settings = {**c.settings, "max_per_ip_window": 2, "window_seconds": 3600}
    db.session.commit()
    for _ in range(3):
        submit("K1", ip="same-ip")
    tallies.apply_pending(db.engine, campaign.id)
    submit("K1", ip="same-ip")                          # the window is already a burst
    submit("K1", ip="other-ip")
    tallies.apply_pending(db.engine, campaign.id)
    flags = sorted(db.session.scalars(select(Response.flags).order_by(Response.id)))
    assert flags == [0, F.BURST_IP, F.BURST_IP, F.BURST_IP, F.BURST_IP]
    assert counted(campaign.id, clean_only=True) == 1
    assert tallies.verify(db.engine, campaign.id) == []


def test_verify_notices_a_burst_window_counter_out_of_step(clean_app, campaign, submit):
    submit("K1", ip="ip-x")
    tallies.apply_pending(db.engine, campaign.id)
    with db.engine.begin() as conn:
        conn.execute(text("UPDATE burst_windows SET responses = responses + 5 WHERE key = 'ip-x'"))
    assert any(p.startswith("burst_windows") for p in tallies.verify(db.engine, campaign.id))
    tallies.recount(db.engine, campaign.id)
    assert tallies.verify(db.engine, campaign.id) == []


def test_incremental_tallies_equal_recount_after_concurrent_submissions(clean_app, campaign, submit):
    units = ["K1", "K1T1", "K1T2", "K2", "K2T1", "U1"]
    stop = threading.Event()

    def keep_applying():
        with clean_app.app_context():
            while not stop.is_set():
                tallies.apply_pending(db.engine, campaign.id, batch_size=7)

    def one(i):
        with clean_app.app_context():
            return submit(units[i % len(units)], duration=10 + i % 40, ip=f"ip-{i % 5}",
                          gov=str(1 + i % 5), security="dk" if i % 7 == 0 else "3")

    applier = threading.Thread(target=keep_applying)
    applier.start()
    with ThreadPoolExecutor(max_workers=8) as pool:
        receipts = list(pool.map(one, range(120)))
    stop.set()
    applier.join()
    assert all(r.response_id for r in receipts)
    tallies.apply_pending(db.engine, campaign.id)
    assert tallies.verify(db.engine, campaign.id) == []
    before = stored_tallies(campaign.id)
    assert tallies.recount(db.engine, campaign.id) == 120
    after = stored_tallies(campaign.id)
    assert before.nonzero() == after.nonzero()


@pytest.mark.real_only
def test_a_row_committed_out_of_id_order_is_still_counted_once(clean_app, campaign, submit):
    """A transaction that took a lower id commits after a higher id was already counted."""
    with db.engine.connect() as slow:
        tx = slow.begin()
        submit("K1")  # committed first, so a reference row exists
        row = db.session.execute(select(Response).limit(1)).scalar_one()
        slow.execute(text(
            "INSERT INTO responses (campaign_id, questionnaire_id, questionnaire_version, collection_point_id,"
            " evaluated_unit_id, collected_unit_id, participant_hash, identity_kind, submission_id, answers,"
            " answers_digest, duration_seconds, created_at, flags, channel) SELECT campaign_id, questionnaire_id,"
            " questionnaire_version, collection_point_id, evaluated_unit_id, collected_unit_id, 'slow-person',"
            " identity_kind,"
            " :sid, answers, answers_digest, duration_seconds, created_at, 0, channel FROM responses WHERE id = :id"
        ), {"sid": str(uuid.uuid4()), "id": row.id})
        slow_id = slow.execute(text("SELECT max(id) FROM responses")).scalar_one()
        slow.execute(text("INSERT INTO tally_pending (campaign_id, response_id) VALUES (:c, :id)"),
                     {"c": campaign.id, "id": slow_id})  # as the submit path queues it, same transaction
        submit("K1")  # takes a higher id and commits while the slow one is open
        assert tallies.apply_pending(db.engine, campaign.id) == 2
        tx.commit()
    assert slow_id < db.session.scalar(select(func.max(Response.id)))
    assert tallies.apply_pending(db.engine, campaign.id) == 1
    assert counted(campaign.id) == 3
    assert tallies.verify(db.engine, campaign.id) == []


@pytest.mark.real_only
def test_sql_recount_agrees_with_the_row_by_row_reference(clean_app, campaign, submit):
    """PostgreSQL aggregates the recount itself; it must match counting row by row."""
    for i in range(40):
        submit(["K1", "K1T1", "K2T1", "U1"][i % 4], duration=10 + i, ip=f"ip-{i % 3}",
               gov=str(1 + i % 5), security="dk" if i % 6 == 0 else "4")
    tallies.apply_pending(db.engine, campaign.id)
    with db.engine.connect() as conn:
        infos = tallies.load_entry_infos(conn, campaign.id)
        in_sql = tallies._full_tally_in_sql(conn, campaign.id, infos)
        reference = tallies._full_tally_streamed(conn, campaign.id, infos)
    assert in_sql.rows == reference.rows == 40
    assert tallies.compare(reference, in_sql) == []
