"""gunicorn settings, all overridable from the environment.

Embedded mode (no REDIS_URL / REDIS_SENTINELS) must run a single process: the Redis stand-in and
the SQLite writer live inside it. With real servers, workers x threads follow
WEB_CONCURRENCY / WEB_THREADS. Default: gthread, one process more than cores, two
threads each. A submission is ~3 ms of Python between three short network waits
(Redis, PostgreSQL, Redis): a spare process covers the waits, and few threads per
process keep the GIL hand-offs down. Measured with bench/run_load.py --matrix on
2 cores (README, "Load benchmark"): 3x2 and sync-4 led every run; 4x4 and 2x8
spent up to a third more CPU per accepted submission.
"""

import gc
import multiprocessing
import os

bind = os.environ.get("BIND", "127.0.0.1:5000")
embedded = not (os.environ.get("REDIS_URL") or os.environ.get("REDIS_SENTINELS"))
workers = 1 if embedded else int(os.environ.get("WEB_CONCURRENCY", multiprocessing.cpu_count() + 1))
worker_class = os.environ.get("WORKER_CLASS", "gthread")
threads = int(os.environ.get("WEB_THREADS", "8" if embedded else "2"))
timeout = int(os.environ.get("WEB_TIMEOUT", "30"))
graceful_timeout = 20
keepalive = 5
accesslog = os.environ.get("ACCESS_LOG") or None
errorlog = "-"
# No preload: each worker builds its own app, so no Redis or DB connection crosses a fork.
preload_app = False


def post_worker_init(worker):
    """The app is built: move its ~150 k long-lived objects out of the collector's reach.

    Without this every full collection walks the app, its templates and its libraries
    (gc.freeze: they stay alive for the worker's life anyway); a share of each request's CPU
    went to those walks (issue 17's profile).
    """
    gc.freeze()
