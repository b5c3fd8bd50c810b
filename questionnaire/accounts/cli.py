"""From the terminal: `flask create-user`, `flask reset-second-factor`, `flask audit purge|grant-runtime`."""

from __future__ import annotations

import click
from flask import Flask
from sqlalchemy import select

from questionnaire.accounts import audit_log, second_factor
from questionnaire.accounts.models import ROLES, OfficeUser
from questionnaire.accounts.service import AccountError, NewAccount, create_user, generate_password
from questionnaire.extensions import db
from questionnaire.kernel.errors import ServiceError


def init_app(app: Flask) -> None:
    app.cli.add_command(create_user_command)
    app.cli.add_command(audit_group)
    app.cli.add_command(reset_second_factor_command)


@click.command("reset-second-factor")
@click.argument("username")
def reset_second_factor_command(username: str) -> None:
    """Remove an account's TOTP second factor (lost phone, no recovery code left); audited."""
    user = db.session.scalar(select(OfficeUser).where(OfficeUser.username == username))
    if user is None:
        raise click.ClickException(f"用户 {username} 不存在")
    second_factor.reset(db.session, user)
    click.echo(f"second factor removed for {username}; it enrols again at its next login")


@click.group("audit")
def audit_group() -> None:
    """The audit log: retention purge, the runtime database role."""


@audit_group.command("purge")
@click.option("--older-than-days", type=int, required=True,
              help=f"Delete events older than this many days (at least {audit_log.RETENTION_FLOOR_DAYS}).")
def audit_purge_command(older_than_days: int) -> None:
    """Delete audit events past their retention (never younger than 180 days)."""
    try:
        removed = audit_log.purge(db.session, older_than_days)
    except audit_log.RetentionTooShort as exc:
        raise click.ClickException(exc.message) from None
    click.echo(f"purged {removed} audit events older than {older_than_days} days")


@audit_group.command("grant-runtime")
@click.argument("role")
def audit_grant_runtime_command(role: str) -> None:
    """Grant the app's runtime PostgreSQL ROLE its rights: no UPDATE/DELETE on audit_events.

    Run as the owner role (the one that runs `flask db upgrade`), after each upgrade.
    """
    try:
        audit_log.grant_runtime_role(db.session, role)
    except ServiceError as exc:
        raise click.ClickException(exc.message) from None
    click.echo(f"granted runtime rights to {role}; audit_events is append-only for it")


@click.command("create-user")
@click.argument("username")
@click.option("--role", type=click.Choice(list(ROLES)), required=True)
@click.option("--unit", "unit_code", default=None, help="Org unit code (county or unit accounts).")
@click.option("--password", default=None, help="Omit to generate one (printed once).")
@click.option("--name", "display_name", default="", help="Display name (defaults to the unit name).")
def create_user_command(username, role, unit_code, password, display_name) -> None:
    """Create an office account (password stored hashed)."""
    generated = password is None
    password = password or generate_password()
    try:
        user = create_user(db.session, NewAccount(username, password, role, unit_code, display_name))
    except AccountError as exc:
        raise click.ClickException(f"创建失败：{exc.message}") from None
    click.echo(f"created user id={user.id} username={user.username} role={user.role}")
    if generated:
        click.echo(f"password: {password}  (shown once; store it safely)")
