"""The tally queue: every stored response waits there exactly once until it is counted."""

from __future__ import annotations

from sqlalchemy import select

from questionnaire.extensions import db
from questionnaire.models import Response, TallyPending
from questionnaire.services import synthetic, tallies, tally_queue
from questionnaire.services.submissions import Outcome, Participant, Submission
from tests.factories import good_answers


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
