"""The streaming XLSX writer: what openpyxl (as Excel would) reads back from it."""

from __future__ import annotations

import io
from datetime import date, datetime

from openpyxl import load_workbook

from questionnaire.exports.xlsx import STYLE_BOLD, Workbook, column_letters, excel_serial


def _written(fill) -> bytes:
    buffer = io.BytesIO()
    wb = Workbook(buffer)
    fill(wb)
    wb.close()
    return buffer.getvalue()


def test_values_come_back_with_their_types():
    def fill(wb):
        ws = wb.add_sheet("答卷", [12, 30], freeze_header=True)
        ws.append(["编号", "意见"], style=STYLE_BOLD)
        ws.append([1, "<路灯> & \"井盖\""])
        ws.append([2.5, " 前后有空格 ", True, None, datetime(2026, 5, 2, 13, 30, 5), date(2026, 5, 3)])
        ws.append(["=1+1"])  # the caller guards formulas; written here, it is still text

    wb = load_workbook(io.BytesIO(_written(fill)))
    ws = wb["答卷"]
    assert [c.value for c in ws[1]][:2] == ["编号", "意见"] and ws["A1"].font.b
    assert ws["B2"].value == "<路灯> & \"井盖\""
    assert [c.value for c in ws[3]] == [2.5, " 前后有空格 ", True, None, datetime(2026, 5, 2, 13, 30, 5),
                                        datetime(2026, 5, 3)]
    assert ws["E3"].number_format == "yyyy-mm-dd hh:mm:ss"
    assert ws["A4"].value == "=1+1" and ws["A4"].data_type == "s"
    assert ws.freeze_panes == "A2"
    assert ws.column_dimensions["B"].width == 30


def test_sheets_keep_their_order_and_names_and_rows_interleave():
    def fill(wb):
        notes, first, second = wb.add_sheet("说明"), wb.add_sheet("县区问卷"), wb.add_sheet("单位问卷")
        for i in range(3):
            first.append([f"县{i}"])
            second.append([f"单位{i}"])
        notes.append(["行数", 6])

    wb = load_workbook(io.BytesIO(_written(fill)), read_only=True)
    assert wb.sheetnames == ["说明", "县区问卷", "单位问卷"]
    assert [r for r in wb["单位问卷"].iter_rows(values_only=True)] == [("单位0",), ("单位1",), ("单位2",)]
    assert [r for r in wb["说明"].iter_rows(values_only=True)] == [("行数", 6)]


def test_column_letters_and_date_serials_follow_excel():
    assert column_letters(28)[-3:] == ["Z", "AA", "AB"]
    assert column_letters(703)[-1] == "AAA"
    assert excel_serial(datetime(1900, 3, 1)) == 61  # Excel's 1900 system (after its leap-year bug)
    assert excel_serial(datetime(2026, 1, 1, 12)) == 46023.5
