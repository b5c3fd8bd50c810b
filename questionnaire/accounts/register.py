"""Wire office accounts into the app: sign-in pages, login state and CSRF, `flask create-user`."""

from __future__ import annotations

from flask import Flask

from questionnaire.accounts import auth, cli, views
from questionnaire.accounts.models import ROLE_LABELS


def init_app(app: Flask) -> None:
    app.register_blueprint(views.bp)
    auth.init_app(app)
    cli.init_app(app)

    @app.context_processor
    def office_globals():
        return {"role_labels": ROLE_LABELS}
