"""Wire the hotline check into the app: the office's and the entities' pages, the rates as
external figures of the results, and the callback cases' results as they are finished."""

from __future__ import annotations

from flask import Flask

from questionnaire.channels.hotline import callbacks, entity_views, office_views, service


def init_app(app: Flask) -> None:
    app.register_blueprint(office_views.bp)
    app.register_blueprint(entity_views.bp)
    # results/service.external_values reads these (keys hotline_on_time / _resolution / _satisfaction).
    app.extensions.setdefault("external_figures", []).append(service.figures)
    # channels/phone/work_views calls these after a case is finalised (the hotline's callbacks).
    app.extensions.setdefault("phone_case_finalised", []).append(callbacks.collect_case)
