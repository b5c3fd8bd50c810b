"""One blueprint per audience: residents (survey), the JSON API, office staff, dashboard."""

from __future__ import annotations

from flask import Flask


def register_blueprints(app: Flask) -> None:
    from questionnaire.blueprints import api, errors, survey

    app.register_blueprint(survey.bp)
    app.register_blueprint(api.bp)
    from questionnaire.blueprints import openapi
    from questionnaire.web import wechat

    app.register_blueprint(openapi.bp)  # GET /api/v1/openapi.json
    app.register_blueprint(wechat.bp)  # /wx/callback (WeChat OAuth)
    errors.init_app(app)
    for optional in ("office", "dashboard", "exports"):
        # Office and dashboard blueprints live in their own modules; each exposes `register`.
        module = __import__(f"questionnaire.blueprints.{optional}", fromlist=["register"])
        module.register(app)
