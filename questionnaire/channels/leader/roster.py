"""Read and check a rater roster (XLSX first sheet, or CSV in UTF-8 or GBK); pure, no database.

Every problem is reported with its row number (as Excel shows it) and a Chinese reason; the
caller writes nothing unless the whole file is clean. Header synonyms are accepted (姓名 /
评价人姓名, 所在单位 / 单位 / 工作单位, ...). Phone numbers are not read: reminders are not
built, and a number the system does not need is a number it cannot leak.
"""

from __future__ import annotations

import csv
import io
import re
import zipfile
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from openpyxl import Workbook, load_workbook

from questionnaire.channels.leader.matrix import SCOPE_ALL, SCOPE_CITY_UNITS, SCOPE_COUNTIES

MAX_ROWS = 50_000
MAX_BYTES = 20 * 1024 * 1024
HEADERS = {
    "name": ("姓名", "评价人", "评价人姓名", "名字"),
    "unit": ("所在单位", "单位", "工作单位", "单位名称"),
    "post": ("职务", "职位"),
    "category": ("评价人类别", "类别", "人员类别"),
    "scope": ("评价范围", "范围"),
    "avoid": ("回避对象", "回避单位", "回避"),
}
COLUMN_LABELS = {field: names[0] for field, names in HEADERS.items()}
CATEGORIES = ("主要领导", "绩效考评负责人", "其他")
SCOPE_WORDS = {"县区": SCOPE_COUNTIES, "县（区）": SCOPE_COUNTIES, "市直单位": SCOPE_CITY_UNITS,
               "市直": SCOPE_CITY_UNITS, "全部": SCOPE_ALL}
LIST_SEPARATORS = re.compile(r"[、,，;；\s]+")
TEMPLATE_HEADER = ("序号", "姓名", "所在单位", "职务", "评价人类别", "评价范围", "回避对象")


class RosterFileError(ValueError):
    """The file as a whole cannot be read (format, size, missing columns)."""


@dataclass(frozen=True)
class RowProblem:
    row: int
    column: str
    reason: str


@dataclass(frozen=True)
class RosterRow:
    row: int
    name: str
    unit_id: int
    post: str
    category: str
    scope: str
    avoid_unit_ids: tuple[int, ...]


@dataclass
class RosterCheck:
    rows_read: int = 0
    accepted: list[RosterRow] = field(default_factory=list)
    problems: list[RowProblem] = field(default_factory=list)

    @property
    def rejected_rows(self) -> list[int]:
        return sorted({p.row for p in self.problems})

    @property
    def is_clean(self) -> bool:
        return not self.problems


def read_table(data: bytes, filename: str) -> list[tuple[int, dict[str, str]]]:
    """(row number, {field: text}) for every non-empty data row; header synonyms resolved."""
    if len(data) > MAX_BYTES:
        raise RosterFileError("文件超过 20 MB，请拆分后上传")
    if filename.lower().endswith(".xlsx"):
        grid = _xlsx_rows(data)
    elif filename.lower().endswith(".csv"):
        grid = _csv_rows(data)
    else:
        raise RosterFileError("只支持 .xlsx 或 .csv 文件")
    if not grid:
        raise RosterFileError("文件是空的")
    columns = _columns(grid[0])
    rows = []
    for number, cells in enumerate(grid[1:], start=2):
        values = {name: (cells[i] if i < len(cells) else "") for name, i in columns.items()}
        if any(values.values()):
            rows.append((number, values))
    if len(rows) > MAX_ROWS:
        raise RosterFileError(f"文件超过 {MAX_ROWS} 行，请拆分后上传")
    return rows


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


def _xlsx_rows(data: bytes) -> list[list[str]]:
    try:
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, OSError, ValueError) as exc:
        raise RosterFileError("无法读取该 Excel 文件，请另存为 .xlsx 后重试") from exc
    sheet = book.worksheets[0]
    grid = [[_text(v) for v in row] for row in sheet.iter_rows(values_only=True, max_row=MAX_ROWS + 2)]
    book.close()
    return grid


def _csv_rows(data: bytes) -> list[list[str]]:
    for encoding in ("utf-8-sig", "gb18030"):  # GB18030 reads every GBK file
        try:
            text = data.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:
        raise RosterFileError("无法识别文件编码，请保存为 UTF-8 或 GBK 编码的 CSV")
    return [[_text(v) for v in row] for row in csv.reader(io.StringIO(text))]


def _columns(header: Sequence[str]) -> dict[str, int]:
    found: dict[str, int] = {}
    for i, raw in enumerate(header):
        label = raw.replace(" ", "").replace("\u3000", "")
        for name, synonyms in HEADERS.items():
            if label in synonyms and name not in found:
                found[name] = i
    missing = [COLUMN_LABELS[n] for n in ("name", "unit") if n not in found]
    if missing:
        raise RosterFileError(f"缺少必填列：{'、'.join(missing)}（第 1 行应为表头）")
    return found


def check_rows(rows: Sequence[tuple[int, Mapping[str, str]]], units_by_name: Mapping[str, int]) -> RosterCheck:
    """Validate every row against the org list (`units_by_name`: unit name or code -> id).

    A repeated (姓名, 单位) is rejected on its second and later rows, naming the first.
    """
    check = RosterCheck(rows_read=len(rows))
    first_seen: dict[tuple[str, int], int] = {}
    for number, values in rows:
        problems: list[RowProblem] = []
        name = values.get("name", "")
        if not name:
            problems.append(RowProblem(number, "姓名", "姓名不能为空"))
        elif len(name) > 60:
            problems.append(RowProblem(number, "姓名", "姓名过长（最多 60 字）"))
        unit_text = values.get("unit", "")
        unit_id = units_by_name.get(unit_text)
        if not unit_text:
            problems.append(RowProblem(number, "所在单位", "所在单位不能为空"))
        elif unit_id is None:
            problems.append(RowProblem(number, "所在单位", f"单位“{unit_text}”不在单位名单中"))
        category = values.get("category") or "主要领导"
        if category not in CATEGORIES:
            problems.append(RowProblem(number, "评价人类别", f"评价人类别须为 {'/'.join(CATEGORIES)} 之一"))
        scope = SCOPE_WORDS.get(values.get("scope") or "县区")
        if scope is None:
            problems.append(RowProblem(number, "评价范围", "评价范围须为 县区/市直单位/全部 之一"))
        avoid: list[int] = []
        for word in filter(None, LIST_SEPARATORS.split(values.get("avoid", ""))):
            if word not in units_by_name:
                problems.append(RowProblem(number, "回避对象", f"回避对象“{word}”不在单位名单中"))
            else:
                avoid.append(units_by_name[word])
        post = values.get("post", "")
        if len(post) > 100:
            problems.append(RowProblem(number, "职务", "职务过长（最多 100 字）"))
        if name and unit_id is not None:
            earlier = first_seen.setdefault((name, unit_id), number)
            if earlier != number:
                problems.append(RowProblem(number, "姓名", f"与第 {earlier} 行重复（同一单位的同名评价人）"))
        if problems:
            check.problems.extend(problems)
        else:
            check.accepted.append(RosterRow(number, name, unit_id, post, category, scope, tuple(sorted(set(avoid)))))
    return check


def template_xlsx() -> bytes:
    """The downloadable roster template: the header and one example row."""
    book = Workbook()
    sheet = book.active
    sheet.title = "评价人名单"
    sheet.append(TEMPLATE_HEADER)
    sheet.append((1, "张三", "市教育局", "局长", "主要领导", "县区", ""))
    for column, width in zip("ABCDEFG", (6, 12, 28, 16, 16, 12, 30), strict=True):
        sheet.column_dimensions[column].width = width
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
