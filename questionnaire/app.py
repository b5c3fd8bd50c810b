"""The application factory: settings, extensions, the shared web kernel, then each feature."""

from __future__ import annotations

import logging
import os
from collections.abc import Mapping

from flask import Flask
from werkzeug.middleware.proxy_fix import ProxyFix

from questionnaire.accounts import register as accounts
from questionnaire.admin import register as admin
from questionnaire.campaign_file import register as campaign_file
from questionnaire.channels.hotline import register as hotline_channel
from questionnaire.channels.leader import register as leader_channel
from questionnaire.channels.phone import register as phone_channel
from questionnaire.channels.qr import register as qr_channel
from questionnaire.dashboard import register as dashboard
from questionnaire.demo import register as demo
from questionnaire.exports import register as exports
from questionnaire.extensions import csrf, db, login_manager, migrate, read_replica, redis_store
from questionnaire.intake import ratelimit
from questionnaire.intake import register as intake
from questionnaire.kernel.web import errors, http, lean
from questionnaire.kernel.web.json_provider import BoundedJSONProvider
from questionnaire.org import register as org
from questionnaire.rectification import register as rectification
from questionnaire.reports import register as reports
from questionnaire.results import register as results
from questionnaire.settings import config_from_env
from questionnaire.tallies import register as tallies
from workers import cli as workers_cli

PROJECT_ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

# Each feature wires its own blueprints, CLI commands and request hooks.
FEATURES = (org, intake, qr_channel, leader_channel, phone_channel, hotline_channel, accounts, campaign_file, tallies,
            dashboard, exports, results, rectification, reports, admin, demo, workers_cli)


def create_app(overrides: Mapping | None = None) -> Flask:
    """Build the app. No I/O beyond reading settings: migrations are a deploy step."""
    app = lean.LeanFlask(
        __name__,
        instance_path=os.environ.get("INSTANCE_PATH") or os.path.join(PROJECT_ROOT, "instance"),
        template_folder=os.path.join(PROJECT_ROOT, "templates"),
        static_folder="static",
    )
    app.json = BoundedJSONProvider(app)  # deep JSON is a 400, not a RecursionError 500
    app.session_interface = lean.KeptSerializerSessionInterface()
    app.config.update(config_from_env(os.environ, app.instance_path))
    if overrides:
        app.config.update(overrides)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s %(message)s")

    if app.config.get("TRUSTED_PROXY_HOPS"):
        hops = app.config["TRUSTED_PROXY_HOPS"]
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops)

    db.init_app(app)
    migrate.init_app(app, db, directory=os.path.join(PROJECT_ROOT, "migrations"))
    redis_store.init_app(app)
    read_replica.init_app(app)
    http.init_app(app)
    errors.init_app(app)
    for feature in FEATURES:
        feature.init_app(app)
    limiter = ratelimit.init_app(app)  # last: the submit admission wraps the views every channel registered
    # The office-side extensions' hooks do nothing on the submit endpoints (kernel/web/lean.py).
    lean.skip_hooks_on(app, ratelimit.submit_endpoints(app), owners=(limiter, login_manager, csrf))
    return app
