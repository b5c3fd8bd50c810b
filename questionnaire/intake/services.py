"""Per-app service objects, built once in the factory and reached through `current_app`."""

from __future__ import annotations

from flask import Flask, current_app

from questionnaire.extensions import db, redis_store
from questionnaire.intake.points import EntryCatalog
from questionnaire.intake.submissions import SubmissionStore


def init_app(app: Flask) -> None:
    app.extensions["entry_catalog"] = EntryCatalog(app.config["ENTRY_CACHE_SECONDS"])


def entry_catalog() -> EntryCatalog:
    return current_app.extensions["entry_catalog"]


def submission_store() -> SubmissionStore:
    connect_args = current_app.config.get("SQLALCHEMY_ENGINE_OPTIONS", {}).get("connect_args", {})
    return SubmissionStore(
        engine=db.engine,
        redis=redis_store.client(current_app),
        hmac_key=current_app.config["PARTICIPANT_HMAC_KEY"],
        connect_timeout=connect_args.get("connect_timeout", 3),
        field_key=current_app.config["FIELD_ENCRYPTION_KEY"],
    )
