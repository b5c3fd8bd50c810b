"""Fixtures for the hostile-input and rate-limit tests."""

from __future__ import annotations

import pytest


@pytest.fixture
def limited_app(app, clean_app, backend, tmp_path):
    """A second app on the same database and Redis with rate limiting switched on and small limits.

    The session app keeps RATELIMIT_ENABLED=False (conftest); limits here are low so a test
    can cross them with a handful of requests.
    """
    from questionnaire.extensions import db
    from tests.conftest import make_test_app

    limited = make_test_app(
        backend, str(tmp_path),
        SQLALCHEMY_DATABASE_URI=app.config["SQLALCHEMY_DATABASE_URI"],
        RATELIMIT_ENABLED=True,
        RATELIMIT_PARTICIPANT_SUBMIT="3 per minute",
        RATELIMIT_IP_SUBMIT="20 per minute",
        RATELIMIT_IP_DEFAULT="60 per minute",
    )
    limited.extensions["redis"] = app.extensions["redis"]  # share the dedup store with the fixtures
    yield limited
    with limited.app_context():
        db.engine.dispose()


@pytest.fixture
def production_limits_app(app, clean_app, backend, tmp_path):
    """Rate limiting on with the shipped defaults (settings.py), not the small test limits."""
    from questionnaire.extensions import db
    from questionnaire.settings import config_from_env
    from tests.conftest import make_test_app

    defaults = {k: v for k, v in config_from_env({}, str(tmp_path)).items() if k.startswith("RATELIMIT_")}
    assert defaults["RATELIMIT_IP_SUBMIT"] == "600 per minute"  # the policy the README explains
    limited = make_test_app(backend, str(tmp_path), SQLALCHEMY_DATABASE_URI=app.config["SQLALCHEMY_DATABASE_URI"],
                            **defaults)
    limited.extensions["redis"] = app.extensions["redis"]
    yield limited
    with limited.app_context():
        db.engine.dispose()


@pytest.fixture
def wechat_limited_app(app, clean_app, backend, tmp_path):
    """Small limits with a WeChat official account configured (the identity lives in the session)."""
    from questionnaire.extensions import db
    from tests.conftest import make_test_app

    limited = make_test_app(
        backend, str(tmp_path),
        SQLALCHEMY_DATABASE_URI=app.config["SQLALCHEMY_DATABASE_URI"],
        WECHAT_APPID="wx-test-appid", WECHAT_SECRET="wx-test-secret",
        RATELIMIT_ENABLED=True,
        RATELIMIT_PARTICIPANT_SUBMIT="3 per minute",
        RATELIMIT_IP_SUBMIT="20 per minute",
        RATELIMIT_IP_DEFAULT="60 per minute",
    )
    limited.extensions["redis"] = app.extensions["redis"]
    yield limited
    with limited.app_context():
        db.engine.dispose()
