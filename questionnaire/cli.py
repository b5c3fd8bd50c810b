"""`flask` commands for the office and for operators."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from pathlib import Path

import click
from flask import Flask, current_app
from sqlalchemy import select

from questionnaire.extensions import db

DEMO_FILE = Path(__file__).resolve().parent.parent / "demo" / "hechi-2026.yaml"


def init_app(app: Flask) -> None:
    app.cli.add_command(import_campaign_command)
    app.cli.add_command(seed_demo_command)
    app.cli.add_command(links_command)
    app.cli.add_command(create_user_command)
    app.cli.add_command(create_demo_accounts_command)
    app.cli.add_command(rq_worker_command)
    app.cli.add_command(rebuild_redis_command)


@click.command("import-campaign")
@click.argument("path", type=click.Path(exists=True, dir_okay=False))
@click.option("--check", is_flag=True, help="Only validate the file; write nothing.")
def import_campaign_command(path: str, check: bool) -> None:
    """Validate and import a campaign file (YAML or JSON)."""
    from questionnaire.services.campaign_import import (
        CampaignFileError, import_campaign, read_campaign_file, validate_campaign_doc)

    try:
        doc = read_campaign_file(path)
        if check:
            validate_campaign_doc(doc)
            click.echo("文件校验通过 (valid)")
            return
        summary = import_campaign(db.session, doc)
    except CampaignFileError as exc:
        click.echo(f"导入失败，共 {len(exc.problems)} 处问题：", err=True)
        for problem in exc.problems:
            click.echo(f"  - {problem}", err=True)
        raise SystemExit(1)
    click.echo(
        f"imported campaign id={summary.campaign_id} new_units={summary.units_created} "
        f"questionnaires={','.join(summary.questionnaires)} new_entry_points={summary.entry_points_created}"
    )


@click.command("seed-demo")
@click.option("--sample-responses", type=click.IntRange(0, 100_000), default=0,
              help="Also write this many synthetic responses if the demo has none (for the dashboard).")
def seed_demo_command(sample_responses: int) -> None:
    """Import the Hechi demo campaign, open from now for 180 days (idempotent)."""
    from questionnaire.services.campaign_import import import_campaign, read_campaign_file

    doc = read_campaign_file(DEMO_FILE)
    now = datetime.now(timezone.utc).replace(microsecond=0)
    from questionnaire.models import Campaign

    existing = db.session.scalar(select(Campaign).where(Campaign.slug == doc["campaign"]["slug"]))
    if existing is None:  # keep the dates of an existing demo so re-seeding is a no-op
        doc["campaign"]["opens_at"] = (now - timedelta(days=1)).isoformat()
        doc["campaign"]["closes_at"] = (now + timedelta(days=180)).isoformat()
    else:
        doc["campaign"]["opens_at"] = existing.opens_at.isoformat()
        doc["campaign"]["closes_at"] = existing.closes_at.isoformat()
    summary = import_campaign(db.session, doc)
    click.echo(f"demo campaign id={summary.campaign_id} new_entry_points={summary.entry_points_created}")
    if sample_responses:
        from questionnaire.models import Response
        from questionnaire.services import synthetic, tallies

        has_any = db.session.scalar(select(Response.id).where(Response.campaign_id == summary.campaign_id).limit(1))
        if has_any is None:
            written = synthetic.generate(db.engine, summary.campaign_id, sample_responses)
            tallies.apply_pending(db.engine, summary.campaign_id)
            click.echo(f"demo sample responses written={written} (synthetic, tallied)")


@click.command("links")
@click.option("--limit", default=5, show_default=True)
def links_command(limit: int) -> None:
    """Print the local URLs: office login, dashboard and a few sample entry links."""
    from questionnaire.models import EntryPoint, OrgUnit

    base = current_app.config["PUBLIC_BASE_URL"]
    click.echo(f"办公室登录 office login : {base}/office/login")
    click.echo(f"实时看板   dashboard    : {base}/dashboard/")
    click.echo("样例入口   sample entries:")
    rows = db.session.execute(
        select(EntryPoint.code, OrgUnit.name, OrgUnit.kind)
        .join(OrgUnit, OrgUnit.id == EntryPoint.poster_unit_id)
        .order_by(OrgUnit.kind, EntryPoint.id)
    ).all()
    shown = {}
    for code, name, kind in rows:
        if shown.get(kind, 0) < max(1, limit // 3 + 1):
            shown[kind] = shown.get(kind, 0) + 1
            click.echo(f"  {base}/s/{code}  ({name})")


@click.command("rebuild-redis")
@click.option("--campaign", "campaign_id", type=int, default=None, help="Only this campaign id.")
@click.option("--keep-stale", is_flag=True, help="Do not delete markers missing from PostgreSQL.")
def rebuild_redis_command(campaign_id: int | None, keep_stale: bool) -> None:
    """Rebuild the Redis dedup markers and counters from PostgreSQL (safe while serving)."""
    from questionnaire.extensions import redis_store
    from questionnaire.services import redis_rebuild

    client = redis_store.client(current_app)
    ids = [campaign_id] if campaign_id is not None else redis_rebuild.campaign_ids(db.engine)
    for cid in ids:
        try:
            s = redis_rebuild.rebuild_campaign(db.engine, client, cid, clear=not keep_stale)
        except LookupError as exc:
            raise click.ClickException(str(exc)) from None
        click.echo(f"campaign={s.campaign_id} markers={s.markers_written} "
                   f"stale_removed={s.stale_keys_removed} accepted={s.accepted}")


@click.command("create-user")
@click.argument("username")
@click.option("--role", type=click.Choice(["admin", "county", "unit"]), required=True)
@click.option("--unit", "unit_code", default=None, help="Org unit code (county or unit accounts).")
@click.option("--password", default=None, help="Omit to generate one (printed once).")
@click.option("--name", "display_name", default="", help="Display name (defaults to the unit name).")
def create_user_command(username, role, unit_code, password, display_name) -> None:
    """Create an office account (password stored hashed)."""
    from questionnaire.services.accounts import AccountError, NewAccount, create_user, generate_password

    generated = password is None
    password = password or generate_password()
    try:
        user = create_user(db.session, NewAccount(username, password, role, unit_code, display_name))
    except AccountError as exc:
        click.echo(f"创建失败：{exc.message}", err=True)
        raise SystemExit(1)
    click.echo(f"created user id={user.id} username={user.username} role={user.role}")
    if generated:
        click.echo(f"password: {password}  (shown once; store it safely)")


# Fixed demo passwords: refused in production (see the command).
DEMO_ACCOUNTS = (
    ("admin", "admin", None, "admin-demo"),
    ("county-451202", "county", "451202", "county-demo"),
    ("county-451203", "county", "451203", "county-demo"),
    ("unit-451202002", "unit", "451202002", "unit-demo"),
)


@click.command("create-demo-accounts")
def create_demo_accounts_command() -> None:
    """Create demo office accounts (admin, two counties, one township) and print them."""
    from questionnaire.models import OfficeUser
    from questionnaire.services.accounts import AccountError, NewAccount, create_user

    if current_app.config.get("ENV_NAME") == "production":
        click.echo("生产环境不能创建固定密码的演示账号", err=True)
        raise SystemExit(1)
    base = current_app.config["PUBLIC_BASE_URL"]
    click.echo(f"演示账号 demo accounts ({base}/office/login):")
    for username, role, unit_code, password in DEMO_ACCOUNTS:
        if db.session.scalar(select(OfficeUser.id).where(OfficeUser.username == username)) is None:
            try:
                create_user(db.session, NewAccount(username, password, role, unit_code))
            except AccountError as exc:
                click.echo(f"  skipped {username}: {exc.message}", err=True)
                continue
        click.echo(f"  {username:<16} / {password:<12} ({role}{' ' + unit_code if unit_code else ''})")


@click.command("rq-worker")
@click.argument("queues", nargs=-1)
def rq_worker_command(queues) -> None:
    """Run an RQ worker for the given queues (default: all declared in workers/queues.py)."""
    import redis
    from rq import SimpleWorker

    from workers.queues import QUEUES, get_queue

    if not current_app.config.get("REDIS_URL"):
        click.echo("REDIS_URL 未设置：嵌入模式下任务在请求内直接执行，无需 worker", err=True)
        raise SystemExit(1)
    names = queues or tuple(QUEUES)
    unknown = [n for n in names if n not in QUEUES]
    if unknown:
        click.echo(f"unknown queues: {', '.join(unknown)}", err=True)
        raise SystemExit(2)
    # Own client without the app's short socket timeout: the worker blocks on BLPOP.
    connection = redis.Redis.from_url(current_app.config["REDIS_URL"])
    # SimpleWorker runs jobs in this process, inside this app context: no app is built
    # before a fork and the DB pool is never shared across processes. Timeouts still apply.
    worker = SimpleWorker([get_queue(QUEUES[n], connection, True) for n in names], connection=connection)
    worker.work(with_scheduler=False)
