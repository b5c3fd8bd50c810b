"""Live results are read from the tally tables, and equal a recomputation from the raw responses.

Answers go in through the one intake (QR residents and a unit head's `leader` rating of K1), the
tally step counts them, and the results JSON is held against scores recomputed here from the
`responses` rows with campaigns/scoring.py and the engine, on both backends.
"""

from __future__ import annotations

import uuid
from collections import Counter, defaultdict
from datetime import datetime, timezone

import pytest
from sqlalchemy import select

from questionnaire.campaigns.scoring import exact_rate, exact_satisfaction_index
from questionnaire.campaigns.service import load_definitions
from questionnaire.extensions import db, redis_store
from questionnaire.intake.channels import scored_channel
from questionnaire.intake.models import CollectionPoint, Response
from questionnaire.intake.points import load_point
from questionnaire.intake.submissions import Outcome, Participant, Submission, SubmissionStore
from questionnaire.kernel.numbers import format_percent, format_score
from questionnaire.results.engine import EntityInputs, evaluate, rank
from questionnaire.results.scheme import parse_scheme
from questionnaire.tallies import counting
from tests.factories import good_answers
from tests.results.conftest import COUNTY_SCHEME, UNIT_SCHEME

pytestmark = pytest.mark.both_backends


def _submit(app, point_id: int, person: str, **answers):
    store = SubmissionStore(engine=db.engine, redis=redis_store.client(app),
                            hmac_key=app.config["PARTICIPANT_HMAC_KEY"])
    sub = Submission(Participant("device", person), str(uuid.uuid4()), good_answers(**answers), duration_seconds=60)
    receipt = store.submit(load_point(db.session, point_id), sub, now=datetime.now(timezone.utc))
    assert receipt.outcome is Outcome.ACCEPTED
    return receipt


def _point(campaign, unit_code: str) -> int:
    return db.session.scalar(select(CollectionPoint.id).where(CollectionPoint.code == campaign.codes[unit_code]))


@pytest.fixture
def answered(clean_app, scored):
    """QR answers for K1 (its own code and a township's), K2 and U1, two online leader ratings of K1
    and one keyed in from a paper form (a `leader_paper` point: it counts for the leader channel)."""
    county_qn = db.session.scalar(select(CollectionPoint.questionnaire_id)
                                  .where(CollectionPoint.code == scored.codes["K1"]))
    leader = CollectionPoint(channel="leader", code=None, campaign_id=scored.id, questionnaire_id=county_qn,
                             evaluated_unit_id=scored.units["K1"].id, collected_unit_id=scored.units["U1"].id)
    paper = CollectionPoint(channel="leader_paper", code=None, campaign_id=scored.id, questionnaire_id=county_qn,
                            evaluated_unit_id=scored.units["K1"].id, collected_unit_id=scored.units["U1"].id)
    db.session.add_all([leader, paper])
    db.session.commit()
    levels = ["5", "4", "3", "2", "1", "5", "4", "3", "2", "1", "dk", "5"]
    plan = [("K1", 6), ("K1T1", 4), ("K2", 5), ("K2T1", 2)]
    n = 0
    for code, count in plan:
        for _ in range(count):
            n += 1
            _submit(clean_app, _point(scored, code), f"resident-{n}", gov=levels[n % 12],
                    security=levels[(n * 7) % 12], transport=levels[(n * 5) % 12])
    for i, level in enumerate(("3", "4")):
        _submit(clean_app, leader.id, f"head-{i}", gov=level, security="5", transport="4")
    _submit(clean_app, paper.id, "head-2", gov="1", security="2", transport="3")
    for i, answers in enumerate([{"overall": "5"}, {"overall": "4"}, {"overall": "3"}]):
        store = SubmissionStore(engine=db.engine, redis=redis_store.client(clean_app),
                                hmac_key=clean_app.config["PARTICIPANT_HMAC_KEY"])
        sub = Submission(Participant("device", f"u-{i}"), str(uuid.uuid4()), answers, duration_seconds=60)
        assert store.submit(load_point(db.session, _point(scored, "U1")), sub,
                            now=datetime.now(timezone.utc)).outcome is Outcome.ACCEPTED
    counting.apply_pending(db.engine, scored.id)
    return scored


def _recompute_from_responses(campaign_id: int, kind: str, raw_scheme: dict, unit_ids: list[int]) -> dict:
    """Scores from the raw `responses` rows (clean ones), independently of the tally tables."""
    scales = {(qn_id, q.id): q.scale for qn_id, d in load_definitions(db.session, campaign_id).items()
              for q in d.rating_questions()}
    per_channel: dict = defaultdict(lambda: defaultdict(Counter))
    per_question: dict = defaultdict(lambda: defaultdict(Counter))
    responses: Counter = Counter()
    for row in db.session.scalars(select(Response).where(Response.campaign_id == campaign_id, Response.flags == 0)):
        key = (row.evaluated_unit_id, scored_channel(row.channel))
        responses[key] += 1
        for qid, value in row.answers.items():
            if (row.questionnaire_id, qid) in scales:
                per_channel[key][(row.questionnaire_id, qid)][value] += 1
                per_question[key][qid][value] += 1
    scheme = parse_scheme(kind, raw_scheme)
    scores = {}
    for unit_id in unit_ids:
        keys = [k for k in per_channel if k[0] == unit_id]
        inputs = EntityInputs(
            channel_rates={k[1]: exact_satisfaction_index(per_channel[k], scales) for k in keys},
            channel_counts={k[1]: responses[k] for k in keys},
            question_rates={(k[1], qid): exact_rate(c) for k in keys for qid, c in per_question[k].items()})
        scores[unit_id] = evaluate(scheme, inputs)
    ranks = rank({u: s.total for u, s in scores.items()})
    return {u: {"score": format_score(s.total), "grade": s.grade, "weighted_rate": format_percent(s.composite),
                "rank": ranks[u][0], "tied": ranks[u][1],
                "channels": {p.channel: (format_percent(p.rate), responses[(u, p.channel)]) for p in s.channels},
                "indicators": {n.node.path: format_score(n.awarded) for n in s.leaves()}}
            for u, s in scores.items()}


def _shown(entity: dict) -> dict:
    return {"score": entity["score"], "grade": entity["grade"], "weighted_rate": entity["weighted_rate"],
            "rank": entity["rank"], "tied": entity["tied"],
            "channels": {c["channel"]: (c["rate"], c["responses"]) for c in entity["channels"]},
            "indicators": {i["path"]: i["awarded"] for i in entity["indicators"] if i["leaf"]}}


def test_results_figures_equal_a_recomputation_from_the_raw_responses(answered, login_as):
    body = login_as("admin").get(f"/results/api/campaigns/{answered.id}").get_json()
    counties = {e["unit_id"]: _shown(e) for e in body["kinds"]["county"]["entities"]}
    units = {e["unit_id"]: _shown(e) for e in body["kinds"]["city_unit"]["entities"]}
    county_ids = [answered.units["K1"].id, answered.units["K2"].id]
    assert counties == _recompute_from_responses(answered.id, "county", COUNTY_SCHEME, county_ids)
    assert units == _recompute_from_responses(answered.id, "city_unit", UNIT_SCHEME, [answered.units["U1"].id])
    k1 = counties[answered.units["K1"].id]
    assert k1["channels"]["leader"][1] == 3 and k1["channels"]["qr"][1] == 10   # K1's own code and its township's
    assert set(k1["channels"]) == {"qr", "leader"}  # the paper rating is in the leader channel's 3
    assert body["kinds"]["county"]["scheme"]["version"] == 1


def test_results_never_read_the_responses_table(answered, login_as):
    client = login_as("admin")
    before = client.get(f"/results/api/campaigns/{answered.id}").get_json()
    # Rows nobody has counted yet do not move the results: they come from the tallies only.
    db.session.query(Response).filter(Response.campaign_id == answered.id).update({"answers": {"gov": "1"}})
    db.session.commit()
    assert client.get(f"/results/api/campaigns/{answered.id}").get_json() == before
