"""Batch poster PDFs, built off the request thread.

The job takes ids only and re-derives the scope from the user record, so a queued job
can never produce more than its requester may see. It is idempotent: running it twice
overwrites the same result key. The PDF is kept in Redis with a TTL (it can always be
rebuilt), progress lives in job.meta for the polling page.
"""

from __future__ import annotations

import logging

from flask import current_app
from rq import get_current_job

from questionnaire.accounts.models import OfficeUser
from questionnaire.channels.qr.office_entries import poster_data
from questionnaire.extensions import db
from questionnaire.kernel import keys
from questionnaire.org.scope import Scope
from questionnaire.posters.render import render_posters
from workers import app_context
from workers.queues import POSTERS

log = logging.getLogger(__name__)

RESULT_TTL = POSTERS.result_ttl
PROGRESS_EVERY = 10  # pages between job.meta saves: one Redis write per 10 pages is plenty


def result_key(job_id: str) -> str:
    return f"{keys.PREFIX}:posters:{job_id}"


def build_poster_batch(campaign_id: int, user_id: int, county_id: int | None, size: str) -> dict:
    """Render every enabled poster in the user's scope (optionally one county) into one PDF."""
    job = get_current_job()
    with app_context():
        scope = Scope.for_user(db.session.get(OfficeUser, user_id))
        if county_id is not None and not scope.allows_county(county_id):
            raise PermissionError("county outside the requester's scope")
        posters = poster_data(db.session, scope, current_app.config["PUBLIC_BASE_URL"],
                              campaign_id, county_id=county_id)
        db.session.remove()  # release the connection before the CPU-bound part
    total = len(posters)
    if job is not None:
        job.meta.update(total=total, done=0)
        job.save_meta()

    def progress(done: int) -> None:
        if job is not None and (done % PROGRESS_EVERY == 0 or done == total):
            job.meta["done"] = done
            job.save_meta()

    if total == 0:
        return {"pages": 0, "bytes": 0}
    pdf = render_posters(posters, size=size, progress=progress)
    if job is not None:
        job.connection.set(result_key(job.id), pdf, ex=RESULT_TTL)
    log.info("poster batch built job=%s pages=%d bytes=%d", job.id if job else None, total, len(pdf))
    return {"pages": total, "bytes": len(pdf)}
