"""Readers for exported files: CSV (with the BOM Excel needs) and XLSX."""

from __future__ import annotations

import csv
import io

from openpyxl import load_workbook


def read_csv(data: bytes) -> list[list[str]]:
    assert data.startswith("\ufeff".encode()), "CSV must start with a UTF-8 BOM for Excel"
    return list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))


def read_xlsx(data_or_path) -> dict[str, list[tuple]]:
    source = io.BytesIO(data_or_path) if isinstance(data_or_path, bytes) else data_or_path
    wb = load_workbook(source, read_only=True)
    try:
        return {ws.title: [tuple(row) for row in ws.iter_rows(values_only=True)] for ws in wb.worksheets}
    finally:
        wb.close()


def as_dicts(rows: list) -> list[dict]:
    header = rows[0]
    # Read-only openpyxl drops trailing empty cells: pad short rows with None.
    return [dict(zip(header, tuple(row) + (None,) * (len(header) - len(row)), strict=True)) for row in rows[1:]]
