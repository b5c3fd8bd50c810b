"""Wire the intake into the app: per-app submit services, participant identity, WeChat OAuth."""

from __future__ import annotations

from flask import Flask

from questionnaire.intake import cli, participant, services, wechat


def init_app(app: Flask) -> None:
    services.init_app(app)
    participant.init_app(app)
    app.register_blueprint(wechat.bp)  # /wx/callback (WeChat OAuth)
    cli.init_app(app)
