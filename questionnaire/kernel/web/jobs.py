"""The RQ job behind a progress or download page: only the account that started it may see it."""

from __future__ import annotations

import re

from flask import abort, current_app
from flask_login import current_user
from rq.exceptions import NoSuchJobError
from rq.job import Job

from questionnaire.extensions import redis_store

JOB_ID = re.compile(r"^[0-9a-f-]{32,36}$")  # RQ job ids: a UUID, with or without its dashes


def own_job(job_id: str, kind: str | None = None) -> Job:
    """The current account's own job (holding `kind` in its meta, when given); otherwise 404,
    so that someone else's job is not even confirmed to exist."""
    if not JOB_ID.match(job_id):
        abort(404)
    try:
        job = Job.fetch(job_id, connection=redis_store.client(current_app))
    except NoSuchJobError:
        abort(404)
    if job.meta.get("user_id") != current_user.id or (kind is not None and kind not in job.meta):
        abort(404)
    return job
