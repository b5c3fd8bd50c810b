"""Extensions, created unbound here and bound in the app factory."""

from __future__ import annotations

import fakeredis
import redis
from flask import Flask
from flask_login import LoginManager
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from flask_wtf.csrf import CSRFProtect
from sqlalchemy import MetaData

# Deterministic constraint names keep Alembic migrations identical on SQLite and PostgreSQL.
NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

db = SQLAlchemy(metadata=MetaData(naming_convention=NAMING))
migrate = Migrate()
# Office sessions: login state and CSRF (the QR channel exempts its survey and API blueprints).
login_manager = LoginManager()
csrf = CSRFProtect()


class RedisStore:
    """One Redis client per app: the real server when REDIS_URL is set, else fakeredis.

    The embedded stand-in is an in-process server shared by every thread of the
    process, which is all the single-process demo needs.
    """

    def init_app(self, app: Flask) -> None:
        url = app.config.get("REDIS_URL")
        if url:
            timeout = app.config["REDIS_SOCKET_TIMEOUT"]
            client = redis.Redis.from_url(
                url, socket_timeout=timeout, socket_connect_timeout=timeout,
                health_check_interval=30,
            )
        else:
            client = fakeredis.FakeRedis(server=fakeredis.FakeServer())
        app.extensions["redis"] = client

    @staticmethod
    def client(app: Flask) -> redis.Redis:
        return app.extensions["redis"]


redis_store = RedisStore()
