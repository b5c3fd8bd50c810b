"""Wire the results pages into the app."""

from __future__ import annotations

from flask import Flask

from questionnaire.results import publication_views, views

# Nested once per process (a blueprint cannot be changed after an app registered it; tests build
# several apps): the publication pages' endpoints are results.publications.*.
views.bp.register_blueprint(publication_views.bp)


def init_app(app: Flask) -> None:
    app.register_blueprint(views.bp)
