"""Wire the phone channel into the app: office pages for frames, draw, queue, supervision, feedback."""

from __future__ import annotations

from flask import Flask

from questionnaire.channels.phone import models  # noqa: F401 - the tables join the metadata


def init_app(app: Flask) -> None:
    pass
