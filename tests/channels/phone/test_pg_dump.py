"""A `pg_dump` of a database holding frames, a draw and completed interviews contains no
readable phone number (in any common spelling), only Fernet tokens and keyed HMACs."""

from __future__ import annotations

import shutil
import subprocess

import pytest

from questionnaire.extensions import db
from tests.channels.phone.test_queue import POLICY, answers_for, china  # noqa: F401

pytestmark = [pytest.mark.real_only,
              pytest.mark.skipif(shutil.which("pg_dump") is None, reason="pg_dump is not installed")]
NUMBERS = ["13812345678", "13987654321", "07782286543"]


def test_a_pg_dump_holds_no_readable_phone_number(clean_app, campaign, upload, phone_staff):
    from questionnaire.channels.phone import draw, interviews, queue
    from questionnaire.channels.phone.interviews import CallRecord
    from questionnaire.extensions import redis_store
    from questionnaire.intake.submissions import SubmissionStore

    upload("K1", None, data=("电话号码\n+86 138-1234-5678\n139 8765 4321\n0778-2286543\n").encode())
    draw.run_draw(db.session, campaign.id, 3, seed="S")
    store = SubmissionStore(engine=db.engine, redis=redis_store.client(clean_app),
                            hmac_key=clean_app.config["PARTICIPANT_HMAC_KEY"])
    case = queue.claim_next(db.session, POLICY, campaign.id, phone_staff.i1, china(10))
    interviews.record_call(db.session, store, POLICY, case.id, phone_staff.i1,
                           CallRecord(11, answers_for(campaign, case)), china(10, 5))
    url = db.engine.url.set(drivername="postgresql").render_as_string(hide_password=False)
    dump = subprocess.run(["pg_dump", "--no-owner", url], capture_output=True, text=True, check=True).stdout
    assert "phone_frame_numbers" in dump and "gAAAAA" in dump  # the table is there, as Fernet tokens
    for number in NUMBERS:
        spellings = {number, f"{number[:3]}-{number[3:7]}-{number[7:]}", f"{number[:4]}-{number[4:]}",
                     number[-8:]}
        for spelling in spellings:
            assert spelling not in dump, spelling
