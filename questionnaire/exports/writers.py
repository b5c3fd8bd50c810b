"""CSV and XLSX writers for exports: streamed, constant memory, safe for Excel (no Flask).

A writer consumes a `Dataset` (see exports/plan.py): named tables with a header and
one iterator of (table key, row) pairs, read once, front to back, never held in a list.

Safety: a free-text cell starting with = + - @ (or tab / carriage return) would be run
as a formula by Excel or LibreOffice (OWASP "CSV injection"); such cells get a leading
apostrophe in both formats. XLSX cannot hold some control characters at all (XML 1.0):
those are removed (the characters openpyxl's ILLEGAL_CHARACTERS_RE names). Everything else
is verbatim. XLSX cells are written as strings, numbers and dates only, never as formulas
or links, whatever their text.

XLSX writer, chosen by measurement (ms of CPU per 27-column row, the writer alone; see
exports/xlsx.py and bench/export_memory.py): openpyxl write-only 0.21, XlsxWriter
constant-memory 0.145, exports.xlsx (rows as strings, spooled per sheet, zipped at close) 0.0x.
"""

from __future__ import annotations

import csv
import io
import os
import re
from collections.abc import Callable, Iterator
from datetime import datetime

from questionnaire.exports.xlsx import STYLE_BOLD, Workbook

FORMULA_TRIGGERS = frozenset("=+-@\t\r")
BOM = "\ufeff".encode()
EXCEL_MAX_ROWS = 1_048_576  # rows per worksheet, header included (Excel's hard limit)
SHEET_NAME_FORBIDDEN = str.maketrans({c: "_" for c in "[]:*?/\\"})
# Control characters XML 1.0 cannot carry (the set openpyxl's ILLEGAL_CHARACTERS_RE names).
ILLEGAL_CHARACTERS_RE = re.compile(r"[\000-\010]|[\013-\014]|[\016-\037]")

Progress = Callable[[int], None]


def neutralise(text: str) -> str:
    """Prefix an apostrophe to text a spreadsheet would read as a formula."""
    if text and text[0] in FORMULA_TRIGGERS:
        return "'" + text
    return text


def csv_value(value) -> str:
    if value is None:
        return ""
    if isinstance(value, str):
        return neutralise(value)
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d %H:%M:%S")
    return str(value)


def xlsx_value(value):
    if isinstance(value, str):
        return neutralise(ILLEGAL_CHARACTERS_RE.sub("", value))
    return value


def csv_chunks(header: list[str], rows: Iterator[list], progress: Progress | None = None,
               progress_every: int = 5000, chunk_rows: int = 500) -> Iterator[bytes]:
    """UTF-8 CSV with a BOM (so Excel opens Chinese correctly), yielded in chunks as rows arrive."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow([csv_value(h) for h in header])
    yield BOM + buffer.getvalue().encode()
    buffer.seek(0)
    buffer.truncate()
    done = 0
    for row in rows:
        writer.writerow([csv_value(v) for v in row])
        done += 1
        if done % chunk_rows == 0:
            yield buffer.getvalue().encode()
            buffer.seek(0)
            buffer.truncate()
        if progress is not None and done % progress_every == 0:
            progress(done)
    if buffer.tell():
        yield buffer.getvalue().encode()
    if progress is not None:
        progress(done)


def write_csv(fileobj, dataset, progress: Progress | None = None, progress_every: int = 5000) -> dict:
    """Write a one-table dataset as CSV to a binary file object; return {table key: rows}."""
    if len(dataset.tables) != 1:
        raise ValueError("a CSV file holds exactly one table")
    table = dataset.tables[0]
    counts = {table.key: 0}

    def rows():
        for key, row in dataset.rows:
            counts[key] += 1
            yield row

    for chunk in csv_chunks(table.header, rows(), progress, progress_every):
        fileobj.write(chunk)
    return counts


def sheet_name(title: str, taken: set[str]) -> str:
    """A legal, unique worksheet name (31 characters, no []:*?/\\)."""
    base = (title.translate(SHEET_NAME_FORBIDDEN).strip("' ") or "Sheet")[:28]
    name, n = base[:31], 2
    while name in taken:
        name = f"{base}({n})"
        n += 1
    taken.add(name)
    return name


class _SheetSeries:
    """One table's worksheets: a new one starts when Excel's row limit is reached."""

    def __init__(self, wb: Workbook, title: str, header: list[str], taken: set[str], max_rows: int):
        self.wb, self.title, self.header, self.taken, self.max_rows = wb, title, header, taken, max_rows
        self.sheets: list[str] = []
        self.ws = self._new_sheet()

    def _new_sheet(self):
        suffix = f"（续{len(self.sheets)}）" if self.sheets else ""
        widths = [min(40, max(10, 2 * len(text) + 2)) for text in self.header]
        ws = self.wb.add_sheet(sheet_name(self.title[:28 - len(suffix)] + suffix, self.taken), widths,
                               freeze_header=True)
        ws.append([xlsx_value(text) for text in self.header], style=STYLE_BOLD)
        self.sheets.append(ws.name)
        return ws

    def append(self, row: list) -> None:
        if self.ws.rows >= self.max_rows:
            self.ws = self._new_sheet()
        self.ws.append([xlsx_value(v) for v in row])


def write_xlsx(target: str | os.PathLike | io.BytesIO, dataset, progress: Progress | None = None,
               progress_every: int = 5000, max_rows: int = EXCEL_MAX_ROWS) -> dict:
    """Write every table (one sheet each, more past Excel's row limit) plus a 说明 sheet.

    Each sheet's rows are spooled to a temporary file as they arrive, so memory stays flat
    whatever the row count; the 说明 sheet comes first but is filled in last, once the row
    counts are known.
    """
    wb = Workbook(target)
    taken: set[str] = set()
    readme = wb.add_sheet(sheet_name("说明", taken), [24, 80])
    series = {t.key: _SheetSeries(wb, t.title, t.header, taken, max_rows) for t in dataset.tables}
    counts = {t.key: 0 for t in dataset.tables}
    done = 0
    for key, row in dataset.rows:
        series[key].append(row)
        counts[key] += 1
        done += 1
        if progress is not None and done % progress_every == 0:
            progress(done)
    sheets = {key: s.sheets for key, s in series.items()}
    for row in dataset.readme(counts, sheets):
        readme.append([xlsx_value(v) for v in row])
    wb.close()
    if progress is not None:
        progress(done)
    return counts
