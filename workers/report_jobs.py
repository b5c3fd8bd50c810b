"""All entities' evaluation reports of a campaign (DOCX + PDF each, and the city-wide report) in one zip.

The job takes ids only and re-reads its requester: only the office (admin) may build the batch,
so a queued job never produces more than its requester may see now. The results and tallies are
read once (reports/service.py), then each entity's report is rendered; progress (reports done /
total) is kept in job.meta for the page that polls it. The zip is written under
`instance/reports/` to a temporary name and renamed into place, so a download never sees half a
file; files older than a day are removed by the next batch. Running the job twice rewrites the
same file.
"""

from __future__ import annotations

import logging
import os
import time
import zipfile
from pathlib import Path

from flask import current_app
from rq import get_current_job

from questionnaire.accounts.models import OfficeUser
from questionnaire.extensions import db
from questionnaire.org.scope import Scope
from questionnaire.reports.docx_render import render_docx
from questionnaire.reports.pdf_render import render_pdf
from questionnaire.reports.service import CampaignReports
from workers import app_context
from workers.export_jobs import cleanup_old_exports
from workers.queues import REPORTS

log = logging.getLogger(__name__)

PROGRESS_EVERY = 2  # reports between job.meta saves


def report_dir(instance_path: str | os.PathLike) -> Path:
    return Path(instance_path) / "reports"


def batch_path(instance_path: str | os.PathLike, job_id: str) -> Path:
    return report_dir(instance_path) / f"{job_id}.zip"


def build_report_batch(campaign_id: int, user_id: int, job_id: str | None = None) -> dict:
    """Render every county's and city unit's report, plus the city-wide one, into one zip."""
    job = get_current_job()
    job_id = job.id if job is not None else job_id
    started = time.perf_counter()
    with app_context():
        if not Scope.for_user(db.session.get(OfficeUser, user_id)).is_admin:
            raise PermissionError("only the performance office builds the batch of every entity's report")
        directory = report_dir(current_app.instance_path)
        directory.mkdir(parents=True, exist_ok=True)
        cleanup_old_exports(directory, REPORTS.result_ttl)
        reports = CampaignReports(db.session, campaign_id)
        units = reports.entity_ids()
        total = len(units) + 1
        if job is not None:
            job.meta.update(total=total, done=0)
            job.save_meta()
        final = batch_path(current_app.instance_path, job_id)
        partial = directory / f".{final.name}.part"
        try:
            with zipfile.ZipFile(partial, "w", compression=zipfile.ZIP_DEFLATED) as archive:
                for done, unit_id in enumerate([None, *units], start=1):
                    report = reports.city_report() if unit_id is None else reports.entity_report(unit_id)
                    archive.writestr(f"{report.filename}.docx", render_docx(report))
                    archive.writestr(f"{report.filename}.pdf", render_pdf(report))
                    if job is not None and (done % PROGRESS_EVERY == 0 or done == total):
                        job.meta["done"] = done
                        job.save_meta()
            os.replace(partial, final)  # atomic: the download sees no file or the whole file
        except BaseException:
            partial.unlink(missing_ok=True)
            raise
        # The session ends with the app context (the worker's per job, the request's inline); removing
        # it here would detach the objects of a caller the job ran inline for.
        db.session.commit()
    seconds = time.perf_counter() - started
    result = {"reports": total, "bytes": final.stat().st_size, "seconds": round(seconds, 1)}
    if job is not None:
        job.meta.update(done=total, **result)
        job.save_meta()
    log.info("report batch built job=%s campaign=%s reports=%d bytes=%d seconds=%.1f", job_id, campaign_id,
             total, result["bytes"], seconds)
    return result
