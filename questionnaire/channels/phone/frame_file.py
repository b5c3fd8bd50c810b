"""Read an uploaded sample frame (XLSX first sheet, or CSV in UTF-8 or GBK) into cleaned rows (pure).

Every rejected row is reported with its row number (as Excel shows it, the header being row 1)
and a Chinese reason; a repeated number is kept once and reported with the row that first had
it. Rows are streamed (openpyxl read-only mode, csv reader), so memory holds the kept numbers,
not the workbook.
"""

from __future__ import annotations

import csv
import io
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field

from openpyxl import load_workbook

from questionnaire.kernel.personal_data import clean_phone

MAX_ROWS = 50_000
MAX_BYTES = 20 * 1024 * 1024
HEADERS = {
    "phone": ("电话号码", "手机号", "手机号码", "联系电话", "电话"),
    "sample_type": ("样本类型",),
    "township": ("乡镇", "乡镇（街道）"),
}
SAMPLE_TYPES = ("服务对象", "企业", "两代表一委员", "村“两委”干部", "第一书记、工作队员", "脱贫户",
                "普通城乡居民", "机关干部职工")


class FrameFileError(ValueError):
    """The file as a whole cannot be read (format, size, header): nothing is stored."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class FrameRow:
    row_no: int
    number: str
    sample_type: str
    township: str


@dataclass
class FrameReport:
    rows_total: int = 0
    kept: list[FrameRow] = field(default_factory=list)
    rejected: list[tuple[int, str]] = field(default_factory=list)  # (row number, reason)
    duplicates: list[tuple[int, int]] = field(default_factory=list)  # (row number, first row number)


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


def _xlsx_rows(data: bytes) -> Iterator[tuple]:
    try:
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, OSError, ValueError) as exc:
        raise FrameFileError("无法读取该 Excel 文件，请另存为 .xlsx 后重新上传") from exc
    try:
        yield from book.worksheets[0].iter_rows(values_only=True)
    finally:
        book.close()


def _csv_rows(data: bytes) -> Iterator[tuple]:
    for encoding in ("utf-8-sig", "gbk"):
        try:
            text = data.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:
        raise FrameFileError("CSV 文件编码无法识别，请使用 UTF-8 或 GBK 编码")
    for row in csv.reader(io.StringIO(text)):
        yield tuple(row)


def _columns(header: tuple) -> dict[str, int]:
    names = [_text(h) for h in header]
    found = {}
    for key, synonyms in HEADERS.items():
        for i, name in enumerate(names):
            if name in synonyms:
                found[key] = i
                break
    if "phone" not in found:
        raise FrameFileError("表头缺少“电话号码”列（也可写作 手机号 / 手机号码 / 联系电话）")
    return found


def _cell(cells: list[str], cols: dict[str, int], key: str) -> str:
    i = cols.get(key)
    return cells[i] if i is not None and i < len(cells) else ""


def table_rows(filename: str, data: bytes, max_bytes: int = MAX_BYTES) -> Iterator[tuple]:
    """The rows of an uploaded table, streamed: an XLSX file's first sheet or a CSV (UTF-8 or
    GBK). Also read by the hotline's work-order import."""
    if len(data) > max_bytes:
        raise FrameFileError(f"文件超过 {max_bytes // (1024 * 1024)} MB，请拆分后上传")
    name = (filename or "").lower()
    if name.endswith(".xlsx"):
        return _xlsx_rows(data)
    if name.endswith(".csv"):
        return _csv_rows(data)
    raise FrameFileError("只接受 .xlsx 或 .csv 文件")


def cell_text(value) -> str:
    """A cell as trimmed text (an Excel integer typed as a float loses its '.0')."""
    return _text(value)


def read_frame(filename: str, data: bytes) -> FrameReport:
    """Clean every row of the file; raise FrameFileError when the file itself is unusable."""
    rows = table_rows(filename, data)
    header = next(rows, None)
    if header is None:
        raise FrameFileError("文件为空")
    cols = _columns(header)
    report = FrameReport()
    first_row: dict[str, int] = {}
    for row_no, row in enumerate(rows, start=2):
        cells = [_text(v) for v in row]
        if not any(cells):
            continue  # blank lines at the end of a sheet are not rows
        report.rows_total += 1
        if report.rows_total > MAX_ROWS:
            raise FrameFileError(f"每个文件最多 {MAX_ROWS:,} 行，请拆分后上传")

        phone = row[cols["phone"]] if cols["phone"] < len(row) else None
        cleaned = clean_phone(phone)
        if not cleaned.ok:
            report.rejected.append((row_no, cleaned.reason))
            continue
        sample_type = _cell(cells, cols, "sample_type")
        if sample_type and sample_type not in SAMPLE_TYPES:
            report.rejected.append((row_no, f"样本类型“{sample_type[:20]}”不在规定类别内"))
            continue
        if cleaned.number in first_row:
            report.duplicates.append((row_no, first_row[cleaned.number]))
            continue
        first_row[cleaned.number] = row_no
        report.kept.append(FrameRow(row_no, cleaned.number, sample_type, _cell(cells, cols, "township")[:64]))
    if report.rows_total == 0:
        raise FrameFileError("文件中没有数据行")
    return report
