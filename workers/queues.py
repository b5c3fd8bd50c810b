"""RQ queue names and their job timeouts, declared once (other job modules add theirs here).

RQ 2+/3 API: the Redis connection is always passed explicitly. In the embedded mode
(RQ_ASYNC false, fakeredis) jobs run inline in the caller, which is all a single-process
demo needs; with real Redis they go to `flask rq-worker`.
"""

from __future__ import annotations

from dataclasses import dataclass

from rq import Queue

from questionnaire.extensions import redis_store


@dataclass(frozen=True)
class QueueSpec:
    name: str
    job_timeout: int  # seconds: every job has a hard limit (a stuck job must not hold a worker)
    result_ttl: int  # seconds RQ keeps the finished job (and its meta) around


POSTERS = QueueSpec("posters", job_timeout=600, result_ttl=3600)
# Incremental runs are short and frequent (their results are worthless a second later);
# a full recount of 1.2 M rows takes tens of seconds, well inside the limit.
TALLIES = QueueSpec("tallies", job_timeout=1800, result_ttl=60)
# A 1.2 M-row XLSX takes minutes on a small box; the job (and its owner check) lives as
# long as its file (workers/export_jobs.py deletes files older than a day).
EXPORTS = QueueSpec("exports", job_timeout=3600, result_ttl=24 * 3600)

# All entities' reports (DOCX + PDF each) of a campaign in one zip; kept as long as an export.
REPORTS = QueueSpec("reports", job_timeout=1800, result_ttl=24 * 3600)

QUEUES: dict[str, QueueSpec] = {spec.name: spec for spec in (POSTERS, TALLIES, EXPORTS, REPORTS)}


def get_queue(spec: QueueSpec, connection, is_async: bool) -> Queue:
    return Queue(spec.name, connection=connection, is_async=is_async, default_timeout=spec.job_timeout)


def app_queue(app, spec: QueueSpec) -> Queue:
    """The queue for an app: its Redis client, inline when RQ_ASYNC is false."""
    return get_queue(spec, redis_store.client(app), bool(app.config.get("RQ_ASYNC")))
