"""Wire the campaign file import into the app: `flask import-campaign`."""

from __future__ import annotations

from flask import Flask

from questionnaire.campaign_file import cli


def init_app(app: Flask) -> None:
    cli.init_app(app)
