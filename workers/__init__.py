"""RQ job functions (plain functions taking ids) and the queues they run on.

A job runs inside the caller's app context when executed inline (embedded mode), or
builds the app once per worker process; the app is never built before a fork.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator

from flask import has_app_context

_app = None


@contextlib.contextmanager
def app_context() -> Iterator[None]:
    if has_app_context():
        yield
        return
    global _app
    if _app is None:
        # Stays local: a worker builds its app on its first job, never at import (nothing is built
        # before a fork), and questionnaire.app imports workers.cli, so a top-level import would cycle.
        from questionnaire.app import create_app

        _app = create_app()
    with _app.app_context():
        yield
