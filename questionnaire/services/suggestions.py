"""Recent free-text suggestions (意见建议) for the dashboard panel.

The one dashboard read that touches `responses`: newest rows first by primary key
within the campaign (index `ix_responses_campaign_id_id`), in pages of PAGE rows,
stopping after `limit` texts or `max_rows` rows, whichever comes first. The cost is
bounded whatever the table size; only rows in the account's scope are read.
The text is returned as given; templates escape it and the page script uses textContent.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select

from questionnaire.domain.definition import definition_from_data
from questionnaire.models import OrgUnit, Questionnaire, Response
from questionnaire.services.scope import Scope

PAGE = 500


@dataclass(frozen=True)
class Suggestion:
    response_id: int
    created_at: datetime
    unit: str
    text: str
    flagged: bool


def _text_questions(conn, campaign_id: int) -> dict[int, tuple[str, ...]]:
    out = {}
    for q_id, data in conn.execute(
        select(Questionnaire.id, Questionnaire.definition).where(Questionnaire.campaign_id == campaign_id)
    ):
        out[q_id] = tuple(q.id for q in definition_from_data(data).questions if q.type == "text")
    return out


def recent_suggestions(conn, campaign_id: int, scope: Scope, include_flagged: bool, limit: int = 20,
                       max_rows: int = 5000, county_id: int | None = None) -> list[Suggestion]:
    text_ids = _text_questions(conn, campaign_id)
    if not any(text_ids.values()):
        return []
    found: list[Suggestion] = []
    names: dict[int, str] = {}
    before: int | None = None
    read = 0
    while len(found) < limit and read < max_rows:
        query = (select(Response.id, Response.created_at, Response.questionnaire_id, Response.poster_unit_id,
                        Response.answers, Response.flags)
                 .where(Response.campaign_id == campaign_id, scope.response_clause())
                 .order_by(Response.id.desc()).limit(PAGE))
        if before is not None:
            query = query.where(Response.id < before)
        if not include_flagged:
            query = query.where(Response.flags == 0)
        if county_id is not None:
            query = query.where(Response.poster_unit_id.in_(
                select(OrgUnit.id).where(OrgUnit.county_id == county_id).scalar_subquery()))
        rows = conn.execute(query).all()
        for row in rows:
            for qid in text_ids.get(row.questionnaire_id, ()):
                value = (row.answers or {}).get(qid)
                if isinstance(value, str) and value.strip():
                    found.append(Suggestion(row.id, row.created_at, str(row.poster_unit_id), value.strip(),
                                            bool(row.flags)))
                    names[row.poster_unit_id] = ""
                    break
            if len(found) >= limit:
                break
        read += len(rows)
        if len(rows) < PAGE:
            break
        before = rows[-1].id
    if names:
        names.update(conn.execute(select(OrgUnit.id, OrgUnit.name).where(OrgUnit.id.in_(list(names)))).all())
    return [Suggestion(s.response_id, s.created_at, names.get(int(s.unit), ""), s.text, s.flagged) for s in found]
