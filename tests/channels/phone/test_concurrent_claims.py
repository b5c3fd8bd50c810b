"""Twenty interviewers press "下一个" at once, again and again: no case is ever served twice.

On PostgreSQL the claim's `FOR UPDATE SKIP LOCKED` lets them pass each other; on SQLite the one
writer serialises the claims."""

from __future__ import annotations

import threading
from collections import Counter

import pytest
from sqlalchemy import select

from questionnaire.accounts.models import OfficeUser
from questionnaire.channels.phone import interviews, queue
from questionnaire.channels.phone.interviews import CallRecord
from questionnaire.channels.phone.models import PhoneCase
from questionnaire.extensions import db
from tests.channels.phone.test_queue import POLICY, china

pytestmark = pytest.mark.both_backends
INTERVIEWERS = 20


def test_twenty_concurrent_claimers_never_get_the_same_case(clean_app, drawn, campaign):
    users = [OfficeUser(username=f"iv{i}", password_hash="x", display_name=f"话务员{i}", role="interviewer")
             for i in range(INTERVIEWERS)]
    db.session.add_all(users)
    db.session.commit()
    ids = [u.id for u in users]
    served: list[int] = []
    errors: list[BaseException] = []
    lock = threading.Lock()
    start = threading.Barrier(INTERVIEWERS)
    at = china(10)

    def shift(user_id: int) -> None:
        with clean_app.app_context():
            try:
                start.wait()
                while True:
                    case = queue.claim_next(db.session, POLICY, campaign.id, user_id, at)
                    if case is None:
                        return
                    with lock:
                        served.append(case.id)
                    # 空号 is final: the case never comes back, so any second serving is a double claim.
                    interviews.record_call(db.session, None, POLICY, case.id, user_id, CallRecord(41), at)
            except BaseException as exc:  # noqa: BLE001 - reported below
                errors.append(exc)
            finally:
                db.session.remove()

    threads = [threading.Thread(target=shift, args=(uid,)) for uid in ids]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert errors == []
    twice = [case_id for case_id, n in Counter(served).items() if n > 1]
    assert twice == []
    all_cases = set(db.session.scalars(select(PhoneCase.id)))
    assert set(served) == all_cases and len(served) == 40
    assert all(c.status == "final" for c in db.session.scalars(select(PhoneCase)))
