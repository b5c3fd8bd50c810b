"""The tally queue: every stored response waits there exactly once until it is counted."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest
from sqlalchemy import select

from questionnaire.demo import synthetic
from questionnaire.extensions import db
from questionnaire.intake.models import Response, TallyPending
from questionnaire.intake.submissions import Outcome, Participant, Submission
from questionnaire.tallies import counting as tallies
from questionnaire.tallies import queue as tally_queue
from tests.factories import good_answers

# The queue is claimed with SKIP LOCKED and vacuumed on PostgreSQL only; synthetic rows are COPYed there.
pytestmark = pytest.mark.both_backends


def queued_ids(campaign_id):
    return sorted(db.session.scalars(select(TallyPending.response_id).where(TallyPending.campaign_id == campaign_id)))


def test_a_stored_response_is_queued_in_its_own_statement_and_counting_takes_it_off(campaign, submit):
    receipt = submit("K1")
    assert queued_ids(campaign.id) == [receipt.response_id]
    assert tallies.apply_pending(db.engine, campaign.id) == 1
    assert queued_ids(campaign.id) == []
    assert db.session.scalar(select(Response.id).where(tally_queue.counted_clause())) == receipt.response_id


def test_a_refused_second_answer_or_a_replay_queues_nothing(campaign, submit):
    first = submit("K1", person="resident-1")
    entry = submit.entries["K1"]
    again = Submission(Participant("device", "resident-1"), "d6f9e5a2-1b7e-4c1e-9a43-3f0c2a1b9e77", good_answers())
    assert submit.store.submit(entry, again).outcome is Outcome.ALREADY_PARTICIPATED
    replay = Submission(Participant("device", "resident-1"), first.submission_id, good_answers())
    assert submit.store.submit(entry, replay).outcome is Outcome.REPLAYED
    assert queued_ids(campaign.id) == [first.response_id]


def test_synthetic_rows_are_queued_like_submitted_ones(campaign, submit):
    submit("K1")
    tallies.apply_pending(db.engine, campaign.id)
    assert synthetic.generate(db.engine, campaign.id, 50, seed=3) == 50
    assert len(queued_ids(campaign.id)) == 50  # this run's rows only, not the counted one
    assert tallies.apply_pending(db.engine, campaign.id) == 50
    assert tallies.verify(db.engine, campaign.id) == []


def test_the_queue_is_vacuumed_at_most_once_a_minute_and_only_on_postgresql(clean_app, backend):
    tally_queue._last_vacuum = 0.0
    ran = [tally_queue.tidy(db.engine, now=1000.0), tally_queue.tidy(db.engine, now=1030.0),
           tally_queue.tidy(db.engine, now=1061.0)]
    assert ran == ([True, False, True] if backend == "postgres" else [False, False, False])


def as_of(campaign_id):
    from questionnaire.tallies.models import TallyState

    db.session.expire_all()
    state = db.session.get(TallyState, campaign_id)
    value = state.applied_at
    return (value if value.tzinfo else value.replace(tzinfo=timezone.utc)), state.rows_counted


def test_a_run_with_nothing_to_count_moves_the_as_of_time_forward_every_30_seconds(campaign, submit):
    submit("K1")
    assert tallies.apply_pending(db.engine, campaign.id) == 1
    counted_at, rows = as_of(campaign.id)
    assert rows == 1

    # Idle 10 s later: the time stays (the dashboard's cached figures are keyed by it).
    assert tallies.apply_pending(db.engine, campaign.id, now=counted_at + timedelta(seconds=10)) == 0
    assert as_of(campaign.id) == (counted_at, 1)

    # Idle 31 s later: the tallies are confirmed complete as of then; nothing is counted twice.
    later = counted_at + timedelta(seconds=31)
    assert tallies.apply_pending(db.engine, campaign.id, now=later) == 0
    assert as_of(campaign.id) == (later, 1)
    assert tallies.verify(db.engine, campaign.id) == []


def test_a_campaign_without_answers_gets_an_as_of_time_from_its_first_run(campaign):
    now = datetime.now(timezone.utc).replace(microsecond=0)
    assert tallies.apply_pending(db.engine, campaign.id, now=now) == 0
    assert as_of(campaign.id) == (now, 0)
