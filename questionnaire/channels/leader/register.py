"""Wire the leader channel into the app: rater pages and the office's roster, invitation and progress pages."""

from __future__ import annotations

from flask import Flask

from questionnaire.channels.leader import (
    lifecycle_views,
    models,  # noqa: F401 - the tables join the app's metadata
    office_views,
    paper_views,
    rater_views,
)
from questionnaire.extensions import csrf


def init_app(app: Flask) -> None:
    app.register_blueprint(rater_views.bp)
    app.register_blueprint(office_views.bp)
    app.register_blueprint(paper_views.bp)
    app.register_blueprint(lifecycle_views.bp)
    # Rater forms carry their own signed token (raters have no office session).
    csrf.exempt(rater_views.bp)
