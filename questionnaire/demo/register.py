"""Wire the demo commands into the app: the demo campaign (`./dev run` uses them), synthetic responses."""

from __future__ import annotations

from flask import Flask

from questionnaire.demo import cli


def init_app(app: Flask) -> None:
    cli.init_app(app)
