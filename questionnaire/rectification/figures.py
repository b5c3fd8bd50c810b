"""The read model: a year's tasks with their colours and outcomes, rates per entity and city-wide.

One build serves the office page, the entity page, the ledger and the reminder list, so the
ledger's totals are the page's totals by construction. A frozen year shows its frozen figures.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import func, select
from sqlalchemy.orm import Session, joinedload, selectinload

from questionnaire.org.models import OrgUnit
from questionnaire.org.scope import Scope
from questionnaire.rectification import rules
from questionnaire.rectification.items import in_year, scoped_tasks
from questionnaire.rectification.models import (
    RectificationEvidence,
    RectificationItem,
    RectificationReport,
    RectificationTask,
    RectificationYear,
)
from questionnaire.rectification.rules import Figures, TaskFacts


@dataclass
class TaskRow:
    task: RectificationTask
    item: RectificationItem
    entity: OrgUnit
    facts: TaskFacts
    colour: str | None
    outcome: str
    last_report: RectificationReport | None
    evidence_files: int
    reports: list[RectificationReport]
    year_shown: int  # the year whose page lists it

    @property
    def carried(self) -> bool:
        """Carried over from an earlier year (上年结转)."""
        return self.item.year < self.year_shown


@dataclass
class ItemRow:
    item: RectificationItem
    tasks: list[TaskRow]
    outcome: str
    colour: str | None


@dataclass
class YearView:
    year: int
    today: date
    rows: list[TaskRow]
    items: list[ItemRow]
    city: Figures  # the items due this year (frozen figures once the year is closed)
    live_city: Figures
    entities: list[tuple[OrgUnit, Figures]]
    frozen: RectificationYear | None
    colours: dict[str | None, int] = field(default_factory=dict)
    batches: list[tuple[str, Figures]] = field(default_factory=list)  # per 来源批次, live

    @property
    def carried_in(self) -> list[ItemRow]:
        return [i for i in self.items if i.item.year < self.year]


def facts(task: RectificationTask, reported: frozenset[tuple[int, int]]) -> TaskFacts:
    return TaskFacts(task.status, task.deadline, task.completed_on, task.planned_on, task.assigned_on, reported)


def _frozen_figures(data: dict | None) -> Figures | None:
    return Figures(**data) if data else None


def build(session: Session, scope: Scope, year: int, today: date,
          due_day: int = rules.DEFAULT_REPORT_DUE_DAY) -> YearView:
    # Items with all their tasks and the entities in three queries, not one per row.
    tasks = list(session.scalars(
        scoped_tasks(scope).join(RectificationItem).where(in_year(year))
        .options(selectinload(RectificationTask.item).selectinload(RectificationItem.tasks),
                 joinedload(RectificationTask.entity))
        .order_by(RectificationItem.seq, RectificationItem.id, RectificationTask.id)))
    ids = [t.id for t in tasks]
    reported: dict[int, set] = defaultdict(set)
    reports: dict[int, list[RectificationReport]] = defaultdict(list)
    latest: dict[int, RectificationReport] = {}
    counts: dict[int, int] = {}
    if ids:
        for report in session.scalars(select(RectificationReport).where(RectificationReport.task_id.in_(ids))
                                      .options(joinedload(RectificationReport.user))
                                      .order_by(RectificationReport.id)):
            reported[report.task_id].add((report.year, report.month))
            reports[report.task_id].append(report)
            latest[report.task_id] = report
        counts = dict(session.execute(select(RectificationEvidence.task_id, func.count())
                                      .where(RectificationEvidence.task_id.in_(ids))
                                      .group_by(RectificationEvidence.task_id)).all())
    rows = []
    for task in tasks:
        f = facts(task, frozenset(reported[task.id]))
        rows.append(TaskRow(task, task.item, task.entity, f, rules.warning_colour(f, today, due_day),
                            rules.outcome([f], today), latest.get(task.id), counts.get(task.id, 0),
                            reports[task.id], year))
    by_item: dict[int, list[TaskRow]] = defaultdict(list)
    for row in rows:
        by_item[row.item.id].append(row)
    items = []
    for task_rows in by_item.values():
        # The item's outcome over all its tasks, also those outside this account's scope.
        all_facts = [facts(t, frozenset(reported.get(t.id, ()))) for t in task_rows[0].item.tasks]
        items.append(ItemRow(task_rows[0].item, task_rows, rules.outcome(all_facts, today),
                             rules.worst_colour(r.colour for r in task_rows)))
    live_city = rules.figures(i.outcome for i in items if i.item.year == year)
    frozen = session.get(RectificationYear, year)
    per_entity: dict[int, list[str]] = defaultdict(list)
    units: dict[int, OrgUnit] = {}
    for row in rows:
        if row.item.year == year:
            per_entity[row.entity.id].append(row.outcome)
            units[row.entity.id] = row.entity
    entities = []
    for unit_id, outcomes in per_entity.items():
        frozen_entity = _frozen_figures((frozen.figures.get("entities") or {}).get(str(unit_id))) if frozen else None
        entities.append((units[unit_id], frozen_entity or rules.figures(outcomes)))
    entities.sort(key=lambda pair: (pair[0].kind, pair[0].sort_order, pair[0].id))
    city = live_city
    if frozen is not None and scope.is_admin:
        city = _frozen_figures(frozen.figures.get("city")) or live_city
    elif frozen is not None and len(entities) == 1:
        city = entities[0][1]
    colours: dict[str | None, int] = defaultdict(int)
    for row in rows:
        colours[row.colour] += 1
    by_batch: dict[str, list[str]] = defaultdict(list)
    for i in items:
        if i.item.year == year:
            by_batch[i.item.batch or rules.SOURCES.get(i.item.source, "")].append(i.outcome)
    batches = sorted(((batch, rules.figures(outcomes)) for batch, outcomes in by_batch.items()), key=lambda p: p[0])
    return YearView(year, today, rows, items, city, live_city, entities, frozen, dict(colours), batches)


def entity_rates(session: Session, year: int, today: date) -> dict[int, Figures]:
    """Each responsible entity's figures for a year (frozen once closed): what the scoring engine reads."""
    view = build(session, Scope(role="admin"), year, today)
    return {unit.id: figures for unit, figures in view.entities}
