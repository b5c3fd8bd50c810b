"""Void a stored response: it stays in `responses` for the record and leaves every tally bucket.

A reviewer's verdict (a phone interview marked 不合格) arrives after the response may have been
counted. Like a late burst flag (tallies/flags.py) the row is moved exactly, in the caller's
transaction and under the campaign's applier lock: the VOID bit is set, and a row already
counted is subtracted from the buckets of its old flag set; a row still queued is counted
later as what it now is, i.e. not at all. Recount and verify leave VOID rows out the same way,
so `tallies verify` stays exact. The dashboard's "as of" moves, so its cache is rebuilt at once.
Knows no channel: any channel's reviewer may call it.
"""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import update
from sqlalchemy.engine import Connection

from questionnaire.intake.models import Response
from questionnaire.tallies import counting
from questionnaire.tallies.arithmetic import TallyDelta
from questionnaire.tallies.flag_rules import VOID
from questionnaire.tallies.queue import counted_clause

responses = Response.__table__


def void_responses(conn: Connection, campaign_id: int, response_ids: Iterable[int]) -> int:
    """Set VOID on the responses and take the counted ones out of the tallies; returns rows voided.

    Safe to run twice: a row already void is left alone (and was already out of the tallies).
    """
    ids = sorted(set(response_ids))
    if not ids:
        return 0
    counting.lock_campaign(conn, campaign_id)
    rows = conn.execute(
        update(responses)
        .where(responses.c.campaign_id == campaign_id, responses.c.id.in_(ids),
               responses.c.flags.op("&")(VOID) == 0)
        .values(flags=responses.c.flags.op("|")(VOID))
        .returning(responses.c.id, counted_clause().label("tallied"), responses.c.flags,
                   responses.c.collection_point_id, responses.c.created_at, responses.c.answers)
    ).all()
    counted = [r for r in rows if r.tallied]
    if counted:
        infos = counting.load_entry_infos(conn, campaign_id)
        delta = TallyDelta()
        for r in counted:
            delta.add(infos[r.collection_point_id], r.collection_point_id, r.flags & ~VOID,
                      r.created_at.timestamp(), r.answers, sign=-1)
        counting.write_delta(conn, campaign_id, delta)
    counting.touch_state(conn, campaign_id, -len(counted))
    return len(rows)
