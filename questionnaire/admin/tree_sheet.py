"""The organisation tree and per-unit targets as an Excel sheet (pure: openpyxl, no database).

One row per unit: 类型 (市 / 县区 / 乡镇 / 市直单位), 编码, 名称, 所属县区编码 (townships only)
and 目标答卷数 (this campaign's target, blank for none). Every bad row is reported with its
Excel row number and a Chinese reason; a file with any bad row yields no tree at all. The
tree a clean file yields is the campaign file's `org` section, checked again by its validation.
"""

from __future__ import annotations

import io
import re
from dataclasses import dataclass, field
from typing import Any
from zipfile import BadZipFile

from openpyxl import Workbook, load_workbook
from openpyxl.styles import Font, PatternFill
from openpyxl.utils.exceptions import InvalidFileException

from questionnaire.campaign_file.org_section import validate_org_section

HEADER = ("类型", "编码", "名称", "所属县区编码", "目标答卷数")
KIND_OF_LABEL = {"市": "city", "县区": "county", "乡镇": "township", "市直单位": "city_unit"}
LABEL_OF_KIND = {v: k for k, v in KIND_OF_LABEL.items()}
CODE = re.compile(r"^[A-Za-z0-9_-]{1,32}$")
NAME_LIMIT = 120
MAX_ROWS = 5000
GUIDE = (
    "每行一个单位。类型填 市、县区、乡镇 或 市直单位（市 最多一行，可省略）。",
    "编码：字母、数字、- 或 _，最多 32 位，全表不能重复；已有单位的编码不要改（改了会成为新单位）。",
    "名称：最多 120 字。改名只改名称，编码不变。",
    "所属县区编码：只有乡镇填写，填它所属县区那一行的编码。",
    "目标答卷数：本次评议该单位的目标份数，正整数；不设目标留空。",
    "上传后先显示将要新增、改名、不再列出的单位和目标变化，确认后才写入；有任何一行有误则什么都不写入。",
)


@dataclass
class SheetResult:
    spec: dict | None = None
    problems: list[str] = field(default_factory=list)  # "第 5 行：..." in row order


def template(rows: list[tuple]) -> bytes:
    """The sheet to fill in, pre-filled with `rows` (kind, code, name, county code, target)."""
    book = Workbook()
    sheet = book.active
    sheet.title = "组织架构"
    sheet.append(HEADER)
    for kind, code, name, county_code, target in rows:
        sheet.append((LABEL_OF_KIND[kind], code, name, county_code or None, target or None))
    for cell in sheet[1]:
        cell.font = Font(bold=True)
        cell.fill = PatternFill("solid", fgColor="F2DCDB")
    for column, width in zip("ABCDE", (10, 16, 36, 16, 14), strict=True):
        sheet.column_dimensions[column].width = width
    sheet.freeze_panes = "A2"
    guide = book.create_sheet("填写说明")
    for line in GUIDE:
        guide.append((line,))
    guide.column_dimensions["A"].width = 100
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)  # a code Excel stored as a number
    return str(value).strip()


def _target(value: Any) -> tuple[int | None, bool]:
    text = _text(value).replace(",", "")
    if not text:
        return None, True
    return (int(text), True) if text.isdigit() and int(text) > 0 else (None, False)


def read(data: bytes, existing_kinds: dict[str, str] | None = None, city: dict | None = None) -> SheetResult:
    """Parse an uploaded sheet; `existing_kinds` (code -> kind of units already stored) catches a
    code reused for another kind of unit; `city` ({code, name}) stands in for a left-out 市 row."""
    existing_kinds = existing_kinds or {}
    try:
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (InvalidFileException, BadZipFile, OSError, KeyError, ValueError, TypeError):
        return SheetResult(problems=["文件无法读取：请上传用模板填写的 Excel 文件（.xlsx）"])
    sheet = book["组织架构"] if "组织架构" in book.sheetnames else book.worksheets[0]
    rows = sheet.iter_rows(values_only=True)
    header = tuple(_text(v) for v in next(rows, ()) or ())
    missing = [h for h in HEADER if h not in header]
    if missing:
        return SheetResult(problems=[f"第 1 行：缺少列 {'、'.join(missing)}（请使用下载的模板）"])
    col = {h: header.index(h) for h in HEADER}
    problems: list[str] = []
    units: list[dict] = []
    seen: dict[str, int] = {}
    for number, values in enumerate(rows, start=2):
        if number > MAX_ROWS + 1:
            problems.append(f"第 {number} 行：行数过多（最多 {MAX_ROWS} 个单位）")
            break
        cells = {h: _text(values[i]) if i < len(values) else "" for h, i in col.items()}
        if not any(cells.values()):
            continue
        row_problems = []
        kind = KIND_OF_LABEL.get(cells["类型"])
        if kind is None:
            row_problems.append(f"类型“{cells['类型']}”不正确，应为 县区、乡镇、市直单位 或 市")
        code = cells["编码"]
        if not code:
            row_problems.append("编码必填")
        elif not CODE.match(code):
            row_problems.append(f"编码“{code}”只能包含字母、数字、- 和 _，最多 32 位")
        elif code in seen:
            row_problems.append(f"编码 {code} 与第 {seen[code]} 行重复")
        elif kind and existing_kinds.get(code, kind) != kind:
            row_problems.append(f"编码 {code} 已是{LABEL_OF_KIND[existing_kinds[code]]}，不能改为{cells['类型']}")
        if not cells["名称"]:
            row_problems.append("名称必填")
        elif len(cells["名称"]) > NAME_LIMIT:
            row_problems.append(f"名称过长（最多 {NAME_LIMIT} 字）")
        target, target_ok = _target(values[col["目标答卷数"]] if col["目标答卷数"] < len(values) else None)
        if not target_ok:
            row_problems.append(f"目标答卷数“{cells['目标答卷数']}”必须是正整数（不设目标时留空）")
        if kind == "township" and not cells["所属县区编码"]:
            row_problems.append("乡镇必须填写所属县区编码")
        if code and code not in seen:
            seen[code] = number
        problems.extend(f"第 {number} 行：{p}" for p in row_problems)
        units.append({"row": number, "kind": kind, "code": code, "name": cells["名称"],
                      "county": cells["所属县区编码"], "target_responses": target, "ok": not row_problems})
    problems.extend(_structure_problems(units))
    if problems:
        return SheetResult(problems=sorted(problems, key=_row_of))
    if not units:
        return SheetResult(problems=["文件中没有任何单位"])
    spec = _spec(units)
    spec["city"] = spec["city"] or city
    if spec["city"] is None:
        return SheetResult(problems=["缺少“市”一行：第一次上传时请填写本市的编码和名称（类型填“市”）"])
    check: list[str] = []
    spec = validate_org_section(spec, check)  # the campaign file's own rules, once more
    return SheetResult(spec=None if check else spec, problems=check)


def _row_of(problem: str) -> int:
    match = re.match(r"第 (\d+) 行", problem)
    return int(match.group(1)) if match else 0


def _structure_problems(units: list[dict]) -> list[str]:
    counties = {u["code"] for u in units if u["kind"] == "county" and u["ok"]}
    problems = []
    for u in units:
        if u["kind"] == "township" and u["county"] and u["county"] not in counties:
            problems.append(f"第 {u['row']} 行：所属县区编码 {u['county']} 不是本表中的县区")
        if u["kind"] != "township" and u["county"] and u["kind"]:
            problems.append(f"第 {u['row']} 行：只有乡镇填写所属县区编码")
    cities = [u for u in units if u["kind"] == "city"]
    for extra in cities[1:]:
        problems.append(f"第 {extra['row']} 行：市 只能有一行")
    return problems


def _spec(units: list[dict]) -> dict:
    def unit(u):
        return {"code": u["code"], "name": u["name"], "target_responses": u["target_responses"]}

    city = next((unit(u) for u in units if u["kind"] == "city"), None)
    counties = [{**unit(c), "townships": [unit(t) for t in units
                                          if t["kind"] == "township" and t["county"] == c["code"]]}
                for c in units if c["kind"] == "county"]
    return {"city": city, "counties": counties, "city_units": [unit(u) for u in units if u["kind"] == "city_unit"]}
