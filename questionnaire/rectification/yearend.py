"""Year end (年终): freeze the year's figures and carry its open items into the next year.

The frozen figures are what the year's rate is from then on (the office's self-evaluation
quotes them, e.g. 625条，541条按时完成整改销号，完成率86.6%), whatever happens to a carried item
later. A carried item keeps its year, deadline, tasks and history; it is listed in the new
year as 上年结转 and does not enter the new year's denominator (it was due in its own year).
"""

from __future__ import annotations

from datetime import date

from sqlalchemy.orm import Session

from questionnaire.accounts.service import add_event
from questionnaire.kernel.sqltypes import utcnow
from questionnaire.rectification import figures as read_model
from questionnaire.rectification import rules
from questionnaire.rectification.errors import ActionRefused, YearAlreadyClosed
from questionnaire.rectification.models import RectificationEvent, RectificationYear
from questionnaire.rectification.workflow import Actor


def close_year(session: Session, actor: Actor, year: int, today: date) -> RectificationYear:
    """Freeze `year` and carry its open items into year + 1 (office only; once per year); commits."""
    if not actor.scope.is_admin:
        raise ActionRefused("只有绩效办可以进行年终结转")
    if today <= rules.year_end(year):
        raise ActionRefused(f"{year} 年度尚未结束，不能年终结转")
    if session.get(RectificationYear, year) is not None:
        raise YearAlreadyClosed()
    view = read_model.build(session, actor.scope, year, today)
    carried = 0
    now = utcnow()
    try:
        for item_row in view.items:
            if not rules.carries_over(read_model.facts(t, frozenset()) for t in item_row.item.tasks):
                continue
            item_row.item.carried_into = year + 1
            carried += 1
            for task in item_row.item.tasks:
                if task.status != rules.CLOSED:
                    task.events.append(RectificationEvent(
                        at=now, user_id=actor.user_id, action="carry_over", from_status=task.status,
                        to_status=task.status, note=f"年终结转至 {year + 1} 年度", detail={"from_year": year}))
        frozen = RectificationYear(year=year, frozen_at=now, frozen_by=actor.user_id, carried=carried, figures={
            "city": view.live_city.as_dict(),
            "entities": {str(unit.id): f.as_dict() for unit, f in view.entities},
            "as_of": today.isoformat(),
        })
        session.add(frozen)
        add_event(session, actor.user_id, "rectification_close_year", f"rectification_year:{year}",
                  {"carried": carried, **view.live_city.as_dict()}, actor.ip_hash)
        session.commit()
    except Exception:
        session.rollback()
        raise
    return frozen
