"""Wire the organisation into the app: org unit kind labels for every template."""

from __future__ import annotations

from flask import Flask

from questionnaire.org.kinds import ORG_KIND_LABELS


def init_app(app: Flask) -> None:
    @app.context_processor
    def org_globals():
        return {"org_kind_labels": ORG_KIND_LABELS}
