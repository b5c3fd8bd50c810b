"""Extensions, created unbound here and bound in the app factory."""

from __future__ import annotations

from collections.abc import Mapping

import fakeredis
import redis
from flask import Flask
from flask_login import LoginManager
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from flask_wtf.csrf import CSRFProtect
from redis.sentinel import Sentinel
from sqlalchemy import MetaData, create_engine
from sqlalchemy.engine import Engine

from questionnaire.settings import redis_configured

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


def build_redis(config: Mapping, *, blocking: bool = False) -> redis.Redis:
    """The one place a client of the real Redis is made: app, rate limiter, RQ workers, cron.

    With REDIS_SENTINELS the client is Sentinel-managed: each new connection asks the
    sentinels for the current master of REDIS_SENTINEL_SERVICE, and a connection that meets a
    dead master or a demoted one (READONLY) is dropped, so after a failover the next command
    reaches the promoted replica with no restart. Otherwise REDIS_URL, one server.
    blocking=True is for workers: no socket timeout of ours (RQ sets one longer than its BLPOP).
    """
    if not redis_configured(config):
        raise RuntimeError("no Redis configured (REDIS_URL or REDIS_SENTINELS)")
    timeout = None if blocking else config.get("REDIS_SOCKET_TIMEOUT", 0.5)
    connect_timeout = config.get("REDIS_SOCKET_TIMEOUT", 0.5)
    options = {"socket_timeout": timeout, "socket_connect_timeout": connect_timeout, "health_check_interval": 30}
    if config.get("REDIS_SENTINELS"):
        # Sentinels are asked with the short timeout always: a dead sentinel must not stall a request.
        asking = {"socket_timeout": connect_timeout, "socket_connect_timeout": connect_timeout}
        sentinel = Sentinel(list(config["REDIS_SENTINELS"]), sentinel_kwargs=asking)
        return sentinel.master_for(config["REDIS_SENTINEL_SERVICE"], db=config.get("REDIS_DB", 0), **options)
    return redis.Redis.from_url(config["REDIS_URL"], **options)


class RedisStore:
    """One Redis client per app: the real server(s) when configured (build_redis), else fakeredis.

    The embedded stand-in is an in-process server shared by every thread of the
    process, which is all the single-process demo needs.
    """

    def init_app(self, app: Flask) -> None:
        if redis_configured(app.config):
            client = build_redis(app.config)
        else:
            client = fakeredis.FakeRedis(server=fakeredis.FakeServer())
        app.extensions["redis"] = client

    @staticmethod
    def client(app: Flask) -> redis.Redis:
        return app.extensions["redis"]


redis_store = RedisStore()


class ReadReplica:
    """The engine dashboards and exports read from: READ_DATABASE_URL when set, else the primary's."""

    def init_app(self, app: Flask) -> None:
        url = app.config.get("READ_DATABASE_URL")
        if url:
            options = dict(app.config.get("SQLALCHEMY_ENGINE_OPTIONS") or {})
            app.extensions["read_engine"] = create_engine(url, **options)
        else:
            app.extensions.pop("read_engine", None)

    @staticmethod
    def engine(app: Flask) -> Engine:
        return app.extensions.get("read_engine") or db.engine

    @staticmethod
    def configured(app: Flask) -> bool:
        return "read_engine" in app.extensions


read_replica = ReadReplica()
