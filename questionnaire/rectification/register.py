"""Wire rectification tracking into the app: its pages and the larger upload limit of two routes."""

from __future__ import annotations

from flask import Flask, current_app, request

from questionnaire.rectification import office_views, results_feed, views
from questionnaire.results.feeds import FEEDS_EXTENSION
from questionnaire.results.inputs import RECTIFICATION

UPLOAD_ENDPOINTS = views.UPLOAD_ENDPOINTS | office_views.UPLOAD_ENDPOINTS


def _raise_upload_limit() -> None:
    """Evidence files (up to EVIDENCE_MAX_BYTES each) and item lists need more than the app-wide
    MAX_CONTENT_LENGTH (64 KB, sized for survey answers); only these routes get the larger cap.
    A per-file limit is then checked by the view, so a 25 MB file gets a clear message, not a 413."""
    if request.endpoint in UPLOAD_ENDPOINTS:
        request.max_content_length = current_app.config["EVIDENCE_MAX_REQUEST_BYTES"]


def init_app(app: Flask) -> None:
    app.register_blueprint(views.bp)
    app.register_blueprint(office_views.bp)
    # First of all before-request hooks: CSRF protection reads the form in its own hook, which
    # would meet the small default limit before a blueprint hook could raise it.
    app.before_request_funcs.setdefault(None, []).insert(0, _raise_upload_limit)
    # The dashboard shows this year's warnings without importing this package (it sits below).
    app.extensions.setdefault("dashboard_panels", []).append(views.dashboard_panel)
    # Results read the on-time rate per entity without importing this package (it sits below).
    app.extensions.setdefault(FEEDS_EXTENSION, {})[RECTIFICATION] = results_feed.on_time_figures
