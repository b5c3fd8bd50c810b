"""Helpers of the administration tests: Excel files built in memory."""

from __future__ import annotations

import io

from openpyxl import Workbook, load_workbook

from questionnaire.admin.tree_sheet import HEADER


def sheet_bytes(rows: list[tuple], header: tuple = HEADER) -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.title = "组织架构"
    sheet.append(header)
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def sheet_rows(data: bytes) -> list[tuple]:
    sheet = load_workbook(io.BytesIO(data))["组织架构"]
    return [tuple(c.value for c in row) for row in sheet.iter_rows(min_row=2)]
