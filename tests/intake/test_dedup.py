"""One answer per participant per campaign: Redis is the fast path, PostgreSQL the truth."""

import uuid
from concurrent.futures import ThreadPoolExecutor

import pytest
import redis
from sqlalchemy import func, select

from questionnaire.extensions import db, redis_store
from questionnaire.intake.models import Response
from questionnaire.intake.services import entry_catalog
from questionnaire.intake.submissions import Outcome, Participant, Submission, SubmissionStore
from tests.factories import good_answers

# The writer (ON CONFLICT per dialect, a kept psycopg connection) and the Redis claim.
pytestmark = pytest.mark.both_backends


def store_for(app, redis_client=None) -> SubmissionStore:
    return SubmissionStore(engine=db.engine, redis=redis_client or redis_store.client(app),
                           hmac_key=app.config["PARTICIPANT_HMAC_KEY"])


def submission(person="resident-1", sid=None, **answers) -> Submission:
    return Submission(Participant("device", person), sid or str(uuid.uuid4()), good_answers(**answers))


def stored_count() -> int:
    return db.session.scalar(select(func.count()).select_from(Response))


def run_concurrently(fn, n):
    with ThreadPoolExecutor(max_workers=n) as pool:
        return list(pool.map(lambda _: fn(), range(n)))


@pytest.mark.real_only
def test_fifty_concurrent_submits_from_one_participant_store_exactly_one(clean_app, campaign):
    entry = entry_catalog().resolve(db.session, campaign.codes["K1"])
    store = store_for(clean_app)
    outcomes = run_concurrently(lambda: store.submit(entry, submission()).outcome, 50)
    assert outcomes.count(Outcome.ACCEPTED) == 1
    assert outcomes.count(Outcome.ALREADY_PARTICIPATED) == 49
    assert stored_count() == 1


@pytest.mark.real_only
def test_fifty_concurrent_retries_of_one_submission_return_one_receipt(clean_app, campaign):
    entry = entry_catalog().resolve(db.session, campaign.codes["K1"])
    store = store_for(clean_app)
    sid = str(uuid.uuid4())
    receipts = run_concurrently(lambda: store.submit(entry, submission(sid=sid)), 50)
    assert [r.outcome for r in receipts].count(Outcome.ACCEPTED) == 1
    assert {r.outcome for r in receipts} <= {Outcome.ACCEPTED, Outcome.REPLAYED}
    assert len({r.response_id for r in receipts}) == 1
    assert stored_count() == 1


def test_concurrent_submits_from_many_participants_are_all_stored(clean_app, campaign):
    entry = entry_catalog().resolve(db.session, campaign.codes["K1"])
    store = store_for(clean_app)
    people = iter(range(1000))
    outcomes = run_concurrently(lambda: store.submit(entry, submission(person=f"p{next(people)}")).outcome, 20)
    assert outcomes == [Outcome.ACCEPTED] * 20
    assert stored_count() == 20


def test_dedup_holds_when_redis_is_unavailable(clean_app, campaign):
    entry = entry_catalog().resolve(db.session, campaign.codes["K1"])
    dead = redis.Redis(host="127.0.0.1", port=1, socket_connect_timeout=0.2, socket_timeout=0.2)
    store = store_for(clean_app, dead)
    assert store.submit(entry, submission()).outcome is Outcome.ACCEPTED
    assert store.submit(entry, submission()).outcome is Outcome.ALREADY_PARTICIPATED
    assert stored_count() == 1


def test_dedup_holds_after_redis_is_flushed_and_the_marker_comes_back(clean_app, campaign):
    entry = entry_catalog().resolve(db.session, campaign.codes["K1"])
    store = store_for(clean_app)
    assert store.submit(entry, submission()).outcome is Outcome.ACCEPTED
    redis_store.client(clean_app).flushdb()
    assert store.submit(entry, submission()).outcome is Outcome.ALREADY_PARTICIPATED
    # The refusal rebuilt the committed marker, so the next duplicate is refused without a query.
    keys = redis_store.client(clean_app).keys("sq:*:participant:*")
    assert len(keys) == 1 and redis_store.client(clean_app).get(keys[0]).startswith(b"d:")
    assert stored_count() == 1


def test_a_failed_database_write_releases_the_redis_claim(clean_app, campaign, monkeypatch):
    from questionnaire.intake.writer import DatabaseUnavailable
    from questionnaire.kernel.errors import ServiceUnavailable

    entry = entry_catalog().resolve(db.session, campaign.codes["K1"])
    store = store_for(clean_app)

    def refused(row):
        raise DatabaseUnavailable(lost=False)

    monkeypatch.setattr(store.writer, "insert", refused)
    with pytest.raises(ServiceUnavailable):
        store.submit(entry, submission())
    monkeypatch.undo()
    assert redis_store.client(clean_app).keys("sq:*:participant:*") == []
    assert store.submit(entry, submission()).outcome is Outcome.ACCEPTED
    assert stored_count() == 1


def lose_the_connection(monkeypatch, writer, times: int, after_insert: bool):
    """The next `times` inserts fail as a dropped connection does: after the row was
    committed (the reply was lost) or before the statement reached the server."""
    from questionnaire.intake.writer import DatabaseUnavailable

    real_insert, calls = writer.insert, []

    def insert(row):
        calls.append(row["submission_id"])
        if len(calls) > times:
            return real_insert(row)
        if after_insert:
            real_insert(row)
        raise DatabaseUnavailable(lost=True)

    monkeypatch.setattr(writer, "insert", insert)
    return calls


@pytest.mark.parametrize("after_insert", [True, False], ids=["reply-lost", "statement-lost"])
def test_a_connection_lost_mid_submit_is_retried_once_and_the_answer_is_accepted(
        clean_app, campaign, monkeypatch, after_insert):
    entry = entry_catalog().resolve(db.session, campaign.codes["K1"])
    store = store_for(clean_app)
    calls = lose_the_connection(monkeypatch, store.writer, times=1, after_insert=after_insert)
    receipt = store.submit(entry, submission())
    assert receipt.outcome is Outcome.ACCEPTED and receipt.response_id is not None
    assert len(calls) == 2 and calls[0] == calls[1] == receipt.submission_id
    assert stored_count() == 1


def test_a_second_lost_connection_is_a_503_and_the_clients_retry_gets_the_first_receipt(
        clean_app, campaign, monkeypatch):
    from questionnaire.kernel.errors import ServiceUnavailable

    entry = entry_catalog().resolve(db.session, campaign.codes["K1"])
    store = store_for(clean_app)
    lose_the_connection(monkeypatch, store.writer, times=2, after_insert=True)
    first = submission()
    with pytest.raises(ServiceUnavailable):
        store.submit(entry, first)
    monkeypatch.undo()
    again = store.submit(entry, first)  # the same form token / submission_id
    assert again.outcome is Outcome.REPLAYED and again.submission_id == first.submission_id
    assert store.submit(entry, submission()).outcome is Outcome.ALREADY_PARTICIPATED
    assert stored_count() == 1


@pytest.mark.real_only
def test_a_writer_connection_killed_by_postgres_is_replaced_without_an_error(clean_app, campaign):
    """PostgreSQL ends the kept connection (restart, failover, idle timeout): the next submit
    on that thread notices, reconnects and stores the answer; nobody sees an error."""
    from sqlalchemy import text

    entry = entry_catalog().resolve(db.session, campaign.codes["K1"])
    store = store_for(clean_app)
    assert store.submit(entry, submission(person="before")).outcome is Outcome.ACCEPTED
    pid = store.writer._connection().info.backend_pid
    with db.engine.connect() as admin:
        assert admin.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": pid}).scalar() is True
    assert store.submit(entry, submission(person="after")).outcome is Outcome.ACCEPTED
    assert store.writer._connection().info.backend_pid != pid
    assert stored_count() == 2


def test_the_same_person_may_answer_again_in_another_campaign(clean_app, campaign):

    from questionnaire.campaign_file.importer import import_campaign
    from tests.factories import small_campaign_doc

    doc = small_campaign_doc()
    doc["campaign"]["slug"] = "test-2027"
    import_campaign(db.session, doc)
    from questionnaire.intake.models import CollectionPoint

    other = db.session.scalars(select(CollectionPoint).where(CollectionPoint.campaign_id != campaign.id)).first()
    store = store_for(clean_app)
    first = entry_catalog().resolve(db.session, campaign.codes["K1"])
    second = entry_catalog().resolve(db.session, other.code)
    assert store.submit(first, submission()).outcome is Outcome.ACCEPTED
    assert store.submit(second, submission()).outcome is Outcome.ACCEPTED


def test_an_accepted_answer_is_marked_committed_by_the_next_admission(clean_app, campaign):
    """One Redis round trip per submission: the committed marker waits for the next script.
    Until then the marker says in flight, and a duplicate is refused by PostgreSQL."""
    entry = entry_catalog().resolve(db.session, campaign.codes["K1"])
    client = redis_store.client(clean_app)
    store, other_process = store_for(clean_app), store_for(clean_app)
    first = store.submit(entry, submission(person="early"))
    (marker,) = client.keys("sq:*:participant:*")
    assert client.get(marker) == f"p:{first.submission_id}".encode()
    store.submit(entry, submission(person="later"))
    assert client.get(marker) == f"d:{first.submission_id}".encode()

    # Another process meets the in-flight marker: PostgreSQL refuses, and nothing is stored.
    store.submit(entry, submission(person="late"))
    assert other_process.submit(entry, submission(person="late")).outcome is Outcome.ALREADY_PARTICIPATED
    assert stored_count() == 3
