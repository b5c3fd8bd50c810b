"""Export files (raw responses, tallies) built off the request thread, queue `exports`.

The job takes ids and plain data only and re-derives the scope from the user record, so
a queued export can never contain more than its requester may see now (a scope changed
in between makes the job fail rather than leak). The file is written under
EXPORT_DIR (`instance/exports/` by default; a mount every node shares in a cluster) to a
temporary name and renamed into place when complete, so a download never sees half a
file; progress (rows written / expected) is kept in job.meta for the polling page. Files
older than a day are deleted by the next export job (and by `cleanup_old_exports`
wherever else it is called). Running a job twice rewrites the
same file.
"""

from __future__ import annotations

import logging
import os
import time
from datetime import datetime, timezone
from pathlib import Path

from flask import current_app
from rq import get_current_job
from sqlalchemy import select

from questionnaire.accounts.models import OfficeUser
from questionnaire.exports import datasets
from questionnaire.exports import plan as exports
from questionnaire.exports import writers as export_writers
from questionnaire.extensions import read_replica
from questionnaire.org.scope import Scope
from workers import app_context
from workers.queues import EXPORTS

log = logging.getLogger(__name__)

FILE_MAX_AGE = EXPORTS.result_ttl  # seconds; the job (owner check) and its file expire together
PROGRESS_EVERY = 5000  # rows between job.meta saves
EXTENSIONS = {"xlsx": "xlsx", "csv": "csv"}


def export_dir(config) -> Path:
    """EXPORT_DIR: instance/exports on one node, a directory every node mounts in a cluster."""
    return Path(config["EXPORT_DIR"])


def export_path(config, export_id: str, fmt: str) -> Path:
    return export_dir(config) / f"{export_id}.{EXTENSIONS[fmt]}"


def cleanup_old_exports(directory: str | os.PathLike, max_age: float = FILE_MAX_AGE,
                        now: float | None = None) -> int:
    """Delete export files (finished or abandoned) older than `max_age` seconds; return how many."""
    directory = Path(directory)
    if not directory.is_dir():
        return 0
    now = time.time() if now is None else now
    removed = 0
    for path in directory.iterdir():
        try:
            if path.is_file() and now - path.stat().st_mtime > max_age:
                path.unlink()
                removed += 1
        except FileNotFoundError:  # another worker cleaned it first
            continue
    return removed


def build_export(export_id: str, user_id: int, request: dict, yield_per: int = 2000) -> dict:
    """Write one export file for `user_id`'s scope; return rows, bytes and the download name."""
    job = get_current_job()
    with app_context():
        directory = export_dir(current_app.config)
        directory.mkdir(parents=True, exist_ok=True)
        cleanup_old_exports(directory)
        req = exports.ExportRequest.from_dict(request)
        final = export_path(current_app.config, export_id, req.fmt)
        partial = directory / f".{final.name}.part"
        generated_at = datetime.now(timezone.utc)
        # Core only: run inline (embedded mode), the job must not disturb the caller's ORM session.
        # READ_DATABASE_URL: a replica serves the long read, the primary keeps serving residents.
        with read_replica.engine(current_app).connect() as conn:
            user = conn.execute(select(OfficeUser.id, OfficeUser.role, OfficeUser.org_unit_id, OfficeUser.is_active)
                                .where(OfficeUser.id == user_id)).first()
            plan = exports.plan(conn, Scope.for_user(user), req)
            dataset = datasets.build(conn, plan, generated_at, yield_per=yield_per)
            if job is not None:
                job.meta.update(total=dataset.expected_rows, done=0)
                job.save_meta()

            def progress(done: int) -> None:
                if job is not None:
                    job.meta["done"] = done
                    job.save_meta()

            try:
                if req.fmt == "csv":
                    with open(partial, "wb") as fh:
                        counts = export_writers.write_csv(fh, dataset, progress, PROGRESS_EVERY)
                else:
                    counts = export_writers.write_xlsx(partial, dataset, progress, PROGRESS_EVERY)
                os.replace(partial, final)  # atomic: the download sees no file or the whole file
            except BaseException:
                partial.unlink(missing_ok=True)
                raise
    rows = sum(counts.values())
    result = {"rows": rows, "bytes": final.stat().st_size, "filename": f"{dataset.filename}.{EXTENSIONS[req.fmt]}"}
    if job is not None:
        job.meta.update(done=rows, total=rows, filename=result["filename"], bytes=result["bytes"])
        job.save_meta()
    log.info("export built id=%s user=%s dataset=%s fmt=%s rows=%d bytes=%d", export_id, user_id,
             req.dataset, req.fmt, rows, result["bytes"])
    return result
