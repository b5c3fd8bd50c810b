"""`flask rq-worker`: run RQ workers for the queues declared in workers/queues.py."""

from __future__ import annotations

import click
from flask import Flask, current_app
from rq import SimpleWorker

from questionnaire.extensions import build_redis
from questionnaire.settings import redis_configured
from workers.queues import QUEUES, get_queue

# Longest pause between an RQ worker's reconnection attempts (RQ's default backs off to 60 s):
# after a Redis failover the worker should be back within seconds, not a minute later.
MAX_RECONNECT_WAIT = 4


def init_app(app: Flask) -> None:
    app.cli.add_command(rq_worker_command)


@click.command("rq-worker")
@click.argument("queues", nargs=-1)
def rq_worker_command(queues) -> None:
    """Run an RQ worker for the given queues (default: all declared in workers/queues.py)."""
    if not redis_configured(current_app.config):
        raise click.ClickException("REDIS_URL 未设置：嵌入模式下任务在请求内直接执行，无需 worker")
    names = queues or tuple(QUEUES)
    unknown = [n for n in names if n not in QUEUES]
    if unknown:
        raise click.ClickException(f"未知队列：{', '.join(unknown)}（可用：{', '.join(QUEUES)}）")
    # Own client without the app's short socket timeout: the worker blocks on BLPOP. With
    # REDIS_SENTINELS it is Sentinel-managed and reconnects to whichever node is master.
    connection = build_redis(current_app.config, blocking=True)
    # SimpleWorker runs jobs in this process, inside this app context: no app is built
    # before a fork and the DB pool is never shared across processes. Timeouts still apply.
    worker = SimpleWorker([get_queue(QUEUES[n], connection, True) for n in names], connection=connection)
    worker.max_connection_wait_time = MAX_RECONNECT_WAIT
    worker.work(with_scheduler=False)
