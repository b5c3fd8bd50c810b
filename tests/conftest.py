"""App-level tests run on the embedded default (SQLite + fakeredis). Those whose behaviour
depends on the backend are marked `both_backends` and run on real PostgreSQL + Redis too;
those marked `real_only` run only there. The schema is built once per backend by the real
migrations; data is reset before each test.

TEST_DATABASE_URL / TEST_REDIS_URL choose the real servers (defaults: the machine's
`test` database and Redis db 1). Without them reachable, the real-backend tests are
skipped, unless REQUIRE_REAL_BACKENDS=1 (CI), which turns that into a failure.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from types import SimpleNamespace

import pytest

os.environ.setdefault("INSTANCE_PATH", tempfile.mkdtemp(prefix="sq-test-instance-"))

REAL_DATABASE_URL = os.environ.get("TEST_DATABASE_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
REAL_REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/1")
BACKENDS = ("embedded", "postgres")
# Fixtures every feature's tests use: office accounts and logging in, submitting as residents.
pytest_plugins = ("tests.fixtures.accounts", "tests.fixtures.submissions")
TEST_PASSWORD_HASH_METHOD = "pbkdf2:sha256:1"


def _real_backends_reachable() -> str | None:
    import psycopg
    import redis

    from questionnaire.settings import normalise_database_url

    url = normalise_database_url(REAL_DATABASE_URL).replace("postgresql+psycopg://", "postgresql://")
    try:
        psycopg.connect(url, connect_timeout=2).close()
    except Exception as exc:  # noqa: BLE001 - any failure means "not reachable"
        return f"PostgreSQL not reachable: {exc}"
    try:
        redis.Redis.from_url(REAL_REDIS_URL, socket_connect_timeout=2).ping()
    except Exception as exc:  # noqa: BLE001
        return f"Redis not reachable: {exc}"
    return None


def backends_for(item) -> tuple[str, ...]:
    """The backends a test runs on: see the markers in pyproject.toml."""
    if item.get_closest_marker("real_only"):
        return ("postgres",)
    if item.get_closest_marker("both_backends"):
        return BACKENDS
    return ("embedded",)


def pytest_generate_tests(metafunc):
    """Parametrise the session fixture `backend` per test, for every test that uses the app."""
    if "backend" in metafunc.fixturenames:
        metafunc.parametrize("backend", backends_for(metafunc.definition), indirect=True, scope="session")


def _runs_on_postgres(item) -> bool:
    callspec = getattr(item, "callspec", None)
    return callspec is not None and callspec.params.get("backend") == "postgres"


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(items):
    """Every embedded test before every postgres one, so each backend's app is set up once.

    pytest groups session-scoped parameters by their index in the test's own list, and a
    real_only test's only backend (postgres) has the index of embedded elsewhere. The sort is
    stable: pytest's order inside each group stays.
    """
    items.sort(key=_runs_on_postgres)


@pytest.fixture(scope="session")
def backend(request) -> str:
    if request.param == "postgres":
        problem = _real_backends_reachable()
        if problem:
            if os.environ.get("REQUIRE_REAL_BACKENDS") == "1":
                pytest.fail(problem)
            pytest.skip(problem)
    return request.param


def make_test_app(backend: str, tmp_dir: str, **extra):
    from questionnaire.app import create_app
    from questionnaire.settings import engine_options, normalise_database_url

    overrides = {
        "TESTING": True,
        "SECRET_KEY": "test-secret-key",
        "PARTICIPANT_HMAC_KEY": "test-participant-hmac-key",
        "ENTRY_CACHE_SECONDS": 0,
        "PUBLIC_BASE_URL": "http://survey.test",
        "RATELIMIT_ENABLED": False,
        "WTF_CSRF_ENABLED": False,
        "RQ_ASYNC": False,
        # One PBKDF2 round instead of scrypt: every office account in every test is hashed.
        # tests/office/test_login.py proves the shipped setting is scrypt.
        "PASSWORD_HASH_METHOD": TEST_PASSWORD_HASH_METHOD,
    }
    if backend == "embedded":
        url = f"sqlite:///{tmp_dir}/test.db"
        overrides.update(REDIS_URL=None)
    else:
        url = normalise_database_url(REAL_DATABASE_URL)
        overrides.update(REDIS_URL=REAL_REDIS_URL)
    overrides.update(SQLALCHEMY_DATABASE_URI=url, SQLALCHEMY_ENGINE_OPTIONS=engine_options(url, {}))
    overrides.update(extra)
    return create_app(overrides)


@pytest.fixture(scope="session")
def database_dir(tmp_path_factory):
    """Where the embedded SQLite file lives: on tmpfs when the machine has one, where the
    fsync of every commit costs nothing (about half the time of a small test's set-up)."""
    shm = "/dev/shm"
    if not (os.path.isdir(shm) and os.access(shm, os.W_OK)):
        yield str(tmp_path_factory.mktemp("database"))
        return
    path = tempfile.mkdtemp(prefix="sq-test-database-", dir=shm)
    yield path
    shutil.rmtree(path, ignore_errors=True)


@pytest.fixture(scope="session")
def app(backend, database_dir):
    from flask_migrate import upgrade
    from sqlalchemy import text

    from questionnaire.extensions import db

    app = make_test_app(backend, database_dir)
    with app.app_context():
        if backend == "postgres":
            with db.engine.begin() as conn:
                conn.execute(text("DROP SCHEMA public CASCADE"))
                conn.execute(text("CREATE SCHEMA public"))
        upgrade(revision="heads")
    yield app
    with app.app_context():
        db.engine.dispose()


_PG_RESET: dict[str, list[str]] = {}


def _postgres_reset_statements(engine) -> list[str]:
    """DELETE every table, children first, then restart the id sequences: what TRUNCATE ...
    RESTART IDENTITY does, at a tenth of its cost on tables this small (TRUNCATE replaces
    every table's files: about 0.2 s a test). Read once per database: the schema is fixed."""
    from sqlalchemy import MetaData, text

    key = engine.url.render_as_string(hide_password=False)
    if key not in _PG_RESET:
        schema = MetaData()
        schema.reflect(engine)
        statements = [f'DELETE FROM "{t.name}"' for t in reversed(schema.sorted_tables) if t.name != "alembic_version"]
        with engine.connect() as conn:
            sequences = conn.execute(text(
                "SELECT sequencename FROM pg_sequences WHERE schemaname = current_schema()")).scalars().all()
        _PG_RESET[key] = statements + [f'ALTER SEQUENCE "{name}" RESTART' for name in sequences]
    return _PG_RESET[key]


def reset_data(app) -> None:
    from sqlalchemy import inspect, text

    from questionnaire.extensions import db, redis_store

    with app.app_context():
        db.session.remove()
        if db.engine.dialect.name == "postgresql":
            with db.engine.begin() as conn:
                # The audit log's append-only trigger (migration 0013) would refuse the reset;
                # replica mode skips triggers for this transaction (the test user is superuser).
                conn.execute(text("SET LOCAL session_replication_role = replica"))
                for statement in _postgres_reset_statements(db.engine):
                    conn.execute(text(statement))
        else:
            tables = [t for t in inspect(db.engine).get_table_names() if t != "alembic_version"]
            with db.engine.begin() as conn:
                conn.execute(text("PRAGMA foreign_keys=OFF"))
                # SQLite cannot switch triggers off: the audit log's are dropped and re-created.
                triggers = conn.execute(text("SELECT name, sql FROM sqlite_master WHERE type = 'trigger'")).all()
                for name, _ in triggers:
                    conn.execute(text(f'DROP TRIGGER "{name}"'))
                for t in tables:
                    conn.execute(text(f'DELETE FROM "{t}"'))
                for _, sql in triggers:
                    conn.execute(text(sql))
                # On the same connection: a second one (inspect) would wait on this transaction's
                # lock once a large delete has spilled its pages and taken the exclusive lock.
                if conn.execute(text("SELECT 1 FROM sqlite_master WHERE name = 'sqlite_sequence'")).first():
                    conn.execute(text("DELETE FROM sqlite_sequence"))
        redis_store.client(app).flushdb()
        app.extensions["entry_catalog"].clear()
        # The kept store's deferred committed markers name participants of the data just deleted.
        app.extensions.pop("submission_store", None)


@pytest.fixture
def clean_app(app):
    reset_data(app)
    with app.app_context():
        yield app


@pytest.fixture
def client(clean_app):
    return clean_app.test_client()


@pytest.fixture
def runner(clean_app):
    return clean_app.test_cli_runner()


@pytest.fixture
def campaign(clean_app):
    """A small open campaign: one county with two townships, one city unit."""
    from tests.factories import import_small_campaign

    return import_small_campaign()


@pytest.fixture
def db_session(clean_app):
    from questionnaire.extensions import db

    return db.session


__all__ = ["SimpleNamespace"]
