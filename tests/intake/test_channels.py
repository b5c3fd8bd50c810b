"""A channel is a fact on the collection point: tallies, dashboard, exports and scope need no code
for it. A `leader` point (a unit head rating county K1, collected at city unit U1, no public
code) is fed through the one intake and shows up everywhere, per channel and per evaluated unit."""

from __future__ import annotations

import uuid
from datetime import datetime, timezone

import pytest
from sqlalchemy import select

from questionnaire.dashboard import figures
from questionnaire.extensions import db, redis_store
from questionnaire.intake.models import CollectionPoint, Response
from questionnaire.intake.points import load_point
from questionnaire.intake.submissions import Outcome, Participant, Submission, SubmissionStore
from questionnaire.org.scope import Scope
from questionnaire.tallies import counting
from tests.exports.conftest import read_csv
from tests.factories import good_answers


@pytest.fixture
def leader_point(campaign):
    county_qn = db.session.scalar(
        select(CollectionPoint.questionnaire_id).where(CollectionPoint.code == campaign.codes["K1"]))
    point = CollectionPoint(channel="leader", code=None, campaign_id=campaign.id, questionnaire_id=county_qn,
                            evaluated_unit_id=campaign.units["K1"].id, collected_unit_id=campaign.units["U1"].id)
    db.session.add(point)
    db.session.commit()
    return point.id

# The migration and the submit path run differently on each backend.
pytestmark = pytest.mark.both_backends


def _submit(app, point_id: int, person: str, **answers):
    store = SubmissionStore(engine=db.engine, redis=redis_store.client(app),
                            hmac_key=app.config["PARTICIPANT_HMAC_KEY"])
    point = load_point(db.session, point_id)
    sub = Submission(Participant("device", person), str(uuid.uuid4()), good_answers(**answers), duration_seconds=60)
    return store.submit(point, sub, now=datetime.now(timezone.utc))


def _qr_point(campaign, unit_code: str) -> int:
    return db.session.scalar(select(CollectionPoint.id).where(CollectionPoint.code == campaign.codes[unit_code]))


def test_an_answer_records_its_channel_evaluated_unit_and_collection_unit(clean_app, campaign, leader_point):
    receipt = _submit(clean_app, leader_point, "head-of-u1")
    assert receipt.outcome is Outcome.ACCEPTED
    row = db.session.get(Response, receipt.response_id)
    assert (row.channel, row.evaluated_unit_id, row.collected_unit_id) == (
        "leader", campaign.units["K1"].id, campaign.units["U1"].id)
    qr = _submit(clean_app, _qr_point(campaign, "K1T1"), "resident")
    assert db.session.get(Response, qr.response_id).channel == "qr"


def test_the_one_intake_keeps_one_answer_per_participant_and_idempotent_retries(clean_app, campaign, leader_point):
    first = _submit(clean_app, leader_point, "head-of-u1")
    again = _submit(clean_app, leader_point, "head-of-u1", gov="1")
    assert first.outcome is Outcome.ACCEPTED and again.outcome is Outcome.ALREADY_PARTICIPATED
    assert db.session.scalar(select(db.func.count()).select_from(Response)) == 1


def test_dashboard_figures_split_by_channel_and_count_by_evaluated_unit(clean_app, campaign, leader_point):
    _submit(clean_app, leader_point, "head-of-u1", gov="1")
    _submit(clean_app, _qr_point(campaign, "K1"), "resident-1")
    _submit(clean_app, _qr_point(campaign, "K1T1"), "resident-2")
    counting.apply_pending(db.engine, campaign.id)
    assert counting.verify(db.engine, campaign.id) == []

    def k1_and_u1(channel, scope=None):
        data = figures.load(db.session, campaign.id, scope or Scope(role="admin"), True, channel)
        counties = {r.code: r.responses for r in figures.county_rows(data)}
        units = {r.code: r.responses for r in figures.unit_rows(data)}
        return counties.get("K1"), units.get("U1")

    # The leader rating evaluates K1 though it was collected at U1: it counts for K1, not for U1.
    assert k1_and_u1(None) == (3, 0)
    assert k1_and_u1("qr") == (2, 0)
    assert k1_and_u1("leader") == (1, 0)
    assert k1_and_u1("phone") == (0, 0)
    # Office scope follows the evaluated unit too: K1's own account sees the rating of K1.
    assert k1_and_u1("leader", Scope(role="county", county_id=campaign.units["K1"].id))[0] == 1


def test_dashboard_json_and_tallies_export_take_a_channel(clean_app, campaign, leader_point, login_as):
    _submit(clean_app, leader_point, "head-of-u1")
    _submit(clean_app, _qr_point(campaign, "K1"), "resident-1")
    client = login_as("admin")
    body = client.get(f"/dashboard/api/campaigns/{campaign.id}/figures?channel=leader").get_json()
    assert body["channel"] == "leader" and body["summary"]["total"] == 1
    assert client.get(f"/dashboard/api/campaigns/{campaign.id}/figures").get_json()["summary"]["total"] == 2
    bad = client.get(f"/dashboard/api/campaigns/{campaign.id}/figures?channel=fax")
    assert bad.status_code == 400 and "channel" in bad.get_json()["error"]["message"]
    page = client.get(f"/dashboard/campaigns/{campaign.id}?channel=leader")
    assert page.status_code == 200 and 'class="on">领导评价</a>' in page.get_data(as_text=True)

    def export(channel):
        # RQ runs inline in tests: the job has finished when the 303 comes back.
        response = client.post("/office/exports", data={"campaign": campaign.id, "dataset": "responses",
                                                         "fmt": "csv", "channel": channel, "include_flagged": "1"})
        assert response.status_code == 303, response.get_data(as_text=True)[:300]
        job_id = response.headers["Location"].rstrip("/").split("/")[-1]
        return read_csv(client.get(f"/office/exports/jobs/{job_id}/download").data)

    assert len(export("leader")) - 1 == 1  # header + the one leader answer
    assert len(export("")) - 1 == 2


def test_a_one_channel_dashboard_draws_its_own_time_series(clean_app, campaign, leader_point):
    _submit(clean_app, leader_point, "head-of-u1")
    _submit(clean_app, _qr_point(campaign, "K1"), "resident-1")
    _submit(clean_app, _qr_point(campaign, "K1T1"), "resident-2")
    counting.apply_pending(db.engine, campaign.id)
    assert counting.verify(db.engine, campaign.id) == []

    def hourly_total(channel, scope):
        data = figures.load(db.session, campaign.id, scope, True, channel)
        assert data.hours_available
        return sum(data.hours.values())

    admin, k1 = Scope(role="admin"), Scope(role="county", county_id=campaign.units["K1"].id)
    assert (hourly_total(None, admin), hourly_total("qr", admin), hourly_total("leader", admin)) == (3, 2, 1)
    # The rating of K1, collected at city unit U1, is in K1's series like in K1's league-table row.
    assert (hourly_total("leader", k1), hourly_total(None, k1)) == (1, 3)
    assert hourly_total("phone", admin) == 0
