"""`flask tallies ...`: operating the live tallies."""

from __future__ import annotations

import logging
import time

import click
import redis
from flask import current_app
from flask.cli import AppGroup
from rq.cron import CronScheduler
from rq.exceptions import StopRequested
from sqlalchemy import select

from questionnaire.campaigns.models import Campaign
from questionnaire.extensions import db
from questionnaire.tallies import counting as tallies
from workers.queues import TALLIES
from workers.tally_jobs import apply_open_campaigns

log = logging.getLogger(__name__)

tallies_cli = AppGroup("tallies", help="Live tallies: incremental runs, full recount, verification, schedule.")


def _campaign_ids(campaign_id: int | None) -> list[int]:
    if campaign_id is not None:
        if db.session.get(Campaign, campaign_id) is None:
            raise click.ClickException(f"调查活动 {campaign_id} 不存在")
        return [campaign_id]
    return list(db.session.scalars(select(Campaign.id).order_by(Campaign.id)))


@tallies_cli.command("apply")
@click.option("--campaign", "campaign_id", type=int, default=None)
def apply_command(campaign_id: int | None) -> None:
    """Count every response not yet counted (what the scheduled job does)."""
    for cid in _campaign_ids(campaign_id):
        start = time.perf_counter()
        n = tallies.apply_pending(db.engine, cid)
        click.echo(f"campaign={cid} counted={n} seconds={time.perf_counter() - start:.2f}")


@tallies_cli.command("recount")
@click.option("--campaign", "campaign_id", type=int, default=None)
def recount_command(campaign_id: int | None) -> None:
    """Rebuild the tally tables from the responses table (one transaction per campaign)."""
    for cid in _campaign_ids(campaign_id):
        start = time.perf_counter()
        n = tallies.recount(db.engine, cid)
        click.echo(f"campaign={cid} recounted_rows={n} seconds={time.perf_counter() - start:.2f}")


@tallies_cli.command("verify")
@click.option("--campaign", "campaign_id", type=int, default=None)
def verify_command(campaign_id: int | None) -> None:
    """Compare the tally tables with a fresh recount; exit 1 on any difference."""
    bad = False
    for cid in _campaign_ids(campaign_id):
        problems = tallies.verify(db.engine, cid)
        click.echo(f"campaign={cid} {'exact' if not problems else f'{len(problems)} differences'}")
        for p in problems:
            click.echo(f"  {p}")
        bad = bad or bool(problems)
    if bad:
        raise click.ClickException("统计表与重新统计的结果不一致（见上）")


@tallies_cli.command("cron")
@click.option("--interval", type=int, default=None, help="Seconds between runs (TALLY_INTERVAL_SECONDS).")
def cron_command(interval: int | None) -> None:
    """Enqueue the incremental tally job every few seconds (`rq cron` scheduler; run one)."""
    if not current_app.config.get("REDIS_URL"):
        raise click.ClickException("REDIS_URL 未设置：嵌入模式下看板读取时直接统计，无需定时任务")
    interval = interval or current_app.config["TALLY_INTERVAL_SECONDS"]
    connection = redis.Redis.from_url(current_app.config["REDIS_URL"])
    pause = 1.0
    while True:
        scheduler = CronScheduler(connection=connection)
        # ttl: a run nobody picked up within a minute is dropped (a later one does the same work).
        scheduler.register(apply_open_campaigns, queue_name=TALLIES.name, interval=max(1, interval),
                           job_timeout=TALLIES.job_timeout, result_ttl=TALLIES.result_ttl, ttl=60)
        started = time.monotonic()
        try:
            scheduler.start()  # returns on SIGTERM/SIGINT
            return
        except (redis.ConnectionError, redis.TimeoutError) as exc:
            # rq's scheduler dies with its Redis connection; a restarted Redis (empty, or after a
            # failover) must not leave the tallies frozen until someone restarts this process.
            pause = 1.0 if time.monotonic() - started > 60 else min(pause * 2, 30.0)
            log.warning("tally schedule lost redis error=%s retry_in=%.0fs", exc, pause)
        try:
            time.sleep(pause)
        except (StopRequested, KeyboardInterrupt):
            return


def init_app(app) -> None:
    app.cli.add_command(tallies_cli)
