"""Wire the phone channel into the app: frames, draw and feedback (office), the interviewers'
shift, and the supervisors' pages."""

from __future__ import annotations

from flask import Flask

from questionnaire.channels.phone import office_views, supervisor_views, work_views
from questionnaire.kernel.numbers import shown


def init_app(app: Flask) -> None:
    app.register_blueprint(office_views.bp)
    app.register_blueprint(work_views.bp)
    app.register_blueprint(supervisor_views.bp)
    app.add_template_filter(shown, "half_up")  # rates shown half-up to 2 decimals
