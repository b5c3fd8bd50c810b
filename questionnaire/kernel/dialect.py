"""What differs between PostgreSQL and SQLite (the embedded default), said once.

Only the small repeated pieces live here: which backend a connection talks to, the
INSERT that carries ON CONFLICT, and time buckets as SQL. Algorithms that genuinely
differ per backend (a recount aggregated in SQL, COPY, advisory locks) stay with their
feature and branch on `is_postgres`.
"""

from __future__ import annotations

from sqlalchemy import text
from sqlalchemy.dialects import postgresql, sqlite


def is_postgres(bind) -> bool:
    """bind: an Engine or a Connection (anything with a `dialect`)."""
    return bind.dialect.name == "postgresql"


def upsert_dialect(bind):
    """The SQLAlchemy dialect module whose `insert` has on_conflict_do_nothing / do_update."""
    return postgresql if is_postgres(bind) else sqlite


def insert(bind, table):
    """INSERT ... ON CONFLICT-capable statement for the bind's backend."""
    return upsert_dialect(bind).insert(table)


def epoch_bucket_sql(bind, column: str, seconds: str) -> str:
    """SQL text: whole periods of `seconds` (a literal or a :param) since 1970-01-01 UTC of a
    timestamp column; with 3600, the hours the tally tables are keyed by (arithmetic.hour_of)."""
    if is_postgres(bind):
        return f"floor(extract(epoch FROM {column}) / {seconds})::bigint"
    return f"CAST(strftime('%s', {column}) AS INTEGER) / {seconds}"


def skip_locked(select_stmt, bind):
    """A queue claim's row choice: `FOR UPDATE SKIP LOCKED` on PostgreSQL, so concurrent claimers
    each take a different row without waiting; SQLite has one writer, and its UPDATE that
    embeds the choice is atomic already."""
    return select_stmt.with_for_update(skip_locked=True) if is_postgres(bind) else select_stmt


REPLICA_LAG_SQL = text(
    "SELECT CASE WHEN NOT pg_is_in_recovery() THEN NULL"
    # Nothing received is waiting to be replayed: the replica is as current as its primary (an
    # idle primary sends nothing, and the last replayed commit's age would look like lag).
    " WHEN pg_last_wal_receive_lsn() = pg_last_wal_replay_lsn() THEN 0"
    " ELSE GREATEST(0, EXTRACT(EPOCH FROM now() - pg_last_xact_replay_timestamp())) END"
)


def replica_lag_seconds(conn) -> float | None:
    """How far a streaming replica's data is behind its primary, in seconds; None on a primary or SQLite."""
    if not is_postgres(conn):
        return None
    lag = conn.execute(REPLICA_LAG_SQL).scalar()
    return None if lag is None else float(lag)


def replica_lag_label(lag: float | None) -> str:
    """The note added to "数据截至" when the figures were read from a replica."""
    if lag is None:
        return ""
    return "（只读副本，延迟不到 1 秒）" if lag < 1 else f"（只读副本，延迟约 {lag:.0f} 秒）"
