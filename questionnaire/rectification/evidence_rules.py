"""Which evidence files (佐证材料) are accepted (pure): extension, size and the file's first bytes.

An extension alone proves nothing (an `.exe` renamed `.pdf`), so the first bytes must match the
kind the extension names, and a DOCX/XLSX must be a zip holding a Word document / a workbook.
Files are stored under a generated name (see evidence.py); the uploaded name is only metadata.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable

DEFAULT_MAX_BYTES = 20 * 1024 * 1024
MAX_FILES_PER_TASK = 10
HEAD_BYTES = 16

# kind -> (accepted extensions, leading magic bytes, MIME type sent on download)
KINDS = {
    "pdf": ((".pdf",), (b"%PDF-",), "application/pdf"),
    "jpeg": ((".jpg", ".jpeg"), (b"\xff\xd8\xff",), "image/jpeg"),
    "png": ((".png",), (b"\x89PNG\r\n\x1a\n",), "image/png"),
    "docx": ((".docx",), (b"PK\x03\x04",),
             "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
    "xlsx": ((".xlsx",), (b"PK\x03\x04",), "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
}
# The part an Office Open XML package of that kind must contain.
ZIP_MARKERS = {"docx": "word/document.xml", "xlsx": "xl/workbook.xml"}
STORED_EXTENSION = {"pdf": ".pdf", "jpeg": ".jpg", "png": ".png", "docx": ".docx", "xlsx": ".xlsx"}
ACCEPTED_TEXT = "jpg、png、pdf、docx、xlsx"


class EvidenceRefused(ValueError):
    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


def kind_for_name(filename: str) -> str:
    name = (filename or "").lower().strip()
    for kind, (extensions, _, _) in KINDS.items():
        if name.endswith(extensions):
            return kind
    raise EvidenceRefused(f"文件“{display_name(filename)}”的类型不允许，仅接受 {ACCEPTED_TEXT} 文件")


def check(filename: str, size: int, head: bytes, max_bytes: int = DEFAULT_MAX_BYTES) -> str:
    """The kind of an acceptable file, or EvidenceRefused with the Chinese reason."""
    kind = kind_for_name(filename)
    shown = display_name(filename)
    if size <= 0:
        raise EvidenceRefused(f"文件“{shown}”是空文件")
    if size > max_bytes:
        raise EvidenceRefused(f"文件“{shown}”大小为 {megabytes(size)}，超过单个文件 {megabytes(max_bytes)} 的上限")
    if not head.startswith(KINDS[kind][1]):
        raise EvidenceRefused(f"文件“{shown}”的内容与扩展名不符，请上传真实的 {ACCEPTED_TEXT} 文件")
    return kind


def check_zip_parts(kind: str, filename: str, names: Iterable[str]) -> None:
    marker = ZIP_MARKERS.get(kind)
    if marker is not None and marker not in set(names):
        raise EvidenceRefused(f"文件“{display_name(filename)}”不是有效的 {kind.upper()} 文档")


def megabytes(size: int) -> str:
    return f"{size / (1024 * 1024):.1f} MB".replace(".0 MB", " MB")


_UNSAFE = re.compile(r"[\x00-\x1f\x7f/\\:*?\"<>|]+")


def display_name(filename: str | None, limit: int = 120) -> str:
    """The uploaded name made safe to show and to offer on download: no path, no control or
    shell-special characters, NFC, bounded length (the file on disk never uses it)."""
    name = unicodedata.normalize("NFC", filename or "")
    name = name.replace("\\", "/").rsplit("/", 1)[-1]
    name = _UNSAFE.sub("_", name).strip(" ._")
    if len(name) > limit:
        stem, dot, ext = name.rpartition(".")
        name = (stem[: limit - len(ext) - 1] + dot + ext) if dot and len(ext) <= 8 else name[:limit]
    return name or "file"
