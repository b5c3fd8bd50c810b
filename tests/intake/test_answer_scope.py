"""The one-answer rule is a campaign setting: once per campaign, per questionnaire (the
default) or per evaluated unit. Redis (the fast path) and the unique key (the truth) follow it."""

import hashlib
import hmac
import uuid
from concurrent.futures import ThreadPoolExecutor

import pytest
from sqlalchemy import func, select

from questionnaire.campaigns import answer_scope
from questionnaire.extensions import db, redis_store
from questionnaire.intake.models import Response
from questionnaire.intake.services import entry_catalog
from questionnaire.intake.submissions import Outcome, Participant, Submission, SubmissionStore
from questionnaire.kernel import keys
from tests.factories import good_answers, import_small_campaign

# The writer's unique key per dialect and the Redis claim.
pytestmark = pytest.mark.both_backends

# Entry (by its poster unit) -> what it is about. K1T1 is a township of K1: it evaluates K1.
ENTRIES = ("K1", "K1T1", "K2", "U1")
# How many answers one resident may give through all four entries, per setting.
ALLOWED = {answer_scope.CAMPAIGN: 1, answer_scope.QUESTIONNAIRE: 2, answer_scope.EVALUATED_UNIT: 3}


def answers_for(unit_code: str) -> dict:
    return {"overall": "4"} if unit_code.startswith("U") else good_answers()


def submitter(app, campaign):
    store = SubmissionStore(engine=db.engine, redis=redis_store.client(app),
                            hmac_key=app.config["PARTICIPANT_HMAC_KEY"])
    entries = {code: entry_catalog().resolve(db.session, campaign.codes[code]) for code in ENTRIES}

    def submit(unit_code: str, person: str = "resident-1"):
        sub = Submission(Participant("device", person), str(uuid.uuid4()), answers_for(unit_code))
        return store.submit(entries[unit_code], sub).outcome

    return submit


def stored_count() -> int:
    db.session.remove()
    return db.session.scalar(select(func.count()).select_from(Response))


def test_by_default_a_resident_rates_their_county_and_separately_a_city_unit(clean_app):
    campaign = import_small_campaign()
    submit = submitter(clean_app, campaign)
    assert submit("K1") is Outcome.ACCEPTED
    assert submit("U1") is Outcome.ACCEPTED  # the city unit questionnaire: a second answer
    assert submit("K1T1") is Outcome.ALREADY_PARTICIPATED  # the county questionnaire again
    assert submit("K2") is Outcome.ALREADY_PARTICIPATED  # ... also about another county
    assert submit("K2", person="resident-2") is Outcome.ACCEPTED
    assert stored_count() == 3


def test_once_per_campaign_refuses_the_city_unit_after_the_county(clean_app):
    campaign = import_small_campaign(answer_scope=answer_scope.CAMPAIGN)
    submit = submitter(clean_app, campaign)
    assert submit("K1") is Outcome.ACCEPTED
    assert [submit(code) for code in ("U1", "K2", "K1T1")] == [Outcome.ALREADY_PARTICIPATED] * 3
    assert stored_count() == 1


def test_once_per_evaluated_unit_counts_a_townships_code_as_its_county(clean_app):
    campaign = import_small_campaign(answer_scope=answer_scope.EVALUATED_UNIT)
    submit = submitter(clean_app, campaign)
    assert submit("K1") is Outcome.ACCEPTED
    assert submit("K1T1") is Outcome.ALREADY_PARTICIPATED  # evaluates K1 too
    assert submit("K2") is Outcome.ACCEPTED
    assert submit("U1") is Outcome.ACCEPTED
    assert stored_count() == 3


@pytest.mark.parametrize("scope", answer_scope.SCOPES)
def test_the_database_refuses_per_scope_when_redis_has_lost_its_markers(clean_app, scope):
    campaign = import_small_campaign(answer_scope=scope)
    submit = submitter(clean_app, campaign)
    first = [submit(code) for code in ENTRIES]
    redis_store.client(clean_app).flushdb()
    again = [submit(code) for code in ENTRIES]
    assert first.count(Outcome.ACCEPTED) == ALLOWED[scope]
    assert again == [Outcome.ALREADY_PARTICIPATED] * len(ENTRIES)
    # The refusals put the committed markers back: one per answer the scope allows.
    markers = redis_store.client(clean_app).keys(keys.participant(campaign.id, "*"))
    assert len(markers) == ALLOWED[scope]
    assert stored_count() == ALLOWED[scope]


@pytest.mark.parametrize("scope", answer_scope.SCOPES)
def test_fifty_concurrent_submits_of_one_resident_store_what_the_scope_allows(clean_app, scope):
    campaign = import_small_campaign(answer_scope=scope)
    submit = submitter(clean_app, campaign)
    others = iter(range(1000))

    def one(i: int):
        if i % 5 == 4:  # every fifth is someone else, who is stored whatever the scope
            return "other", submit(ENTRIES[i % 4], person=f"other-{next(others)}")
        return "resident", submit(ENTRIES[i % 4])

    with ThreadPoolExecutor(max_workers=50) as pool:
        results = list(pool.map(one, range(50)))
    resident = [outcome for who, outcome in results if who == "resident"]
    assert resident.count(Outcome.ACCEPTED) == ALLOWED[scope]
    assert resident.count(Outcome.ALREADY_PARTICIPATED) == len(resident) - ALLOWED[scope]
    assert [outcome for who, outcome in results if who == "other"] == [Outcome.ACCEPTED] * 10
    assert stored_count() == ALLOWED[scope] + 10


def test_a_campaign_scope_key_is_the_key_stored_before_the_setting_existed(clean_app):
    """Campaigns migrated to 'once per campaign' keep refusing the people who answered."""
    campaign = import_small_campaign(answer_scope=answer_scope.CAMPAIGN)
    submitter(clean_app, campaign)("K1")
    [row] = db.session.scalars(select(Response))
    key = clean_app.config["PARTICIPANT_HMAC_KEY"].encode()
    before_0009 = hmac.new(key, f"{campaign.id}\x1fdevice\x1fresident-1".encode(), hashlib.sha256).hexdigest()
    assert row.participant_hash == before_0009
