"""Helpers for tally tests: submit through the real submission path."""

from __future__ import annotations

import uuid
from datetime import datetime, timezone

import pytest

from questionnaire.extensions import db, redis_store
from questionnaire.intake.services import entry_catalog
from questionnaire.intake.submissions import Participant, Submission, SubmissionStore
from tests.factories import good_answers


class Submitter:
    def __init__(self, app, campaign):
        self.app, self.campaign = app, campaign
        self.store = SubmissionStore(engine=db.engine, redis=redis_store.client(app),
                                     hmac_key=app.config["PARTICIPANT_HMAC_KEY"])
        self.entries = {}

    def __call__(self, unit_code="K1", person=None, duration=60, ip="ip-a", now=None, **answers):
        if unit_code not in self.entries:
            with self.app.app_context():
                self.entries[unit_code] = entry_catalog().resolve(db.session, self.campaign.codes[unit_code])
        entry = self.entries[unit_code]
        # City units answer the one-question unit questionnaire; the rest the county one.
        sub_answers = {"overall": answers.get("gov", "4")} if unit_code.startswith("U") else good_answers(**answers)
        sub = Submission(Participant("device", person or str(uuid.uuid4())), str(uuid.uuid4()),
                         sub_answers, duration_seconds=duration, ip_hash=ip)
        return self.store.submit(entry, sub, now=now or datetime.now(timezone.utc))


@pytest.fixture
def submit(clean_app, campaign):
    return Submitter(clean_app, campaign)
