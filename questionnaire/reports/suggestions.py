"""The newest free-text suggestions (意见建议) about one entity, for its report.

Bounded whatever the table size: the newest rows of the entity's own collection points (those
that evaluate it) through `collection_point_id`, at most SCAN rows, clean (unflagged) answers
only, as in the results. Phone and ID numbers a resident typed were masked at intake
(intake.free_text): the stored text is what a printed report may show.
"""

from __future__ import annotations

from sqlalchemy import select

from questionnaire.campaigns.service import load_definitions
from questionnaire.intake.models import CollectionPoint, Response

SCAN = 500
LIMIT = 10
MAX_CHARS = 300


def text_question_ids(conn, campaign_id: int) -> list[str]:
    return sorted({q.id for d in load_definitions(conn, campaign_id).values() for q in d.questions if q.type == "text"})


def newest_suggestions(conn, campaign_id: int, text_ids: list[str], unit_id: int | None = None,
                       limit: int = LIMIT) -> list[str]:
    """The newest `limit` non-empty text answers evaluating `unit_id` (the whole campaign when None)."""
    if not text_ids:
        return []
    where = [Response.campaign_id == campaign_id, Response.flags == 0]
    if unit_id is not None:
        points = list(conn.execute(select(CollectionPoint.id).where(
            CollectionPoint.campaign_id == campaign_id, CollectionPoint.evaluated_unit_id == unit_id)).scalars())
        if not points:
            return []
        where.append(Response.collection_point_id.in_(points))
    columns = [Response.answers[qid].as_string() for qid in text_ids]
    found = []
    for row in conn.execute(select(*columns).where(*where).order_by(Response.id.desc()).limit(SCAN)):
        text = next((t.strip() for t in row if isinstance(t, str) and t.strip()), None)
        if text:
            text = " ".join(text.split())
            found.append(text if len(text) <= MAX_CHARS else text[:MAX_CHARS] + "……")
            if len(found) >= limit:
                break
    return found
