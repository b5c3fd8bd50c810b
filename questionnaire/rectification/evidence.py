"""Evidence files on disk: checked, written under a generated name outside the web root.

Files live in `<instance>/rectification-evidence/` (never under static/, so the web server
cannot serve them; only the scoped download view reads them). The stored name is a random
hex id plus the extension of the *detected* kind, so an uploaded name can never become a
path, a script or a double extension; the uploaded name is kept as metadata.

Files are staged before the database transaction and removed again if it fails, so a
refused or failed report leaves neither a row nor a file behind.
"""

from __future__ import annotations

import hashlib
import os
import uuid
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from questionnaire.rectification import evidence_rules
from questionnaire.rectification.errors import EvidenceInvalid
from questionnaire.rectification.evidence_rules import EvidenceRefused

FOLDER = "rectification-evidence"


@dataclass(frozen=True)
class Upload:
    filename: str
    stream: BinaryIO


@dataclass(frozen=True)
class StagedFile:
    path: Path
    stored_name: str
    original_name: str
    kind: str
    size: int
    sha256: str


def evidence_dir(instance_path: str | os.PathLike) -> Path:
    return Path(instance_path) / FOLDER


def stored_path(instance_path: str | os.PathLike, stored_name: str) -> Path:
    if not stored_name or "/" in stored_name or "\\" in stored_name or stored_name.startswith("."):
        raise ValueError("not a stored evidence name")
    return evidence_dir(instance_path) / stored_name


def _size(stream: BinaryIO) -> int:
    stream.seek(0, os.SEEK_END)
    size = stream.tell()
    stream.seek(0)
    return size


def _check(upload: Upload, max_bytes: int) -> str:
    stream = upload.stream
    size = _size(stream)
    kind = evidence_rules.check(upload.filename, size, stream.read(evidence_rules.HEAD_BYTES), max_bytes)
    stream.seek(0)
    if kind in evidence_rules.ZIP_MARKERS:
        try:
            with zipfile.ZipFile(stream) as archive:
                names = archive.namelist()
        except zipfile.BadZipFile as exc:
            raise EvidenceRefused(f"文件“{evidence_rules.display_name(upload.filename)}”已损坏") from exc
        evidence_rules.check_zip_parts(kind, upload.filename, names)
        stream.seek(0)
    return kind


def stage(instance_path: str | os.PathLike, uploads: list[Upload], max_bytes: int,
          already: int = 0) -> list[StagedFile]:
    """Check every upload first, then write them all; any refusal writes nothing (422)."""
    uploads = [u for u in uploads if u.filename]
    if already + len(uploads) > evidence_rules.MAX_FILES_PER_TASK:
        raise EvidenceInvalid(f"每项任务最多上传 {evidence_rules.MAX_FILES_PER_TASK} 个佐证材料"
                              f"（已有 {already} 个）")
    try:
        kinds = [_check(u, max_bytes) for u in uploads]
    except EvidenceRefused as exc:
        raise EvidenceInvalid(exc.message) from exc
    folder = evidence_dir(instance_path)
    folder.mkdir(parents=True, exist_ok=True)
    staged: list[StagedFile] = []
    try:
        for upload, kind in zip(uploads, kinds, strict=True):
            stored_name = uuid.uuid4().hex + evidence_rules.STORED_EXTENSION[kind]
            path = folder / stored_name
            digest = hashlib.sha256()
            size = 0
            with open(path, "xb") as out:  # x: never overwrite
                for chunk in iter(lambda u=upload: u.stream.read(1 << 20), b""):
                    digest.update(chunk)
                    size += len(chunk)
                    out.write(chunk)
            staged.append(StagedFile(path, stored_name, evidence_rules.display_name(upload.filename), kind,
                                     size, digest.hexdigest()))
    except BaseException:
        discard(staged)
        raise
    return staged


def discard(staged: list[StagedFile]) -> None:
    for f in staged:
        f.path.unlink(missing_ok=True)


