"""`flask tallies ...`: operating the live tallies."""

from __future__ import annotations

import logging
import os
import time

import click
import redis
from flask import current_app
from flask.cli import AppGroup
from rq.cron import CronScheduler
from rq.exceptions import StopRequested
from sqlalchemy import select

from questionnaire.campaigns.models import Campaign
from questionnaire.extensions import build_redis, db
from questionnaire.settings import redis_configured
from questionnaire.tallies import counting as tallies
from questionnaire.tallies.leader import ScheduleLease
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


class LeaseLost(Exception):
    """The schedule lease went with its PostgreSQL connection: stop enqueuing, stand by."""


class LeasedCronScheduler(CronScheduler):
    """rq's CronScheduler that enqueues only while this process holds the schedule lease."""

    def __init__(self, connection, lease: ScheduleLease, **kwargs) -> None:
        super().__init__(connection=connection, **kwargs)
        self.lease = lease

    def enqueue_jobs(self):
        if not self.lease.held():
            raise LeaseLost()
        return super().enqueue_jobs()


def _run_schedule(connection, lease: ScheduleLease, interval: int) -> bool:
    """Run the scheduler while the lease holds; False on SIGTERM/SIGINT (exit), True to stand by again."""
    pause = 1.0
    while True:
        scheduler = LeasedCronScheduler(connection, lease)
        # ttl: a run nobody picked up within a minute is dropped (a later one does the same work).
        scheduler.register(apply_open_campaigns, queue_name=TALLIES.name, interval=max(1, interval),
                           job_timeout=TALLIES.job_timeout, result_ttl=TALLIES.result_ttl, ttl=60)
        started = time.monotonic()
        try:
            scheduler.start()  # returns on SIGTERM/SIGINT
            return False
        except LeaseLost:
            return True
        except (redis.ConnectionError, redis.TimeoutError) as exc:
            # rq's scheduler dies with its Redis connection; a restarted Redis (empty, or after a
            # failover) must not leave the tallies frozen until someone restarts this process.
            pause = 1.0 if time.monotonic() - started > 60 else min(pause * 2, 8.0)
            log.warning("tally schedule lost redis error=%s retry_in=%.0fs", exc, pause)
        try:
            time.sleep(pause)
        except (StopRequested, KeyboardInterrupt):
            return False


@tallies_cli.command("cron")
@click.option("--interval", type=int, default=None, help="Seconds between runs (TALLY_INTERVAL_SECONDS).")
def cron_command(interval: int | None) -> None:
    """Enqueue the incremental tally job every few seconds (rq cron; one leader across all nodes)."""
    if not redis_configured(current_app.config):
        raise click.ClickException("REDIS_URL 未设置：嵌入模式下看板读取时直接统计，无需定时任务")
    interval = interval or current_app.config["TALLY_INTERVAL_SECONDS"]
    connection = build_redis(current_app.config)
    lease = ScheduleLease(db.engine)
    standby_logged = False
    while True:
        if lease.acquire():
            log.info("tally schedule leader pid=%s", os.getpid())
            standby_logged = False
            if not _run_schedule(connection, lease, interval):
                lease.release()
                return
            log.info("tally schedule lease lost; standing by")
        elif not standby_logged:
            log.info("tally schedule standby: another node holds the lease")
            standby_logged = True
        try:
            time.sleep(max(1, interval))
        except KeyboardInterrupt:
            lease.release()
            return


def init_app(app) -> None:
    app.cli.add_command(tallies_cli)
