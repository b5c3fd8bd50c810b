"""The 整改台账 (ledger) and the 督办提醒 (reminder) list as export datasets.

Both are built from the page's own read model (figures.YearView), so the ledger's totals are
the page's totals; they are written by the exports' XLSX writer with its formula-injection guard.
"""

from __future__ import annotations

from datetime import datetime

from questionnaire.exports.plan import Dataset, Table
from questionnaire.kernel.china_time import china_time, format_china_time
from questionnaire.rectification import rules
from questionnaire.rectification.figures import TaskRow, YearView

ITEM_HEADER = ["序号", "年度", "来源", "来源批次", "意见建议原文", "涉及县区/单位", "类别", "牵头责任单位", "配合单位",
               "整改时限", "任务状态", "整改结果", "预警", "最近进展", "佐证材料（个）", "上年结转"]
HISTORY_HEADER = ["序号", "意见建议", "责任单位", "报告月份", "本月进展", "填报人", "填报时间（北京时间）"]
REMINDER_HEADER = ["责任单位", "预警", "说明", "序号", "意见建议", "整改时限", "当前状态", "最近填报"]
TOTAL_LABELS = [("due", "应完成（条）"), ("on_time", "按时完成销号（条）"), ("late", "逾期完成（条）"),
                ("long_term", "长期推进（条）"), ("overdue", "逾期未完成（条）"), ("open", "推进中（条）")]


def _task_state(row: TaskRow) -> str:
    state = f"{row.entity.name}：{rules.STATUS_LABELS[row.task.status]}"
    if row.task.completed_on:
        state += f"（{row.task.completed_on.isoformat()} 完成）"
    elif row.task.long_term_reason:
        state += f"（{rules.LONG_TERM_REASONS[row.task.long_term_reason]}）"
    return state


def _latest(rows: list[TaskRow]):
    reports = [r.last_report for r in rows if r.last_report is not None]
    return max(reports, key=lambda r: r.reported_at) if reports else None


def _readme(view: YearView, generated_at: datetime, what: str):
    def readme(counts: dict, sheets: dict) -> list[list]:
        rows = [["内容", what], ["年度", view.year], ["生成时间（北京时间）", format_china_time(generated_at)]]
        rows += [[label, getattr(view.city, key)] for key, label in TOTAL_LABELS]
        rows.append(["年度整改完成率", view.city.rate_text])
        if view.frozen is not None:
            rows.append(["统计口径", f"{view.year} 年度已于 {format_china_time(view.frozen.frozen_at)} 年终冻结，"
                                    "以上为冻结数据；逐条状态为导出时的状态"])
        rows.append(["计算方法", "按条计算：一条意见建议的全部任务均在整改时限内完成并销号才算按时完成；"
                               "逾期完成、长期推进不计入；上年结转事项不计入本年度"])
        for key, n in counts.items():
            rows.append([f"工作表：{'、'.join(sheets.get(key, []))}", f"{n} 行"])
        return rows

    return readme


def ledger_dataset(view: YearView, generated_at: datetime) -> Dataset:
    """One row per item with its tasks, statuses, dates, latest progress and evidence count;
    each item's monthly history on a second sheet."""
    tables = [Table("items", "整改台账", ITEM_HEADER), Table("history", "月度进展", HISTORY_HEADER)]

    def rows():
        for item_row in view.items:
            item, tasks = item_row.item, item_row.tasks
            latest = _latest(tasks)
            lead = "、".join(r.entity.name for r in tasks if r.task.role == "lead")
            assist = "、".join(r.entity.name for r in tasks if r.task.role == "assist")
            yield "items", [
                item.seq, item.year, rules.SOURCES.get(item.source, item.source), item.batch, item.text, item.subject,
                item.category, lead, assist, item.deadline, "；".join(_task_state(r) for r in tasks),
                rules.OUTCOME_LABELS[item_row.outcome],
                rules.COLOUR_LABELS.get(item_row.colour, "") if item_row.colour else "",
                latest.progress if latest else "", sum(r.evidence_files for r in tasks),
                "是" if item.year < view.year else "否",
            ]
        for item_row in view.items:
            for r in item_row.tasks:
                for report in r.reports:
                    yield "history", [item_row.item.seq, item_row.item.text[:60], r.entity.name,
                                      f"{report.year}年{report.month}月", report.progress,
                                      report.user.display_name if report.user else "",
                                      china_time(report.reported_at)]

    return Dataset(tables, rows(), len(view.items), _readme(view, generated_at, "意见建议整改台账"),
                   f"整改台账-{view.year}年度")


def reminder_reason(row: TaskRow, today) -> str:
    watched = row.task.planned_on if row.task.status == rules.LONG_TERM and row.task.planned_on else row.task.deadline
    if row.colour == rules.RED:
        return f"已逾期 {(today - watched).days} 天未销号"
    if row.colour == rules.YELLOW:
        return f"{today.year}年{today.month}月进展未报"
    return f"距整改时限还有 {(watched - today).days} 天"


def reminder_rows(view: YearView) -> list[TaskRow]:
    """Tasks with a warning, by entity, red first."""
    flagged = [r for r in view.rows if r.colour]
    return sorted(flagged, key=lambda r: (r.entity.kind, r.entity.sort_order, r.entity.id,
                                          rules.COLOUR_ORDER[r.colour], r.task.deadline))


def reminder_dataset(view: YearView, generated_at: datetime) -> Dataset:
    tables = [Table("reminders", "督办提醒清单", REMINDER_HEADER)]
    flagged = reminder_rows(view)

    def rows():
        for r in flagged:
            yield "reminders", [r.entity.name, rules.COLOUR_LABELS[r.colour], reminder_reason(r, view.today),
                                r.item.seq, r.item.text, r.task.deadline, rules.STATUS_LABELS[r.task.status],
                                f"{r.last_report.year}年{r.last_report.month}月" if r.last_report else "未报"]

    return Dataset(tables, rows(), len(flagged), _readme(view, generated_at, "督办提醒清单"),
                   f"督办提醒清单-{view.year}年度")
