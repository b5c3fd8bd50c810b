"""One tally scheduler across every node: a PostgreSQL session advisory lock as its lease.

`flask tallies cron` may run on every node (any one can die); each asks for the lease and
only the holder runs rq's CronScheduler, the others wait as standbys. RQ 3's CronScheduler
keeps no lock of its own: two running schedulers would both enqueue every interval.

Why PostgreSQL and not a Redis key: the lock lives exactly as long as the holder's
connection. A holder that is killed (kill -9, a lost node) loses its connection and the
lock with it, at once, with no expiry to wait for; and a Redis failover (asynchronous
replication) cannot lose the lease and hand it out twice. When PostgreSQL itself fails
over, every connection to the old primary is gone, so nobody holds the lease on the new
primary until a scheduler takes it there; the old holder sees its connection broken on its
next check and stops enqueuing. A doubled enqueue in such a moment would cost nothing
anyway: the tally job counts under its own per-campaign lock (counting.LOCK_NAMESPACE).
"""

from __future__ import annotations

import logging

from sqlalchemy import text
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.exc import DBAPIError, SQLAlchemyError

from questionnaire.kernel import dialect

log = logging.getLogger(__name__)

LEASE_NAMESPACE = 7302  # advisory lock class id of process-wide leases (7301: tally applier per campaign)
TALLY_SCHEDULE = 1  # the lease's key: the tally cron scheduler


class ScheduleLease:
    """A session advisory lock held on one dedicated autocommit connection."""

    def __init__(self, engine: Engine, key: int = TALLY_SCHEDULE) -> None:
        self.engine = engine
        self.key = key
        self._conn: Connection | None = None
        self._held = False

    def acquire(self) -> bool:
        """Take the lease if nobody holds it; True while this process holds it."""
        if self._held:
            return self.held()
        if not dialect.is_postgres(self.engine):
            self._held = True  # SQLite: one machine, one scheduler
            return True
        try:
            if self._conn is None:
                self._conn = self.engine.connect().execution_options(isolation_level="AUTOCOMMIT")
            self._held = bool(self._conn.execute(text("SELECT pg_try_advisory_lock(:ns, :k)"),
                                                 {"ns": LEASE_NAMESPACE, "k": self.key}).scalar())
        except (DBAPIError, SQLAlchemyError) as exc:
            log.warning("schedule lease unavailable error=%s", exc.__class__.__name__)
            self._drop()
        return self._held

    def held(self) -> bool:
        """Still holding? The lock lives as long as its connection: one round trip proves both."""
        if not self._held:
            return False
        if self._conn is None:
            return True  # SQLite
        try:
            self._conn.execute(text("SELECT 1"))
        except (DBAPIError, SQLAlchemyError) as exc:
            log.warning("schedule lease lost error=%s", exc.__class__.__name__)
            self._drop()
        return self._held

    def release(self) -> None:
        if self._conn is not None and self._held:
            try:
                self._conn.execute(text("SELECT pg_advisory_unlock(:ns, :k)"), {"ns": LEASE_NAMESPACE, "k": self.key})
            except (DBAPIError, SQLAlchemyError):
                pass  # the connection is gone, and the lock with it
        self._drop()

    def _drop(self) -> None:
        self._held = False
        if self._conn is not None:
            try:
                self._conn.invalidate()  # never back to the pool: a lock may still ride on it
                self._conn.close()
            except SQLAlchemyError:
                pass
        self._conn = None
