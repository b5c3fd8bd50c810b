"""Wire the report pages into the app."""

from __future__ import annotations

from flask import Flask

from questionnaire.reports import views


def init_app(app: Flask) -> None:
    app.register_blueprint(views.bp)
