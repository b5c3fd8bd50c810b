"""Export fixtures: office accounts, responses submitted through the real store, file readers."""

from __future__ import annotations

import csv
import io
import uuid
from datetime import datetime, timezone

import pytest
from openpyxl import load_workbook

from questionnaire.extensions import db, redis_store
from questionnaire.intake.services import entry_catalog
from questionnaire.intake.submissions import Participant, Submission, SubmissionStore
from tests.factories import good_answers
from tests.office.conftest import PASSWORD, accounts, login, login_as  # noqa: F401 - fixtures

# 17:30:05 UTC is 01:30:05 the next day in China: a date that moves shows a missing conversion.
SUBMITTED_AT = datetime.now(timezone.utc).replace(hour=17, minute=30, second=5, microsecond=0)


class Responder:
    """Submit answers as a resident would, through SubmissionStore (dedup, validation)."""

    def __init__(self, app, campaign):
        self.app, self.campaign = app, campaign
        self.store = SubmissionStore(engine=db.engine, redis=redis_store.client(app),
                                     hmac_key=app.config["PARTICIPANT_HMAC_KEY"])
        self.entries = {}

    def __call__(self, unit_code="K1", duration=60, ua="wechat-android", now=SUBMITTED_AT, **answers):
        if unit_code not in self.entries:
            self.entries[unit_code] = entry_catalog().resolve(db.session, self.campaign.codes[unit_code])
        sub_answers = ({"overall": answers.get("gov", "4")} if unit_code.startswith("U")
                       else good_answers(**answers))
        sub = Submission(Participant("device", str(uuid.uuid4())), str(uuid.uuid4()), sub_answers,
                         duration_seconds=duration, ip_hash=f"ip-{uuid.uuid4().hex[:6]}", user_agent_class=ua)
        receipt = self.store.submit(self.entries[unit_code], sub, now=now)
        assert receipt.response_id is not None
        return receipt


@pytest.fixture
def respond(clean_app, campaign):
    return Responder(clean_app, campaign)


def read_csv(data: bytes) -> list[list[str]]:
    assert data.startswith("\ufeff".encode()), "CSV must start with a UTF-8 BOM for Excel"
    return list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))


def read_xlsx(data_or_path) -> dict[str, list[tuple]]:
    source = io.BytesIO(data_or_path) if isinstance(data_or_path, bytes) else data_or_path
    wb = load_workbook(source, read_only=True)
    try:
        return {ws.title: [tuple(row) for row in ws.iter_rows(values_only=True)] for ws in wb.worksheets}
    finally:
        wb.close()


def as_dicts(rows: list) -> list[dict]:
    header = rows[0]
    # Read-only openpyxl drops trailing empty cells: pad short rows with None.
    return [dict(zip(header, tuple(row) + (None,) * (len(header) - len(row)), strict=True)) for row in rows[1:]]
