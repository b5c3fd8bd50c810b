"""Wire the leader channel into the app: rater pages and the office's roster, invitation and progress pages."""

from __future__ import annotations

from flask import Flask

from questionnaire.channels.leader import models  # noqa: F401 - the tables join the app's metadata


def init_app(app: Flask) -> None:
    pass
