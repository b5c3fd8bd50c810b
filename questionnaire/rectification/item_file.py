"""Read an uploaded item list (pure): XLSX (the first sheet) or CSV in UTF-8 or GBK."""

from __future__ import annotations

import csv
import io
import zipfile

from openpyxl import load_workbook

MAX_FILE_BYTES = 20 * 1024 * 1024


class FileUnreadable(ValueError):
    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


def decode_csv(data: bytes) -> str:
    """UTF-8 (with or without BOM) first; Excel on Chinese Windows saves GBK (GB18030 covers it)."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        try:
            return data.decode("gb18030")
        except UnicodeDecodeError as exc:
            raise FileUnreadable("CSV 文件编码无法识别，请另存为 UTF-8 或 GBK 编码") from exc


def read_table(filename: str, data: bytes) -> tuple[list, list[list]]:
    """(header, rows) of the file's first table."""
    if not data:
        raise FileUnreadable("文件为空")
    if len(data) > MAX_FILE_BYTES:
        raise FileUnreadable("文件超过 20 MB 的上限")
    name = (filename or "").lower()
    if name.endswith(".csv"):
        rows = list(csv.reader(io.StringIO(decode_csv(data))))
    elif name.endswith(".xlsx"):
        try:
            workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
        except (zipfile.BadZipFile, KeyError, ValueError, OSError) as exc:
            raise FileUnreadable("无法读取该 XLSX 文件，请确认文件未损坏") from exc
        try:
            sheet = workbook.worksheets[0]
            rows = [list(r) for r in sheet.iter_rows(values_only=True)]
        finally:
            workbook.close()
    else:
        raise FileUnreadable("仅支持 XLSX 或 CSV 文件")
    if not rows:
        raise FileUnreadable("文件中没有表头")
    return rows[0], rows[1:]
