"""Fixtures for the fault tests: a private PostgreSQL + Redis + gunicorn stack per session.

The stack is built once (initdb, migrations through `flask db upgrade heads`, the
small test campaign) and every test starts from empty responses, tallies and Redis.
Tests kill and restart these private servers; a test's teardown brings them back.

Without the server binaries the tests are skipped, unless REQUIRE_REAL_BACKENDS=1
(CI), which turns the skip into a failure, like the [postgres] half in tests/conftest.py.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

import pytest
from sqlalchemy import inspect, text

from tests.faults.servers import (
    FAULT_HMAC_KEY,
    FAULT_SECRET_KEY,
    FlaskProcess,
    Gunicorn,
    PrivatePostgres,
    PrivateRedis,
    app_env,
    missing_binaries,
    run_flask,
)

# The production process types, with limits raised so a resident retrying through an outage
# (several tries a second) is not turned away by the per-participant limit; the limiter itself
# stays on, so its Redis calls are part of what the faults hit.
SERVER_SETTINGS = {
    "WEB_CONCURRENCY": "2",
    "WEB_THREADS": "4",
    "RATELIMIT_PARTICIPANT_SUBMIT": "1000 per minute",
    "RATELIMIT_IP_SUBMIT": "100000 per minute",
    "RATELIMIT_IP_DEFAULT": "100000 per minute",
}


# Kept between tests (the campaign is imported once per session); every other table, whatever
# later migrations add (responses, tallies, burst windows, audit...), is emptied before each test.
CAMPAIGN_DEFINITION = {
    "alembic_version", "org_units", "campaigns", "questionnaires", "collection_points", "unit_targets",
}


@dataclass
class FaultStack:
    pg: PrivatePostgres
    redis: PrivateRedis
    web: Gunicorn
    harness: object  # a Flask app in this process on the same private servers (for checks)
    env: dict
    logs: Path
    campaign_id: int
    codes: dict  # unit code -> entry code

    @property
    def base_url(self) -> str:
        return self.web.base_url

    def engine(self):
        from questionnaire.extensions import db

        with self.harness.app_context():
            return db.engine

    def worker(self, name: str) -> FlaskProcess:
        return FlaskProcess(self.env, self.logs / f"{name}.log", "rq-worker", "tallies")

    def tally_schedule(self) -> FlaskProcess:
        """The production tally pipeline's scheduler: enqueues the incremental job every second."""
        return FlaskProcess(self.env, self.logs / "tally-cron.log", "tallies", "cron", "--interval", "1")

    def flask(self, *args: str):
        return run_flask(self.env, *args)


def _require_binaries() -> None:
    problem = missing_binaries()
    if problem:
        if os.environ.get("REQUIRE_REAL_BACKENDS") == "1":
            pytest.fail(f"fault tests cannot run: {problem}")
        pytest.skip(f"fault tests need private server processes: {problem}")


def _harness_app(pg: PrivatePostgres, redis_: PrivateRedis):
    from questionnaire.app import create_app
    from questionnaire.settings import engine_options

    return create_app({
        "TESTING": True, "SECRET_KEY": FAULT_SECRET_KEY, "PARTICIPANT_HMAC_KEY": FAULT_HMAC_KEY,
        "SQLALCHEMY_DATABASE_URI": pg.url, "SQLALCHEMY_ENGINE_OPTIONS": engine_options(pg.url, {}),
        "REDIS_URL": redis_.url, "RQ_ASYNC": True, "RATELIMIT_ENABLED": False,
    })


@pytest.fixture(scope="session")
def fault_stack(tmp_path_factory):
    _require_binaries()
    logs = tmp_path_factory.mktemp("fault-logs")
    pg = PrivatePostgres()
    redis_ = PrivateRedis()
    web = None
    try:
        pg.init()
        redis_.start()
        env = app_env(pg, redis_, str(tmp_path_factory.mktemp("fault-instance")), **SERVER_SETTINGS)
        migrated = run_flask(env, "db", "upgrade", "heads")
        assert migrated.returncode == 0, migrated.stdout + migrated.stderr
        harness = _harness_app(pg, redis_)
        with harness.app_context():
            from tests.factories import import_small_campaign

            campaign = import_small_campaign(answer_scope="campaign")  # checks.py derives keys unscoped
        codes = {unit: code for unit, code in campaign.codes.items() if unit in ("K1", "K1T1", "K2T1", "U1")}
        web = Gunicorn(env, logs / "gunicorn.log").start(ready_path=f"/api/v1/entries/{codes['K1']}")
        yield FaultStack(pg, redis_, web, harness, env, logs, campaign.id, codes)
    finally:
        if web is not None:
            web.stop()
        redis_.destroy()
        pg.destroy()


@pytest.fixture
def stack(fault_stack):
    """The stack with both servers up and no responses, tallies or Redis keys left by a previous test."""
    from questionnaire.extensions import db

    fault_stack.pg.ensure_running()
    fault_stack.redis.ensure_running()
    with fault_stack.harness.app_context():
        db.engine.dispose()  # connections from before a restart are dead
        tables = [t for t in inspect(db.engine).get_table_names() if t not in CAMPAIGN_DEFINITION]
        with db.engine.begin() as conn:
            # The audit log's append-only trigger (migration 0013) refuses TRUNCATE; replica mode
            # skips triggers for this transaction (the private cluster's user is superuser).
            conn.execute(text("SET LOCAL session_replication_role = replica"))
            conn.execute(text("TRUNCATE " + ", ".join(f'"{t}"' for t in tables)))
    fault_stack.redis.client().flushdb()
    yield fault_stack
    fault_stack.pg.ensure_running()
    fault_stack.redis.ensure_running()
    if fault_stack.web.proc.poll() is not None:
        pytest.fail(f"gunicorn died during the test:\n{fault_stack.web.tail_log()}")


@pytest.fixture
def start_load(stack):
    """Start a resident load on the stack's server; any load still running is stopped at teardown."""
    from tests.faults.load import Load

    loads = []

    def start(**options) -> Load:
        load = Load(stack.base_url, stack.codes, FAULT_SECRET_KEY, **options).start()
        loads.append(load)
        return load

    yield start
    for load in loads:
        load.stop()


@dataclass
class TallyPipeline:
    worker: FlaskProcess
    schedule: FlaskProcess

    def assert_alive(self) -> None:
        for proc in (self.worker, self.schedule):
            assert proc.proc.poll() is None, f"{' '.join(proc.args)} died:\n{proc.tail_log()}"


@pytest.fixture
def tally_pipeline(stack):
    """`flask rq-worker tallies` + `flask tallies cron`, as in production, during the test."""
    pipeline = TallyPipeline(stack.worker("tally-worker").start(), stack.tally_schedule().start())
    yield pipeline
    pipeline.schedule.stop()
    pipeline.worker.stop()
