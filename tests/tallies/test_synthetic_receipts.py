"""Demo answers each have their own receipt number, as answers from phones do."""

from __future__ import annotations

from sqlalchemy import select

from questionnaire.demo import synthetic
from questionnaire.extensions import db
from questionnaire.intake.models import Response
from questionnaire.intake.submissions import receipt_no


def test_every_synthetic_answer_has_its_own_receipt_number(campaign):
    assert synthetic.generate(db.engine, campaign.id, 300, seed=7) == 300
    receipts = [receipt_no(s) for s in db.session.scalars(select(Response.submission_id))]
    assert len(set(receipts)) == 300
