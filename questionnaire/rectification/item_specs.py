"""What a new rectification item must say, and the rows of an item file read into specs (pure).

One validation for every source: the office's form, the Excel/CSV import, a dashboard
suggestion, and later the scoring engine's low indicators and the hotline's unresolved orders.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime

from questionnaire.rectification.rules import CATEGORIES, SOURCES

MAX_TEXT = 2000
MAX_ROWS = 50_000
UNIT_SEPARATORS = re.compile(r"[、,，;；/\s]+")


@dataclass(frozen=True)
class ItemSpec:
    year: int
    text: str
    category: str
    deadline: date
    lead_ids: tuple[int, ...]
    assist_ids: tuple[int, ...] = ()
    source: str = "manual"
    batch: str = ""
    seq: int | None = None
    subject: str = ""
    note: str = ""
    source_ref: str | None = None


def spec_problems(spec: ItemSpec) -> list[tuple[str, str]]:
    """(field, Chinese reason) for each thing wrong with a spec; empty when it can be stored."""
    problems = []
    if not spec.text.strip():
        problems.append(("text", "意见建议原文不能为空"))
    elif len(spec.text) > MAX_TEXT:
        problems.append(("text", f"意见建议原文不能超过 {MAX_TEXT} 字"))
    if spec.category not in CATEGORIES:
        problems.append(("category", f"类别“{spec.category}”不在清单中（{'、'.join(CATEGORIES)}）"))
    if spec.source not in SOURCES:
        problems.append(("source", "来源不正确"))
    if not spec.lead_ids:
        problems.append(("lead", "必须指定牵头责任单位"))
    if set(spec.lead_ids) & set(spec.assist_ids) or len(set(spec.lead_ids)) != len(spec.lead_ids):
        problems.append(("assist", "同一单位不能重复分派"))
    if not 2000 <= spec.year <= 2100:
        problems.append(("year", "年度不正确"))
    elif spec.deadline.year < spec.year:
        problems.append(("deadline", "整改时限不能早于所属年度"))
    if len(spec.batch) > 64 or len(spec.subject) > 120 or len(spec.note) > 500:
        problems.append(("note", "来源批次不超过 64 字，涉及单位不超过 120 字，备注不超过 500 字"))
    return problems


# --- item files -----------------------------------------------------------------------------

# Column -> the header spellings accepted for it (spec 6.3 and 2.6: header synonyms).
COLUMNS = {
    "seq": ("序号", "编号"),
    "batch": ("来源批次", "来源", "批次"),
    "text": ("意见建议原文", "意见建议", "问题描述", "意见建议内容"),
    "subject": ("涉及县区/单位", "涉及县区", "涉及单位"),
    "category": ("类别", "问题分类", "分类"),
    "lead": ("牵头责任单位", "责任单位", "项目责任单位", "牵头单位"),
    "assist": ("配合单位", "协办单位"),
    "deadline": ("整改时限", "完成时限", "时限"),
    "note": ("备注",),
}
REQUIRED = ("text", "category", "lead")
COLUMN_LABELS = {key: names[0] for key, names in COLUMNS.items()}
TEMPLATE_HEADER = [names[0] for names in COLUMNS.values()]


@dataclass(frozen=True)
class RowProblem:
    row: int  # the spreadsheet's row number (the header is row 1)
    column: str
    reason: str


@dataclass
class ParsedFile:
    specs: list[ItemSpec] = field(default_factory=list)
    spec_rows: list[int] = field(default_factory=list)  # the row number of each spec
    problems: list[RowProblem] = field(default_factory=list)
    tasks: int = 0


def _header_map(header: Sequence) -> tuple[dict[str, int], list[RowProblem]]:
    found: dict[str, int] = {}
    for index, raw in enumerate(header):
        name = str(raw or "").strip().replace(" ", "")
        for key, names in COLUMNS.items():
            if name in names and key not in found:
                found[key] = index
    missing = [COLUMN_LABELS[k] for k in REQUIRED if k not in found]
    problems = [RowProblem(1, "表头", f"缺少必填列：{'、'.join(missing)}")] if missing else []
    return found, problems


def parse_deadline(value, year: int) -> date:
    """A date cell, or text like 2021-10-31 / 2021/10/31 / 2021年10月31日; blank -> 12-31 of the year."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return date(year, 12, 31)
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    match = re.fullmatch(r"(\d{4})[-/.年](\d{1,2})[-/.月](\d{1,2})日?", str(value).strip())
    if not match:
        raise ValueError("整改时限应为日期，如 2021-10-31")
    return date(*(int(part) for part in match.groups()))


def _units(raw, units: Mapping[str, int]) -> tuple[tuple[int, ...], list[str]]:
    names = [n for n in UNIT_SEPARATORS.split(str(raw or "").strip()) if n]
    unknown = [n for n in names if n not in units]
    return tuple(dict.fromkeys(units[n] for n in names if n in units)), unknown


def parse_rows(header: Sequence, rows: Sequence[Sequence], units: Mapping[str, int], year: int,
               source: str = "regional") -> ParsedFile:
    """Every row checked; specs only matter when `problems` is empty (nothing partial is stored).

    `units` maps each responsible entity's name and code to its id (counties and city units).
    """
    columns, problems = _header_map(header)
    result = ParsedFile(problems=problems)
    if problems:
        return result
    if len(rows) > MAX_ROWS:
        result.problems.append(RowProblem(1, "文件", f"超过 {MAX_ROWS} 行的上限"))
        return result
    seen: dict[tuple[str, int], int] = {}
    for offset, row in enumerate(rows):
        number = offset + 2

        def cell(key, row=row):
            index = columns.get(key)
            value = row[index] if index is not None and index < len(row) else None
            return value.strip() if isinstance(value, str) else value

        if all(v is None or (isinstance(v, str) and not v.strip()) for v in row):
            continue  # blank line
        row_problems: list[RowProblem] = []

        def refuse(key, reason, number=number, row_problems=row_problems):
            row_problems.append(RowProblem(number, COLUMN_LABELS[key], reason))

        seq = None
        raw_seq = cell("seq")
        if raw_seq not in (None, ""):
            try:
                seq = int(float(raw_seq)) if not isinstance(raw_seq, int) else raw_seq
            except (TypeError, ValueError):
                refuse("seq", "序号应为整数")
        try:
            deadline = parse_deadline(cell("deadline"), year)
        except ValueError as exc:
            refuse("deadline", str(exc))
            deadline = date(year, 12, 31)
        lead_ids, unknown_lead = _units(cell("lead"), units)
        assist_ids, unknown_assist = _units(cell("assist"), units)
        if unknown_lead:
            refuse("lead", f"找不到责任单位：{'、'.join(unknown_lead)}（请填写县区或市直单位的全称或编码）")
        if unknown_assist:
            refuse("assist", f"找不到配合单位：{'、'.join(unknown_assist)}")
        batch = str(cell("batch") or "")
        spec = ItemSpec(year=year, text=str(cell("text") or ""), category=str(cell("category") or ""),
                        deadline=deadline, lead_ids=lead_ids,
                        assist_ids=tuple(i for i in assist_ids if i not in lead_ids), source=source,
                        batch=batch, seq=seq, subject=str(cell("subject") or ""), note=str(cell("note") or ""))
        for key, reason in spec_problems(spec):
            if key == "lead" and unknown_lead:
                continue
            refuse(key if key in COLUMN_LABELS else "text", reason)
        if seq is not None:
            first = seen.setdefault((batch, seq), number)
            if first != number:
                refuse("seq", f"与第 {first} 行的来源批次和序号重复")
        result.problems.extend(row_problems)
        if not row_problems:
            result.specs.append(spec)
            result.spec_rows.append(number)
            result.tasks += len(spec.lead_ids) + len(spec.assist_ids)
    if not result.specs and not result.problems:
        result.problems.append(RowProblem(2, "文件", "文件中没有意见建议"))
    return result
