"""The rectification rules (pure): task workflow, lateness, item outcomes, rates, warning colours.

No Flask, SQLAlchemy or I/O: the services pass plain values and a fixed `today` (a China date,
see kernel/china_time.py), so every rule is tested without an app.

Counting (spec 6.5, seed 001 「共625条，其中541条按时完成整改销号」): the completion rate counts
*items*, not tasks. An item is closed when every task is closed (销号 by the office), and closed
on time when every task's approved completion date is on or before that task's deadline. An
approved long-term item (长期推进) is not closed on time in that year's rate.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal

# Task statuses, in workflow order, with the labels pages and the ledger show.
ASSIGNED, ACCEPTED, IN_PROGRESS = "assigned", "accepted", "in_progress"
CLAIMED, LONG_TERM_REQUESTED, LONG_TERM, CLOSED = "claimed", "long_term_requested", "long_term", "closed"
STATUS_LABELS = {
    ASSIGNED: "待领取", ACCEPTED: "已领取", IN_PROGRESS: "推进中", CLAIMED: "已完成·申请销号",
    LONG_TERM_REQUESTED: "申请长期推进", LONG_TERM: "长期推进", CLOSED: "已销号",
}
STATUSES = tuple(STATUS_LABELS)
LONG_TERM_REASONS = {"project": "项目申请", "funding": "资金", "legal": "涉法涉诉", "other": "其他"}
CATEGORIES = ("政府履职", "干部队伍", "治安", "交通", "环保", "卫生", "食品药品安全", "消费者权益保护",
              "就业", "就医", "就学", "公共文体设施建设", "其他")
SOURCES = {"regional": "自治区反馈", "survey": "市本级民意调查", "hotline": "12345核查",
           "scoring": "低分指标", "manual": "绩效办录入"}
TASK_ROLES = {"lead": "牵头", "assist": "配合"}

DEFAULT_REPORT_DUE_DAY = 25  # monthly reports due by the 25th (spec 6.4, proposed, configurable)
BLUE_WINDOW_DAYS = 7  # blue: the deadline is at most this many days ahead

ENTITY, OFFICE = "entity", "office"


@dataclass(frozen=True)
class Transition:
    source: frozenset[str]
    target: str
    actor: str  # who may take it: the responsible entity or the office
    label: str
    needs_note: bool = False


# The workflow. The entity can never close its own task (spec R5): only the office reaches CLOSED.
TRANSITIONS = {
    "accept": Transition(frozenset({ASSIGNED}), ACCEPTED, ENTITY, "领取任务"),
    # A report moves an accepted task to 推进中 and leaves any other status as it is.
    "report": Transition(frozenset({ACCEPTED, IN_PROGRESS, LONG_TERM, LONG_TERM_REQUESTED}), IN_PROGRESS, ENTITY,
                         "填报进展"),
    "claim": Transition(frozenset({ACCEPTED, IN_PROGRESS, LONG_TERM}), CLAIMED, ENTITY, "申请销号"),
    "request_long_term": Transition(frozenset({ACCEPTED, IN_PROGRESS}), LONG_TERM_REQUESTED, ENTITY,
                                    "申请长期推进", needs_note=True),
    "close": Transition(frozenset({CLAIMED}), CLOSED, OFFICE, "核实销号"),
    "return": Transition(frozenset({CLAIMED}), IN_PROGRESS, OFFICE, "退回整改", needs_note=True),
    "approve_long_term": Transition(frozenset({LONG_TERM_REQUESTED}), LONG_TERM, OFFICE, "同意长期推进"),
    "reject_long_term": Transition(frozenset({LONG_TERM_REQUESTED}), IN_PROGRESS, OFFICE, "不同意长期推进",
                                   needs_note=True),
}


class TransitionRefused(ValueError):
    """The action is not open to this actor, or not from this status; `forbidden` means the actor."""

    def __init__(self, message: str, forbidden: bool = False):
        super().__init__(message)
        self.message, self.forbidden = message, forbidden


def next_status(action: str, status: str, actor: str, note: str = "") -> str:
    """The status after `action`, or TransitionRefused (forbidden=True when the actor may not)."""
    transition = TRANSITIONS.get(action)
    if transition is None:
        raise TransitionRefused("未知的操作")
    if transition.actor != actor:
        who = "绩效办" if transition.actor == OFFICE else "责任单位"
        raise TransitionRefused(f"“{transition.label}”只能由{who}操作", forbidden=True)
    if status not in transition.source:
        raise TransitionRefused(f"任务当前为“{STATUS_LABELS.get(status, status)}”，不能{transition.label}")
    if transition.needs_note and not note.strip():
        raise TransitionRefused(f"{transition.label}须填写原因说明")
    if action == "report" and status != ACCEPTED:
        return status
    return transition.target


def actions_for(status: str, actor: str) -> list[str]:
    """The actions this actor can take on a task in `status` (the buttons a page offers)."""
    return [name for name, t in TRANSITIONS.items() if t.actor == actor and status in t.source]


# --- lateness and item outcomes -------------------------------------------------------------

@dataclass(frozen=True)
class TaskFacts:
    """What the rules need of a task: status, deadline, approved completion date, planned date."""

    status: str
    deadline: date
    completed_on: date | None = None  # the approved completion date (set at 销号)
    planned_on: date | None = None  # the approved long-term plan date
    assigned_on: date | None = None
    reported_months: frozenset[tuple[int, int]] = frozenset()  # (year, month) with a report

    @property
    def closed(self) -> bool:
        return self.status == CLOSED


def closed_on_time(completed_on: date, deadline: date) -> bool:
    """On time when completed on or before the deadline (2021-11-05 against 2021-10-31 is late)."""
    return completed_on <= deadline


ON_TIME, LATE, LONG_TERM_OPEN, OVERDUE, OPEN = "on_time", "late", "long_term", "overdue", "open"
OUTCOME_LABELS = {ON_TIME: "按时完成", LATE: "逾期完成", LONG_TERM_OPEN: "长期推进", OVERDUE: "逾期未完成",
                  OPEN: "推进中"}


def outcome(tasks: Iterable[TaskFacts], today: date) -> str:
    """An item's (or one task's) outcome: on time, late, long-term, overdue or still open."""
    tasks = list(tasks)
    if not tasks:
        return OPEN
    if all(t.closed for t in tasks):
        on_time = all(t.completed_on is not None and closed_on_time(t.completed_on, t.deadline) for t in tasks)
        return ON_TIME if on_time else LATE
    if any(t.status == LONG_TERM for t in tasks):
        return LONG_TERM_OPEN
    if any(not t.closed and today > t.deadline for t in tasks):
        return OVERDUE
    return OPEN


@dataclass(frozen=True)
class Figures:
    """Counts of items (or of one entity's tasks) by outcome, and the rate they give."""

    due: int = 0
    on_time: int = 0
    late: int = 0
    long_term: int = 0
    overdue: int = 0
    open: int = 0

    @property
    def rate(self) -> Decimal | None:
        return completion_rate(self.on_time, self.due)

    @property
    def rate_text(self) -> str:
        return format_rate(self.rate)

    def as_dict(self) -> dict:
        return {"due": self.due, "on_time": self.on_time, "late": self.late, "long_term": self.long_term,
                "overdue": self.overdue, "open": self.open}


def figures(outcomes: Iterable[str]) -> Figures:
    counts = {ON_TIME: 0, LATE: 0, LONG_TERM_OPEN: 0, OVERDUE: 0, OPEN: 0}
    for o in outcomes:
        counts[o] += 1
    return Figures(due=sum(counts.values()), on_time=counts[ON_TIME], late=counts[LATE],
                   long_term=counts[LONG_TERM_OPEN], overdue=counts[OVERDUE], open=counts[OPEN])


def completion_rate(on_time: int, due: int) -> Decimal | None:
    """年度整改完成率 in percent, full precision (541 / 625 = 86.56); None when nothing is due."""
    if due <= 0:
        return None
    return Decimal(on_time) * 100 / Decimal(due)


def format_rate(rate: Decimal | None, places: int = 1) -> str:
    """Half-up to `places` decimals for display, as the seeds print it (86.56 -> "86.6%")."""
    if rate is None:
        return "—"
    return f"{rate.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)}%"


# --- monthly reports and warning colours ----------------------------------------------------

BLUE, YELLOW, RED = "blue", "yellow", "red"
COLOUR_LABELS = {RED: "红色预警（逾期未销号）", YELLOW: "黄色预警（本月未报）", BLUE: "蓝色预警（7日内到期）"}
COLOUR_ORDER = {RED: 0, YELLOW: 1, BLUE: 2, None: 3}


def report_due_date(year: int, month: int, due_day: int = DEFAULT_REPORT_DUE_DAY) -> date:
    return date(year, month, min(due_day, 28))


def report_missing(task: TaskFacts, today: date, due_day: int = DEFAULT_REPORT_DUE_DAY) -> bool:
    """This month's report is missing (未报) once the due day has passed.

    Only tasks still being worked on owe a report (not yet accepted, waiting for 销号 or closed
    do not), and a task assigned after this month's due day owes its first report next month.
    """
    if task.status not in (ACCEPTED, IN_PROGRESS, LONG_TERM, LONG_TERM_REQUESTED):
        return False
    due = report_due_date(today.year, today.month, due_day)
    if today <= due or (task.assigned_on is not None and task.assigned_on > due):
        return False
    return (today.year, today.month) not in task.reported_months


def warning_colour(task: TaskFacts, today: date, due_day: int = DEFAULT_REPORT_DUE_DAY) -> str | None:
    """Red (past the deadline without 销号), else yellow (this month's report missing after the
    due day), else blue (deadline within 7 days), else None. An approved long-term task is
    watched against its planned date; its original deadline still decides the year's rate."""
    if task.closed:
        return None
    watched = task.planned_on if task.status == LONG_TERM and task.planned_on else task.deadline
    if today > watched:
        return RED
    if report_missing(task, today, due_day):
        return YELLOW
    if watched - today <= timedelta(days=BLUE_WINDOW_DAYS):
        return BLUE
    return None


def worst_colour(colours: Iterable[str | None]) -> str | None:
    return min(colours, key=COLOUR_ORDER.__getitem__, default=None)


# --- year end -------------------------------------------------------------------------------

def carries_over(tasks: Iterable[TaskFacts]) -> bool:
    """An item moves into the next year when any of its tasks is still open at year end."""
    return any(not t.closed for t in tasks)


def year_end(year: int) -> date:
    return date(year, 12, 31)
