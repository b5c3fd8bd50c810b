"""Wire the dashboard into the app."""

from __future__ import annotations

from flask import Flask

from questionnaire.dashboard import free_text_views, views


def init_app(app: Flask) -> None:
    app.register_blueprint(views.bp)
    app.register_blueprint(free_text_views.bp)
