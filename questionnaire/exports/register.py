"""Wire the office exports into the app."""

from __future__ import annotations

from flask import Flask

from questionnaire.exports import views


def init_app(app: Flask) -> None:
    app.register_blueprint(views.bp)
