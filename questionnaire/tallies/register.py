"""Wire the live tallies into the app: `flask tallies ...`."""

from __future__ import annotations

from flask import Flask

from questionnaire.tallies import cli


def init_app(app: Flask) -> None:
    cli.init_app(app)
