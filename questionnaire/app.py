"""The application factory."""

from __future__ import annotations

import logging
import os
from typing import Mapping

from flask import Flask

from questionnaire.extensions import db, migrate, redis_store
from questionnaire.settings import config_from_env

PROJECT_ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def create_app(overrides: Mapping | None = None) -> Flask:
    """Build the app. No I/O beyond reading settings: migrations are a deploy step."""
    app = Flask(
        __name__,
        instance_path=os.environ.get("INSTANCE_PATH") or os.path.join(PROJECT_ROOT, "instance"),
        template_folder=os.path.join(PROJECT_ROOT, "templates"),
        static_folder="static",
    )
    from questionnaire.web.json_provider import BoundedJSONProvider

    app.json = BoundedJSONProvider(app)  # deep JSON is a 400, not a RecursionError 500
    app.config.update(config_from_env(os.environ, app.instance_path))
    if overrides:
        app.config.update(overrides)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s %(message)s")

    if app.config.get("TRUSTED_PROXY_HOPS"):
        from werkzeug.middleware.proxy_fix import ProxyFix

        hops = app.config["TRUSTED_PROXY_HOPS"]
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops)

    db.init_app(app)
    migrate.init_app(app, db, directory=os.path.join(PROJECT_ROOT, "migrations"))
    redis_store.init_app(app)

    from questionnaire.web import http, participant, services

    http.init_app(app)
    participant.init_app(app)
    services.init_app(app)

    from questionnaire.blueprints import register_blueprints

    register_blueprints(app)

    from questionnaire.web import auth

    auth.init_app(app)  # after the blueprints: CSRF exempts survey and api by blueprint

    from questionnaire.web import ratelimit

    ratelimit.init_app(app)  # after the blueprints: limits attach to their view functions

    from questionnaire import cli

    cli.init_app(app)
    from questionnaire import cli_tallies

    cli_tallies.init_app(app)
    return app
