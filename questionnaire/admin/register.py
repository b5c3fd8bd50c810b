"""Wire the office's administration into the app: one blueprint, its view modules."""

from __future__ import annotations

from flask import Flask

from questionnaire.admin import account_views, audit_views, campaign_views, editor_views, tree_views
from questionnaire.admin.web import bp

VIEW_MODULES = (campaign_views, tree_views, editor_views, account_views, audit_views)  # routes on `bp`


def init_app(app: Flask) -> None:
    app.register_blueprint(bp)
