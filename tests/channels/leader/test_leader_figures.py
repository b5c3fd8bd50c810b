"""Leader ratings in tallies and the dashboard with no leader code there (spec L6, L8, L9): the one
weighted rate, per channel; counties and units see only their own aggregate, 样本不足 below n = 5."""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta, timezone

import pytest
from sqlalchemy import select

from questionnaire.campaigns.models import Questionnaire
from questionnaire.dashboard import figures
from questionnaire.extensions import db, redis_store
from questionnaire.intake.models import CollectionPoint, Response
from questionnaire.intake.points import load_point
from questionnaire.intake.submissions import Outcome, Participant, Submission, SubmissionStore
from questionnaire.org.scope import Scope
from questionnaire.tallies import counting
from tests.channels.leader.conftest import leader_campaign, ratings  # noqa: F401 - fixture

# The submit path, the tally counting and the scope clauses run differently on each backend.
pytestmark = pytest.mark.both_backends


def _rate_many(app, campaign, ratee: str, rater_unit: str, levels: list[str], comment: str | None = None) -> None:
    """Ratings of `ratee` by raters of `rater_unit`, through the one intake on a leader point."""
    qn = db.session.scalar(select(Questionnaire.id).where(Questionnaire.key == "leader"))
    point = CollectionPoint(channel="leader", campaign_id=campaign.id, questionnaire_id=qn,
                            evaluated_unit_id=campaign.units[ratee].id, collected_unit_id=campaign.units[rater_unit].id)
    db.session.add(point)
    db.session.commit()
    store = SubmissionStore(db.engine, redis_store.client(app), app.config["PARTICIPANT_HMAC_KEY"])
    resolved = load_point(db.session, point.id)
    start = datetime.now(timezone.utc)
    for i, level in enumerate(levels):
        answers = ratings(level, **({"comment": comment} if comment else {}))
        # A second apart: raters answer over days, not 300 through one point in one minute (a burst).
        receipt = store.submit(resolved, Submission(Participant("leader", f"{rater_unit}:{ratee}:{i}"),
                                                    str(uuid.uuid4()), answers), now=start - timedelta(seconds=i))
        assert receipt.outcome is Outcome.ACCEPTED
    counting.apply_pending(db.engine, campaign.id)


def _leader_questions(campaign_id, scope):
    data = figures.load(db.session, campaign_id, scope, True, "leader")
    return {q.question_id: q for q in figures.question_rows(data)}, data


def test_county_a_with_150_100_40_8_2_and_10_dont_know_is_rated_85_47_percent_on_n_300(clean_app, leader_campaign):
    levels = ["5"] * 150 + ["4"] * 100 + ["3"] * 40 + ["2"] * 8 + ["1"] * 2 + ["dk"] * 10
    _rate_many(clean_app, leader_campaign, "K1", "U1", levels)
    questions, data = _leader_questions(leader_campaign.id, Scope(role="admin"))
    overall = questions["overall"]
    assert (overall.rated, overall.dont_know) == (300, 10)
    assert f"{overall.rate:.2f}" == "85.47"
    [k1] = [row for row in figures.county_rows(data) if row.code == "K1"]
    assert k1.responses == 310 and f"{k1.satisfaction_index:.2f}" == "85.47"  # every aspect the same here
    # Six identical levels from an invited rater are no straight-lining flag (residents' heuristics).
    assert set(db.session.scalars(select(Response.flags).where(Response.channel == "leader"))) == {0}
    qr_only = figures.load(db.session, leader_campaign.id, Scope(role="admin"), True, "qr")
    assert [r.responses for r in figures.county_rows(qr_only) if r.code == "K1"] == [0]


def test_a_county_sees_its_own_leader_aggregate_and_no_other_county(login_as, campaign, leader_campaign, clean_app):
    _rate_many(clean_app, leader_campaign, "K1", "U1", ["4"] * 6, comment="某某同志的意见")
    _rate_many(clean_app, leader_campaign, "K2", "U1", ["2"] * 6)
    client = login_as("k1")
    body = client.get(f"/dashboard/api/campaigns/{leader_campaign.id}/figures?channel=leader").get_json()
    counties = {row["code"]: row for row in body["counties"]}
    assert set(counties) == {"K1"} and counties["K1"]["responses"] == 6
    assert f"{counties['K1']['satisfaction_index']:.2f}" == "80.00"
    assert body["suggestions"] == []  # a leader's comment is an individual answer: office only
    k2 = leader_campaign.units["K2"].id
    assert client.get(f"/dashboard/campaigns/{leader_campaign.id}/counties/{k2}?channel=leader").status_code == 404


def test_a_unit_with_4_ratings_sees_too_few_ratings_and_the_office_sees_the_number(login_as, campaign,
                                                                                   leader_campaign, clean_app):
    _rate_many(clean_app, leader_campaign, "U1", "U2", ["5", "4", "4", "3"])
    _rate_many(clean_app, leader_campaign, "K1", "U1", ["5"] * 6)  # U1's own heads rating a county
    unit_view = figures.load(db.session, leader_campaign.id, Scope(role="unit", unit_id=leader_campaign.units["U1"].id),
                             True, "leader")
    [u1] = [row for row in figures.unit_rows(unit_view) if row.code == "U1"]
    assert (u1.responses, u1.satisfaction_index, u1.small_sample) == (4, None, True)
    # The collecting unit grants no scope on a confidential channel: U1 never sees its heads' ratings of K1.
    assert {e.evaluated_unit_id for e in unit_view.entries.values()} == {leader_campaign.units["U1"].id}
    page = login_as("u1").get(f"/dashboard/campaigns/{leader_campaign.id}?channel=leader").get_data(as_text=True)
    assert "样本不足" in page
    office = figures.load(db.session, leader_campaign.id, Scope(role="admin"), True, "leader")
    [u1_office] = [row for row in figures.unit_rows(office) if row.code == "U1"]
    assert f"{u1_office.satisfaction_index:.2f}" == "80.00" and not u1_office.small_sample


def test_county_and_unit_exports_carry_no_individual_leader_ratings(login_as, campaign, leader_campaign, clean_app):
    from tests.exports.conftest import read_csv

    _rate_many(clean_app, leader_campaign, "K1", "U1", ["4"] * 6)
    for username, expected in (("k1", 0), ("admin", 6)):
        client = login_as(username)
        response = client.post("/office/exports", data={"campaign": leader_campaign.id, "dataset": "responses",
                                                        "fmt": "csv", "channel": "leader", "include_flagged": "1"})
        assert response.status_code == 303
        job_id = response.headers["Location"].rstrip("/").split("/")[-1]
        assert len(read_csv(client.get(f"/office/exports/jobs/{job_id}/download").data)) - 1 == expected, username


def test_the_qr_entry_pages_list_no_leader_points(login_as, campaign, leader_campaign, clean_app):
    _rate_many(clean_app, leader_campaign, "K1", "U1", ["4"])
    point_id = db.session.scalar(select(CollectionPoint.id).where(CollectionPoint.channel == "leader"))
    for username in ("admin", "u1"):
        client = login_as(username)
        page = client.get(f"/office/campaigns/{leader_campaign.id}/entries").get_data(as_text=True)
        assert "/s/None" not in page  # a code-less point would show up as an entry without a link
        assert client.get(f"/office/entries/{point_id}/qr.png").status_code == 404


def test_paper_and_online_leader_ratings_make_one_cell_for_the_minimum_sample():
    from questionnaire.intake.visibility import small_cells
    from questionnaire.org.scope import Scope

    county = Scope(role="county", county_id=7)
    points = [(1, "leader", 7), (2, "leader_paper", 7), (3, "leader", 8)]
    # 4 online + 3 paper ratings of unit 7 reach the minimum of 5; unit 8's 4 do not.
    assert small_cells(county, points, {1: 4, 2: 3, 3: 4}) == frozenset({3})
    assert small_cells(Scope(role="admin"), points, {1: 1, 2: 0, 3: 0}) == frozenset()
