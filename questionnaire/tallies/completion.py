"""Complete a stored response with items that were held back while they were checked.

A paper leader form keyed in twice is stored as soon as the second pass is in, with the items the
two clerks disagree on (待核对) left out, so the agreed items count at once (channels-spec L7).
When an admin decides such an item, it is added to the same response here: the one answer per
participant stays one row, and nothing already in the row can change (an item already present
with another value is refused). Like a late anti-fraud flag (tallies/flags.py) or a void
(tallies/void.py) the counted row is moved exactly, in the caller's transaction and under the
campaign's applier lock: a row already counted gets the new items' answer counts added to the
buckets of its flag set; a row still queued is counted later with all its items. Recount reads
`responses.answers`, so `tallies verify` stays exact. Knows no channel.
"""

from __future__ import annotations

from collections.abc import Mapping

from sqlalchemy import select, update
from sqlalchemy.engine import Connection

from questionnaire.campaigns.definition import answers_digest
from questionnaire.intake.models import Response
from questionnaire.tallies import counting
from questionnaire.tallies.arithmetic import TallyDelta
from questionnaire.tallies.queue import counted_clause

responses = Response.__table__


class ItemAlreadyAnswered(ValueError):
    """The response already holds another answer for the item: answers are never changed."""


def complete_response(conn: Connection, campaign_id: int, response_id: int, items: Mapping[str, str]) -> int:
    """Add the held-back `items` to the response; returns how many were added.

    Safe to run twice: an item already present with the same value is skipped. The caller has
    validated the items against the questionnaire and audits the decision.
    """
    counting.lock_campaign(conn, campaign_id)
    row = conn.execute(
        select(responses.c.answers, responses.c.flags, responses.c.collection_point_id,
               counted_clause().label("tallied"))
        .where(responses.c.campaign_id == campaign_id, responses.c.id == response_id)
    ).one()
    conflicting = sorted(k for k, v in items.items() if k in row.answers and row.answers[k] != v)
    if conflicting:
        raise ItemAlreadyAnswered(", ".join(conflicting))
    added = {k: v for k, v in items.items() if k not in row.answers}
    if not added:
        return 0
    answers = {**row.answers, **added}
    conn.execute(update(responses).where(responses.c.id == response_id)
                 .values(answers=answers, answers_digest=answers_digest(answers)))
    if row.tallied:
        delta = TallyDelta()
        infos = counting.load_entry_infos(conn, campaign_id)
        delta.add_answers(infos[row.collection_point_id], row.collection_point_id, row.flags, added)
        counting.write_delta(conn, campaign_id, delta)
    counting.touch_state(conn, campaign_id, 0)  # the dashboard's "as of" moves: its cache is rebuilt
    return len(added)
