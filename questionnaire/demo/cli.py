"""Demo commands: the demo campaign of `./dev run` and synthetic responses.

`flask seed-demo`, `flask create-demo-accounts`, `flask links`; `flask generate-responses`
writes synthetic rows for benchmarks and rehearsals.
"""

from __future__ import annotations

import time
from datetime import datetime, timedelta, timezone
from pathlib import Path
from urllib.parse import urlsplit

import click
from flask import Flask, current_app
from sqlalchemy import select

from questionnaire.accounts.models import OfficeUser
from questionnaire.accounts.service import AccountError, NewAccount, create_user
from questionnaire.campaign_file.importer import import_campaign, read_campaign_file
from questionnaire.campaigns.models import Campaign
from questionnaire.channels.phone.frames import PersonalKeys
from questionnaire.demo import hotline as hotline_demo
from questionnaire.demo import phone as phone_demo
from questionnaire.demo import rectification as rectification_demo
from questionnaire.demo import results_seed, synthetic
from questionnaire.demo.leader import demo_invitation_link, seed_leader_evaluation
from questionnaire.extensions import db
from questionnaire.intake.models import CollectionPoint, Response
from questionnaire.intake.services import submission_store
from questionnaire.org.models import OrgUnit
from questionnaire.tallies import counting as tallies

DEMO_FILE = Path(__file__).resolve().parents[2] / "demo" / "hechi-2026.yaml"


def init_app(app: Flask) -> None:
    app.cli.add_command(seed_demo_command)
    app.cli.add_command(links_command)
    app.cli.add_command(create_demo_accounts_command)
    app.cli.add_command(generate_responses_command)
    app.cli.add_command(seed_rectification_demo_command)
    app.cli.add_command(seed_phone_demo_command)


@click.command("seed-rectification-demo")
def seed_rectification_demo_command() -> None:
    """Demo rectification items: 2021 as seed 001 reports it (86.6 %), and this year's tasks (idempotent)."""
    if current_app.config.get("ENV_NAME") == "production":
        raise click.ClickException("生产环境不能写入演示整改数据")
    click.echo(rectification_demo.seed(db.session, current_app.instance_path))


@click.command("seed-phone-demo")
def seed_phone_demo_command() -> None:
    """Demo phone interviews (frames, a draw, a morning's calls by interviewer-1) and 12345 checks (idempotent)."""
    if current_app.config.get("ENV_NAME") == "production":
        raise click.ClickException("生产环境不能写入演示电话访问数据")
    campaign_id = db.session.scalar(select(Campaign.id).where(
        Campaign.slug == read_campaign_file(DEMO_FILE)["campaign"]["slug"]))
    if campaign_id is None:
        raise click.ClickException("请先运行 seed-demo")
    keys = PersonalKeys.from_config(current_app.config)
    click.echo(phone_demo.seed(db.session, submission_store(), keys, campaign_id))
    click.echo(hotline_demo.seed(db.session, submission_store(), keys, campaign_id))
    tallies.apply_pending(db.engine, campaign_id)


@click.command("seed-demo")
@click.option("--sample-responses", type=click.IntRange(0, 100_000), default=0,
              help="Also write this many synthetic responses if the demo has none (for the dashboard).")
def seed_demo_command(sample_responses: int) -> None:
    """Import the Hechi demo campaign, open from now for 180 days (idempotent)."""
    doc = read_campaign_file(DEMO_FILE)
    now = datetime.now(timezone.utc).replace(microsecond=0)
    existing = db.session.scalar(select(Campaign).where(Campaign.slug == doc["campaign"]["slug"]))
    if existing is None:  # keep the dates of an existing demo so re-seeding is a no-op
        doc["campaign"]["opens_at"] = (now - timedelta(days=1)).isoformat()
        doc["campaign"]["closes_at"] = (now + timedelta(days=180)).isoformat()
        doc["leader"]["deadline"] = (now + timedelta(days=30)).isoformat()
    else:
        doc["campaign"]["opens_at"] = existing.opens_at.isoformat()
        doc["campaign"]["closes_at"] = existing.closes_at.isoformat()
        doc["leader"]["deadline"] = (existing.settings.get("leader") or {}).get(
            "deadline", (now + timedelta(days=30)).isoformat())
    summary = import_campaign(db.session, doc)
    click.echo(f"demo campaign id={summary.campaign_id} new_entry_points={summary.entry_points_created}")
    figures = results_seed.add_external_figures(db.session, summary.campaign_id)
    click.echo(f"demo results: counties_with_demo_figures={figures}")
    if sample_responses:
        has_any = db.session.scalar(select(Response.id).where(Response.campaign_id == summary.campaign_id).limit(1))
        if has_any is None:
            written = synthetic.generate(db.engine, summary.campaign_id, sample_responses)
            tallies.apply_pending(db.engine, summary.campaign_id)
            click.echo(f"demo sample responses written={written} (synthetic, tallied)")
    invited, submitted = seed_leader_evaluation(db.session, submission_store(), summary.campaign_id,
                                                current_app.config["PARTICIPANT_HMAC_KEY"],
                                                current_app.config["SECRET_KEY"])
    tallies.apply_pending(db.engine, summary.campaign_id)
    click.echo(f"demo leader evaluation invited={invited} submitted={submitted}")


@click.command("links")
@click.option("--limit", default=5, show_default=True)
def links_command(limit: int) -> None:
    """Print the local URLs: office login, dashboard and a few sample entry links."""
    base = current_app.config["PUBLIC_BASE_URL"]
    click.echo(f"办公室登录 office login : {base}/office/login")
    click.echo(f"实时看板   dashboard    : {base}/dashboard/")
    invitation = demo_invitation_link(db.session, current_app.config["SECRET_KEY"], base)
    if invitation:
        click.echo(f"领导评价   leader invite: {invitation}")
    click.echo("样例入口   sample entries:")
    rows = db.session.execute(
        select(CollectionPoint.code, OrgUnit.name, OrgUnit.kind)
        .join(OrgUnit, OrgUnit.id == CollectionPoint.collected_unit_id)
        .where(CollectionPoint.code.is_not(None))  # points of other channels have no public code
        .order_by(OrgUnit.kind, CollectionPoint.id)
    ).all()
    shown = {}
    for code, name, kind in rows:
        if shown.get(kind, 0) < max(1, limit // 3 + 1):
            shown[kind] = shown.get(kind, 0) + 1
            click.echo(f"  {base}/s/{code}  ({name})")
    if _loopback(base):
        click.echo("")
        click.echo(f"注意：二维码和海报指向 {base}，手机扫码打不开（那是电脑自己的地址）。")
        click.echo("让手机也能打开：电脑和手机连同一个 Wi-Fi，查出电脑的局域网地址（如 192.168.1.20），然后")
        click.echo("  PUBLIC_BASE_URL=http://192.168.1.20:5000 BIND=0.0.0.0:5000 ./dev run")
        click.echo("(QR codes and posters point at PUBLIC_BASE_URL; set it to an address a phone can reach, "
                   "and BIND=0.0.0.0:5000 to listen on it.)")


def _loopback(base: str) -> bool:
    host = (urlsplit(base).hostname or "").lower()
    return host in ("localhost", "::1") or host.startswith("127.")


# Fixed demo passwords: refused in production (see the command).
DEMO_ACCOUNTS = (
    ("admin", "admin", None, "admin-demo"),
    ("county-451202", "county", "451202", "county-demo"),
    ("county-451203", "county", "451203", "county-demo"),
    ("unit-451202002", "unit", "451202002", "unit-demo"),
    ("interviewer-1", "interviewer", None, "interviewer-demo"),
    ("supervisor-1", "supervisor", None, "supervisor-demo"),
)


@click.command("create-demo-accounts")
def create_demo_accounts_command() -> None:
    """Create demo office accounts (admin, two counties, one township) and print them."""
    if current_app.config.get("ENV_NAME") == "production":
        raise click.ClickException("生产环境不能创建固定密码的演示账号")
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


@click.command("generate-responses")
@click.option("--campaign", "campaign_id", type=int, required=True)
@click.option("--count", type=click.IntRange(1, 5_000_000), default=1_000_000, show_default=True)
@click.option("--seed", type=int, default=2026, show_default=True)
@click.option("--yes", is_flag=True, help="Confirm writing fake rows into this database.")
def generate_responses_command(campaign_id: int, count: int, seed: int, yes: bool) -> None:
    """Write synthetic uncounted responses (COPY on PostgreSQL) for benchmarks and rehearsals."""
    if current_app.config.get("ENV_NAME") == "production" and not yes:
        raise click.ClickException("生产环境写入模拟答卷须加 --yes 确认")
    start = time.perf_counter()
    try:
        n = synthetic.generate(db.engine, campaign_id, count, seed)
    except LookupError as exc:
        raise click.ClickException(str(exc)) from None
    elapsed = time.perf_counter() - start
    click.echo(f"campaign={campaign_id} generated={n} seconds={elapsed:.1f} rows_per_second={n / elapsed:,.0f}")
