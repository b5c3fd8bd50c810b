"""Wire campaigns into the app: `flask import-campaign`."""

from __future__ import annotations

from flask import Flask

from questionnaire.campaigns import cli


def init_app(app: Flask) -> None:
    cli.init_app(app)
