"""Wire the demo campaign commands into the app (`./dev run` uses them)."""

from __future__ import annotations

from flask import Flask

from questionnaire.demo import cli


def init_app(app: Flask) -> None:
    cli.init_app(app)
