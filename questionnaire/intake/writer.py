"""The submit path's three statements, on the cheapest connection each backend allows.

PostgreSQL: an autocommit psycopg connection per thread, opened on first use and kept
for the thread's life (gunicorn's gthread workers and RQ workers reuse their threads).
The SQL is compiled once from the same SQLAlchemy statements the SQLite path runs, and
psycopg prepares it. Measured on the 2-core bench machine (bench/submit_cpu.py): an
insert costs ~0.5 ms of client CPU this way against ~1.3 ms through a pool checkout and
a Core execute, which made it the largest single cost of a submission. A single INSERT
is its own transaction, so autocommit saves BEGIN and COMMIT round trips too.

SQLite (embedded mode): SQLAlchemy Core on the app's engine.

Both raise DatabaseUnavailable for an outage. `lost` tells a connection that broke while
in use (the statement may or may not have run) from one that could not be had at all.
"""

from __future__ import annotations

import threading
import weakref
from datetime import timezone

import psycopg
import psycopg.conninfo
import psycopg.errors
from psycopg.rows import namedtuple_row
from psycopg.types.json import Jsonb
from sqlalchemy import bindparam, event, select
from sqlalchemy.dialects import postgresql
from sqlalchemy.dialects.postgresql import psycopg as pg_psycopg
from sqlalchemy.engine import Engine
from sqlalchemy.exc import DBAPIError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout

from questionnaire.intake.models import Response, TallyPending
from questionnaire.kernel.dialect import upsert_dialect

responses = Response.__table__
pending = TallyPending.__table__

# Every column the submit path writes.
ROW_COLUMNS = (
    "campaign_id", "questionnaire_id", "questionnaire_version", "collection_point_id", "evaluated_unit_id",
    "collected_unit_id", "participant_hash", "identity_kind", "submission_id", "answers", "answers_digest",
    "duration_seconds", "ip_hash", "user_agent_class", "created_at", "flags", "channel", "free_text_sealed",
)

BY_SUBMISSION = select(
    responses.c.id, responses.c.participant_hash, responses.c.answers_digest, responses.c.created_at
).where(responses.c.submission_id == bindparam("submission_id"))
BY_PARTICIPANT = select(responses.c.id, responses.c.submission_id, responses.c.created_at).where(
    responses.c.campaign_id == bindparam("campaign_id"), responses.c.participant_hash == bindparam("participant_hash")
)


def insert_statement(dialect_module):
    return dialect_module.insert(responses).on_conflict_do_nothing().returning(responses.c.id)


ENQUEUE = pending.insert()  # the stored response waits for the tally worker (models.tally.TallyPending)


class DatabaseUnavailable(Exception):
    def __init__(self, lost: bool):
        super().__init__("connection lost" if lost else "database unavailable")
        self.lost = lost


class SqlAlchemyWriter:
    """Core statements on an engine (SQLite in the embedded mode; works on any dialect)."""

    def __init__(self, engine: Engine):
        self.engine = engine
        self._insert = insert_statement(upsert_dialect(engine))

    def insert(self, row: dict) -> int | None:
        """Store the response and queue it for the tally worker, in one transaction."""
        try:
            with self.engine.begin() as conn:
                found = conn.execute(self._insert, row).first()
                if found is not None:
                    conn.execute(ENQUEUE, {"campaign_id": row["campaign_id"], "response_id": found.id})
        except (DBAPIError, PoolTimeout) as exc:
            raise self._unavailable(exc) from exc
        return found.id if found is not None else None

    def by_submission(self, submission_id: str):
        return self._one(BY_SUBMISSION, {"submission_id": submission_id})

    def by_participant(self, campaign_id: int, participant_hash: str):
        return self._one(BY_PARTICIPANT, {"campaign_id": campaign_id, "participant_hash": participant_hash})

    def close(self) -> None:
        pass

    def _one(self, statement, params):
        try:
            with self.engine.connect() as conn:
                return conn.execution_options(isolation_level="AUTOCOMMIT").execute(statement, params).first()
        except (DBAPIError, PoolTimeout) as exc:
            raise self._unavailable(exc) from exc

    @staticmethod
    def _unavailable(exc: Exception) -> Exception:
        """An outage becomes DatabaseUnavailable; any other database error is a bug to surface."""
        invalidated = isinstance(exc, DBAPIError) and exc.connection_invalidated
        if isinstance(exc, (OperationalError, PoolTimeout)) or invalidated:
            return DatabaseUnavailable(lost=invalidated)
        return exc


class _ThreadConnection:
    """Holds one thread's connection; closes it when the thread (and its locals) go away."""

    conn: psycopg.Connection | None = None

    def __del__(self):
        if self.conn is not None and not self.conn.closed:
            self.conn.close()


class PostgresWriter:
    """Raw psycopg on one kept autocommit connection per thread."""

    def __init__(self, engine: Engine, connect_timeout: int = 3):
        # The conninfo SQLAlchemy itself connects with: a multi-host URL (several `host=` and
        # target_session_attrs=read-write, settings.normalise_database_url) stays one libpq
        # conninfo, so a fresh connection after a failover finds the promoted primary.
        _, params = engine.dialect.create_connect_args(engine.url)
        params.pop("context", None)  # psycopg's adapters map, not a conninfo keyword
        self._dsn = psycopg.conninfo.make_conninfo(**params)
        self._connect_timeout = connect_timeout
        dialect = pg_psycopg.dialect()
        store = insert_statement(postgresql).returning(responses.c.campaign_id)
        # One statement stores the response and queues it for the tally worker: atomic in
        # autocommit, one round trip. A conflict inserts neither and returns no row.
        self._insert = (
            f"WITH stored AS ({store.compile(dialect=dialect, column_keys=list(ROW_COLUMNS))}) "
            "INSERT INTO tally_pending (campaign_id, response_id) SELECT campaign_id, id FROM stored "
            "RETURNING response_id AS id"
        )
        self._by_submission = str(BY_SUBMISSION.compile(dialect=dialect))
        self._by_participant = str(BY_PARTICIPANT.compile(dialect=dialect))
        self._local = threading.local()
        self._open: weakref.WeakSet = weakref.WeakSet()
        self._lock = threading.Lock()

    def insert(self, row: dict) -> int | None:
        params = dict(row, answers=Jsonb(row["answers"]))
        found = self._one(self._insert, params)
        return found.id if found is not None else None

    def by_submission(self, submission_id: str):
        return _utc(self._one(self._by_submission, {"submission_id": submission_id}))

    def by_participant(self, campaign_id: int, participant_hash: str):
        return _utc(self._one(self._by_participant, {"campaign_id": campaign_id, "participant_hash": participant_hash}))

    def close(self) -> None:
        """Close every thread's connection (engine disposal, tests, shutdown)."""
        with self._lock:
            conns = list(self._open)
        for conn in conns:
            conn.close()

    def _connection(self) -> psycopg.Connection:
        holder = getattr(self._local, "holder", None)
        if holder is None:
            holder = self._local.holder = _ThreadConnection()
        if holder.conn is None or holder.conn.closed:
            try:
                holder.conn = psycopg.connect(self._dsn, autocommit=True, row_factory=namedtuple_row,
                                              connect_timeout=self._connect_timeout)
            except psycopg.OperationalError as exc:
                raise DatabaseUnavailable(lost=False) from exc
            with self._lock:
                self._open.add(holder.conn)
        return holder.conn

    def _one(self, sql: str, params: dict):
        conn = self._connection()
        try:
            return conn.execute(sql, params, prepare=True).fetchone()
        except (psycopg.OperationalError, psycopg.errors.ReadOnlySqlTransaction) as exc:
            # Broken or not, start the next statement on a fresh connection. Read-only: this
            # connection outlived a failover on a node that is a replica now; the statement did
            # not run and a fresh connection (target_session_attrs=read-write) finds the primary.
            conn.close()
            raise DatabaseUnavailable(lost=True) from exc


def _utc(row):
    # psycopg returns timestamptz in the session's zone; the app works in aware UTC.
    return row._replace(created_at=row.created_at.astimezone(timezone.utc)) if row is not None else None


_WRITERS: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()
_WRITERS_LOCK = threading.Lock()


def writer_for(engine: Engine, connect_timeout: int = 3):
    """The writer of an engine (one per engine; its connections close with engine.dispose())."""
    with _WRITERS_LOCK:
        writer = _WRITERS.get(engine)
        if writer is None:
            writer = (PostgresWriter(engine, connect_timeout) if engine.dialect.driver == "psycopg"
                      else SqlAlchemyWriter(engine))
            event.listen(engine, "engine_disposed", lambda _engine, w=writer: w.close())
            _WRITERS[engine] = writer
        return writer
