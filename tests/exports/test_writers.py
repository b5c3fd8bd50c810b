"""CSV / XLSX writers: BOM, formula-injection guard, XML-illegal characters, sheet limits, laziness."""

from __future__ import annotations

import io
from datetime import datetime

from questionnaire.exports.plan import Dataset, Table
from questionnaire.exports.writers import csv_chunks, neutralise, sheet_name, write_csv, write_xlsx
from tests.exports.conftest import read_csv, read_xlsx

HOSTILE = ["=HYPERLINK(\"http://evil\",\"点我\")", "+1+2", "-3+cmd|' /C calc'!A0", "@SUM(A1:A2)",
           "\tTAB", "\rCR"]


def _dataset(rows, header=("编号", "意见建议")):
    return Dataset([Table("t", "答卷", list(header))], (("t", r) for r in rows), len(rows),
                   lambda counts, sheets: [["行数", counts["t"]], ["工作表", "、".join(sheets["t"])]], "测试")


class CountingRows:
    """An iterator that records how many rows the writer has pulled so far."""

    def __init__(self, n):
        self.n, self.pulled = n, 0

    def __iter__(self):
        for i in range(self.n):
            self.pulled += 1
            yield [i, f"第{i}条意见"]


def test_cells_that_a_spreadsheet_would_run_get_an_apostrophe():
    for text in HOSTILE:
        assert neutralise(text) == "'" + text
    for text in ("路灯需要修", "1+1", "a=b", "", "'已转义"):
        assert neutralise(text) == text


def test_csv_starts_with_a_bom_and_neutralises_formulas():
    buffer = io.BytesIO()
    counts = write_csv(buffer, _dataset([[i, text] for i, text in enumerate(HOSTILE)] + [[9, "正常，含“引号”\n换行"]]))
    rows = read_csv(buffer.getvalue())
    assert counts == {"t": len(HOSTILE) + 1}
    assert rows[0] == ["编号", "意见建议"]
    assert [r[1] for r in rows[1:-1]] == ["'" + t for t in HOSTILE]
    assert rows[-1][1] == "正常，含“引号”\n换行"  # verbatim, quoted by the csv module


def test_csv_writes_datetimes_to_the_second_and_none_as_empty():
    buffer = io.BytesIO()
    write_csv(buffer, _dataset([[datetime(2026, 5, 2, 1, 30, 5), None]]))
    assert read_csv(buffer.getvalue())[1] == ["2026-05-02 01:30:05", ""]


def test_xlsx_neutralises_formulas_and_strips_xml_illegal_characters():
    buffer = io.BytesIO()
    write_xlsx(buffer, _dataset([[i, text] for i, text in enumerate(HOSTILE)] + [[9, "响铃\x07与\x1b转义"]]))
    sheets = read_xlsx(buffer.getvalue())
    assert list(sheets) == ["说明", "答卷"]
    body = sheets["答卷"][1:]
    assert [r[1] for r in body[:5]] == ["'" + t for t in HOSTILE[:5]]
    assert body[5][1].startswith("'")  # "\rCR": XML readers turn the CR into LF, the guard stays
    assert body[-1][1] == "响铃与转义"
    assert sheets["说明"][0] == ("行数", len(HOSTILE) + 1)


def test_xlsx_continues_on_a_new_sheet_at_the_row_limit():
    buffer = io.BytesIO()
    counts = write_xlsx(buffer, _dataset([[i, "x"] for i in range(7)]), max_rows=4)  # 3 data rows per sheet
    sheets = read_xlsx(buffer.getvalue())
    assert counts == {"t": 7}
    assert list(sheets) == ["说明", "答卷", "答卷（续1）", "答卷（续2）"]
    assert [len(rows) - 1 for name, rows in sheets.items() if name != "说明"] == [3, 3, 1]
    assert all(rows[0] == ("编号", "意见建议") for name, rows in sheets.items() if name != "说明")
    assert sheets["说明"][1] == ("工作表", "答卷、答卷（续1）、答卷（续2）")


def test_sheet_names_are_legal_and_unique():
    taken: set[str] = set()
    assert sheet_name("县区/单位:问卷[2026]?", taken) == "县区_单位_问卷_2026__"
    assert sheet_name("县区/单位:问卷[2026]?", taken) == "县区_单位_问卷_2026__(2)"
    assert len(sheet_name("很长" * 40, taken)) <= 31


def test_csv_is_produced_while_rows_are_still_being_read():
    source = CountingRows(10_000)
    chunks = csv_chunks(["编号", "意见建议"], iter(source), chunk_rows=100)
    header = next(chunks)
    assert header.startswith("\ufeff".encode()) and source.pulled == 0
    first = next(chunks)
    assert first.decode().count("\n") == 100
    assert source.pulled == 100  # the writer has not read ahead
    rest = b"".join(chunks)
    assert source.pulled == 10_000 and rest.decode().count("\n") == 9_900


def test_xlsx_writer_pulls_rows_one_at_a_time():
    source = CountingRows(2_000)
    seen = []
    dataset = Dataset([Table("t", "答卷", ["编号", "意见建议"])], (("t", r) for r in source), 2_000,
                      lambda c, s: [], "测试")
    write_xlsx(io.BytesIO(), dataset, progress=lambda done: seen.append((done, source.pulled)), progress_every=500)
    assert seen[:4] == [(500, 500), (1000, 1000), (1500, 1500), (2000, 2000)]
