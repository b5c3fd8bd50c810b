"""Creating items and reading them within an account's scope (services own the transaction).

`create_item` is the entry point for other features: the scoring engine's low-scoring
indicators and the hotline's unresolved orders call it with an ItemSpec (source "scoring" /
"hotline" and a unique `source_ref`); `add_item` does the same inside the caller's transaction.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import Select, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from questionnaire.accounts.service import add_event
from questionnaire.kernel.errors import NotInScope
from questionnaire.kernel.sqltypes import utcnow
from questionnaire.org.models import OrgUnit
from questionnaire.org.scope import Scope
from questionnaire.rectification.errors import ItemInvalid
from questionnaire.rectification.item_specs import ItemSpec, spec_problems
from questionnaire.rectification.models import RectificationEvent, RectificationItem, RectificationTask
from questionnaire.rectification.rules import ASSIGNED

ENTITY_KINDS = ("county", "city_unit")  # who can be responsible: counties and city units


def responsible_entities(session: Session) -> list[OrgUnit]:
    return list(session.scalars(select(OrgUnit).where(OrgUnit.kind.in_(ENTITY_KINDS))
                                .order_by(OrgUnit.kind, OrgUnit.sort_order, OrgUnit.id)))


def entity_lookup(session: Session) -> dict[str, int]:
    """Name and code of each responsible entity -> its id (what an item file may write)."""
    lookup: dict[str, int] = {}
    for unit in responsible_entities(session):
        lookup[unit.code] = unit.id
        lookup[unit.name] = unit.id
    return lookup


def add_item(session: Session, spec: ItemSpec, user_id: int | None, today: date, import_id: int | None = None,
             known_entities: set[int] | None = None, flush: bool = True) -> RectificationItem:
    """Add an item and one task per responsible entity to the caller's transaction.

    A bulk caller (the import) passes the responsible entities' ids it has already read and
    flush=False, so 625 items cost no query each.
    """
    problems = spec_problems(spec)
    if problems:
        raise ItemInvalid("；".join(reason for _, reason in problems),
                          fields={key: reason for key, reason in problems})
    entity_ids = (*spec.lead_ids, *spec.assist_ids)
    if known_entities is None:
        known_entities = set(session.scalars(select(OrgUnit.id).where(OrgUnit.id.in_(entity_ids),
                                                                      OrgUnit.kind.in_(ENTITY_KINDS))))
    if not set(entity_ids) <= known_entities:
        raise ItemInvalid("责任单位必须是县区或市直单位", fields={"lead": "责任单位不存在"})
    if spec.source_ref and session.scalar(select(RectificationItem.id).where(
            RectificationItem.source_ref == spec.source_ref)) is not None:
        raise ItemInvalid("该条意见建议已列入整改，不能重复创建", fields={"source_ref": "已存在"})
    item = RectificationItem(
        year=spec.year, seq=spec.seq, source=spec.source, batch=spec.batch.strip(), text=spec.text.strip(),
        subject=spec.subject.strip(), category=spec.category, deadline=spec.deadline, note=spec.note.strip(),
        source_ref=spec.source_ref, import_id=import_id, created_by=user_id,
    )
    session.add(item)
    now = utcnow()
    for entity_id in entity_ids:
        role = "lead" if entity_id in spec.lead_ids else "assist"
        task = RectificationTask(entity_id=entity_id, role=role, status=ASSIGNED, deadline=spec.deadline,
                                 assigned_on=today, measures="", updated_at=now)
        item.tasks.append(task)
        task.events.append(RectificationEvent(at=now, user_id=user_id, action="assign", from_status=None,
                                              to_status=ASSIGNED, note="", detail={"role": role}))
    if flush:
        session.flush()
    return item


def create_item(session: Session, spec: ItemSpec, user_id: int | None, today: date,
                ip_hash: str | None = None) -> RectificationItem:
    """Create one item with its tasks, audited; commits."""
    try:
        item = add_item(session, spec, user_id, today)
        add_event(session, user_id, "rectification_create_item", f"rectification_item:{item.id}",
                  {"source": spec.source, "source_ref": spec.source_ref, "tasks": len(item.tasks)}, ip_hash)
        session.commit()
    except IntegrityError as exc:  # the same suggestion turned into an item by two clicks at once
        session.rollback()
        raise ItemInvalid("该条意见建议已列入整改，不能重复创建") from exc
    except Exception:
        session.rollback()
        raise
    return item


# --- scoped reads ---------------------------------------------------------------------------

def in_year(year: int):
    """Items of a year: due in it, or carried over into it from an earlier year."""
    return or_(RectificationItem.year == year,
               (RectificationItem.year < year) & (RectificationItem.carried_into >= year))


def scoped_tasks(scope: Scope) -> Select:
    """Tasks of the entities this account may see (the office: all)."""
    return (select(RectificationTask).join(OrgUnit, OrgUnit.id == RectificationTask.entity_id)
            .where(scope.org_unit_clause()))


def load_task(session: Session, scope: Scope, task_id: int) -> RectificationTask:
    task = session.scalar(scoped_tasks(scope).where(RectificationTask.id == task_id))
    if task is None:
        raise NotInScope()
    return task


def load_item(session: Session, scope: Scope, item_id: int) -> tuple[RectificationItem, list[RectificationTask]]:
    """An item with the tasks this account may see; 404 when it has none of them."""
    item = session.get(RectificationItem, item_id)
    if item is None:
        raise NotInScope()
    tasks = list(session.scalars(scoped_tasks(scope).where(RectificationTask.item_id == item_id)
                                 .order_by(RectificationTask.id)))
    if not tasks:
        raise NotInScope()
    return item, tasks


def taken_refs(session: Session, refs: list[str]) -> set[str]:
    """Which of these source references already have an item."""
    if not refs:
        return set()
    return set(session.scalars(select(RectificationItem.source_ref).where(RectificationItem.source_ref.in_(refs))))


def years(session: Session) -> list[int]:
    found = set(session.scalars(select(RectificationItem.year).distinct()))
    found |= {y for y in session.scalars(select(RectificationItem.carried_into).distinct()) if y}
    return sorted(found, reverse=True)
