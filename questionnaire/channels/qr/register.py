"""Wire the QR channel into the app: resident pages, the JSON API, the office's entry pages."""

from __future__ import annotations

from flask import Flask

from questionnaire.channels.qr import api_views, office_views, openapi, survey_views
from questionnaire.extensions import csrf


def init_app(app: Flask) -> None:
    app.register_blueprint(survey_views.bp)
    app.register_blueprint(api_views.bp)
    app.register_blueprint(openapi.bp)  # GET /api/v1/openapi.json
    app.register_blueprint(office_views.bp)
    # The resident form carries its own signed token and the API is token-based.
    csrf.exempt(survey_views.bp)
    csrf.exempt(api_views.bp)
