"""`flask create-user`: office accounts from the terminal."""

from __future__ import annotations

import click
from flask import Flask

from questionnaire.accounts.models import ROLES
from questionnaire.accounts.service import AccountError, NewAccount, create_user, generate_password
from questionnaire.extensions import db


def init_app(app: Flask) -> None:
    app.cli.add_command(create_user_command)


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
