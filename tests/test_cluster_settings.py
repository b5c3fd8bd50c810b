"""The cluster settings: a libpq multi-host DATABASE_URL, Redis Sentinel, and one Redis builder
behind every client (README, "Running as a cluster"). No servers needed: nothing here connects."""

from __future__ import annotations

import secrets

import pytest
from cryptography.fernet import Fernet
from redis.sentinel import SentinelConnectionPool
from sqlalchemy import create_engine

from questionnaire.app import create_app
from questionnaire.extensions import build_redis, redis_store
from questionnaire.intake.writer import PostgresWriter
from questionnaire.kernel.dialect import replica_lag_label
from questionnaire.settings import SettingsError, config_from_env, normalise_database_url

MULTI_HOST = "postgresql://app:s3cret@pg1:5432,pg2:5433/questionnaire?target_session_attrs=read-write"
SENTINELS = {"REDIS_SENTINELS": "10.0.0.1:26379, 10.0.0.2:26379,10.0.0.3:26380", "REDIS_SENTINEL_SERVICE": "sq"}
PRODUCTION = {"QUESTIONNAIRE_ENV": "production", "SECRET_KEY": secrets.token_hex(32),
              "PARTICIPANT_HMAC_KEY": secrets.token_hex(32), "FIELD_ENCRYPTION_KEY": Fernet.generate_key().decode(),
              "DATABASE_URL": MULTI_HOST}


def test_a_libpq_multi_host_url_becomes_one_conninfo_listing_every_node():
    url = normalise_database_url(MULTI_HOST)
    assert url == ("postgresql+psycopg://app:s3cret@/questionnaire?host=pg1:5432&host=pg2:5433"
                   "&target_session_attrs=read-write")
    _, params = create_engine(url).dialect.create_connect_args(create_engine(url).url)
    assert (params["host"], params["port"], params["target_session_attrs"]) == ("pg1,pg2", "5432,5433", "read-write")


def test_the_submit_writer_connects_with_the_same_hosts_and_the_read_write_rule():
    dsn = PostgresWriter(create_engine(normalise_database_url(MULTI_HOST)))._dsn
    for part in ("host=pg1,pg2", "port=5432,5433", "target_session_attrs=read-write", "dbname=questionnaire"):
        assert part in dsn


@pytest.mark.parametrize("url", ["postgresql://app@db:5432/questionnaire", "sqlite:///x.db"])
def test_a_single_host_url_is_left_as_it_was(url):
    assert normalise_database_url(url) == url.replace("postgresql://", "postgresql+psycopg://")


def test_production_accepts_sentinels_instead_of_redis_url(tmp_path):
    config = config_from_env({**PRODUCTION, **SENTINELS}, tmp_path)
    assert config["REDIS_URL"] is None
    assert config["REDIS_SENTINELS"] == (("10.0.0.1", 26379), ("10.0.0.2", 26379), ("10.0.0.3", 26380))
    assert config["RQ_ASYNC"] is True
    with pytest.raises(SettingsError, match="REDIS_URL \\(or REDIS_SENTINELS\\)"):
        config_from_env(PRODUCTION, tmp_path)


def test_a_malformed_sentinel_list_fails_fast(tmp_path):
    with pytest.raises(SettingsError, match="REDIS_SENTINELS"):
        config_from_env({"REDIS_SENTINELS": "10.0.0.1"}, tmp_path)


def test_every_redis_client_is_sentinel_managed_when_sentinels_are_set(tmp_path):
    config = config_from_env({**SENTINELS, "REDIS_DB": "3"}, tmp_path)
    for blocking in (False, True):
        client = build_redis(config, blocking=blocking)
        pool = client.connection_pool
        assert isinstance(pool, SentinelConnectionPool) and pool.service_name == "sq"
        assert pool.connection_kwargs["db"] == 3
        # Workers block on BLPOP (RQ sets its own longer timeout); the web process never waits long.
        assert pool.connection_kwargs["socket_timeout"] == (None if blocking else 0.5)


def test_the_rate_limiter_shares_the_apps_redis_client(tmp_path, monkeypatch):
    monkeypatch.setenv("INSTANCE_PATH", str(tmp_path))
    app = create_app({"REDIS_URL": None, "REDIS_SENTINELS": (("127.0.0.1", 26379),), "TESTING": True,
                      "SECRET_KEY": "k", "PARTICIPANT_HMAC_KEY": "h"})
    limiter = app.extensions["sq_limiter"]
    assert limiter.storage.storage.connection_pool is redis_store.client(app).connection_pool
    assert isinstance(redis_store.client(app).connection_pool, SentinelConnectionPool)


@pytest.mark.parametrize("lag, label", [
    (None, ""), (0.0, "（只读副本，延迟不到 1 秒）"), (4.4, "（只读副本，延迟约 4 秒）"),
])
def test_figures_read_from_a_replica_say_how_far_behind_it_is(lag, label):
    assert replica_lag_label(lag) == label
