"""`flask rq-worker`: run RQ workers for the queues declared in workers/queues.py."""

from __future__ import annotations

import click
import redis
from flask import Flask, current_app
from rq import SimpleWorker

from workers.queues import QUEUES, get_queue


def init_app(app: Flask) -> None:
    app.cli.add_command(rq_worker_command)


@click.command("rq-worker")
@click.argument("queues", nargs=-1)
def rq_worker_command(queues) -> None:
    """Run an RQ worker for the given queues (default: all declared in workers/queues.py)."""
    if not current_app.config.get("REDIS_URL"):
        raise click.ClickException("REDIS_URL 未设置：嵌入模式下任务在请求内直接执行，无需 worker")
    names = queues or tuple(QUEUES)
    unknown = [n for n in names if n not in QUEUES]
    if unknown:
        raise click.ClickException(f"未知队列：{', '.join(unknown)}（可用：{', '.join(QUEUES)}）")
    # Own client without the app's short socket timeout: the worker blocks on BLPOP.
    connection = redis.Redis.from_url(current_app.config["REDIS_URL"])
    # SimpleWorker runs jobs in this process, inside this app context: no app is built
    # before a fork and the DB pool is never shared across processes. Timeouts still apply.
    worker = SimpleWorker([get_queue(QUEUES[n], connection, True) for n in names], connection=connection)
    worker.work(with_scheduler=False)
