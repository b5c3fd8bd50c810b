"""Recent free-text suggestions (意见建议) for the dashboard panel.

The one dashboard read that touches `responses`, with a bounded cost whatever the
table size: newest rows first, in pages of PAGE rows, stopping after `limit` texts
or `max_rows` rows. Only the text answers are selected (a JSON path, not the whole
document). Whole-campaign reads walk `ix_responses_campaign_id_id`; a scoped read
(a county or unit) takes the newest PAGE rows of each entry point in scope through
`ix_responses_entry_point_id_id` and merges them, so a small county never makes the
database filter its way through the whole campaign.
The text is returned as stored (typed phone and ID numbers were masked at intake,
intake.free_text); templates escape it and the page script uses textContent. `sealed` says the
text as typed is kept encrypted, which an admin may open (dashboard/free_text_views.py).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import and_, select, union_all

from questionnaire.campaigns.service import load_definitions
from questionnaire.intake.models import CollectionPoint, Response
from questionnaire.intake.visibility import individual_rows_visible, scoped_points
from questionnaire.org.models import OrgUnit
from questionnaire.org.scope import Scope

PAGE = 500
MAX_ROWS = 5000


@dataclass(frozen=True)
class Suggestion:
    response_id: int
    created_at: datetime
    unit: str
    text: str
    flagged: bool
    sealed: bool = False


def _text_question_ids(conn, campaign_id: int) -> list[str]:
    return sorted({q.id for defn in load_definitions(conn, campaign_id).values()
                   for q in defn.questions if q.type == "text"})


def _columns(text_ids: list[str]):
    return [Response.id, Response.created_at, Response.collected_unit_id, Response.flags,
            Response.free_text_sealed.is_not(None).label("sealed"),
            *(Response.answers[qid].as_string().label(f"t{i}") for i, qid in enumerate(text_ids))]


def _page(conn, campaign_id: int, entry_ids: list[int] | None, text_ids: list[str],
          include_flagged: bool, before: int | None) -> list:
    def newest(*conditions):
        where = [Response.campaign_id == campaign_id, *conditions]
        if before is not None:
            where.append(Response.id < before)
        if not include_flagged:
            where.append(Response.flags == 0)
        return select(*_columns(text_ids)).where(and_(*where)).order_by(Response.id.desc()).limit(PAGE)

    if entry_ids is None:
        return conn.execute(newest()).all()
    if not entry_ids:
        return []
    parts = [select(sub) for sub in (newest(Response.collection_point_id == e).subquery() for e in entry_ids)]
    merged = union_all(*parts).subquery() if len(parts) > 1 else parts[0].subquery()
    return conn.execute(select(merged).order_by(merged.c.id.desc()).limit(PAGE)).all()


def recent_suggestions(conn, campaign_id: int, scope: Scope, include_flagged: bool, limit: int = 20,
                       max_rows: int = MAX_ROWS) -> list[Suggestion]:
    text_ids = _text_question_ids(conn, campaign_id)
    if not text_ids:
        return []
    entry_ids = None
    if not scope.is_admin:
        entry_ids = list(conn.execute(select(CollectionPoint.id).where(
            CollectionPoint.campaign_id == campaign_id,
            scoped_points(scope, CollectionPoint.channel, CollectionPoint.collected_unit_id,
                          CollectionPoint.evaluated_unit_id),
            individual_rows_visible(scope, CollectionPoint.channel))).scalars())
    found: list[tuple] = []
    before: int | None = None
    read = 0
    while len(found) < limit and read < max_rows:
        rows = _page(conn, campaign_id, entry_ids, text_ids, include_flagged, before)
        for row in rows:
            text = next((t.strip() for t in row[5:] if isinstance(t, str) and t.strip()), None)
            if text:
                found.append((row.id, row.created_at, row.collected_unit_id, text, bool(row.flags), bool(row.sealed)))
                if len(found) >= limit:
                    break
        read += len(rows)
        if len(rows) < PAGE:
            break
        before = rows[-1].id
    names = dict(conn.execute(select(OrgUnit.id, OrgUnit.name).where(
        OrgUnit.id.in_({f[2] for f in found}))).all()) if found else {}
    return [Suggestion(rid, created, names.get(unit, ""), text, flagged, sealed)
            for rid, created, unit, text, flagged, sealed in found]
