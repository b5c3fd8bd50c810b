"""A scored small campaign with answers counted: QR residents (with suggestions), two leader ratings of
K1, K1's rectification counts entered by the office."""

from __future__ import annotations

import uuid
from datetime import datetime, timezone

import pytest
from sqlalchemy import select

from questionnaire.extensions import db, redis_store
from questionnaire.intake.models import CollectionPoint
from questionnaire.intake.points import load_point
from questionnaire.intake.submissions import Outcome, Participant, Submission, SubmissionStore
from questionnaire.results.models import ExternalValue
from questionnaire.tallies import counting
from tests.factories import good_answers
from tests.results.conftest import scored  # noqa: F401 - fixture


def _leader_rating(app, point_id: int, person: str, **answers) -> None:
    store = SubmissionStore(engine=db.engine, redis=redis_store.client(app),
                            hmac_key=app.config["PARTICIPANT_HMAC_KEY"])
    sub = Submission(Participant("device", person), str(uuid.uuid4()), good_answers(suggestion=None, **answers),
                     duration_seconds=60)
    receipt = store.submit(load_point(db.session, point_id), sub, now=datetime.now(timezone.utc))
    assert receipt.outcome is Outcome.ACCEPTED


@pytest.fixture
def reported(clean_app, scored, respond, accounts):
    county_qn = db.session.scalar(select(CollectionPoint.questionnaire_id)
                                  .where(CollectionPoint.code == scored.codes["K1"]))
    leader = CollectionPoint(channel="leader", code=None, campaign_id=scored.id, questionnaire_id=county_qn,
                             evaluated_unit_id=scored.units["K1"].id, collected_unit_id=scored.units["U1"].id)
    db.session.add(leader)
    db.session.add(ExternalValue(campaign_id=scored.id, unit_id=scored.units["K1"].id, key="rectification",
                                 value={"numerator": "541", "denominator": "625"}, source="整改台账"))
    db.session.commit()
    levels = ["5", "4", "3", "2", "1", "5", "4", "dk"]
    for i in range(8):
        respond("K1", gov=levels[i], security=levels[(i * 3) % 8], suggestion=f"建议{i}：联系我13812345678")
    for i in range(4):
        respond("K1T1", gov=levels[i + 2], security="4")
    for i in range(3):
        respond("K2", gov="5", security=levels[i])
    for i in range(2):
        respond("U1", gov=levels[i])
    for i, level in enumerate(("3", "4")):
        _leader_rating(clean_app, leader.id, f"head-{i}", gov=level, security="5")
    counting.apply_pending(db.engine, scored.id)
    return scored
