"""What differs between PostgreSQL and SQLite (the embedded default), said once.

Only the small repeated pieces live here: which backend a connection talks to, the
INSERT that carries ON CONFLICT, and time buckets as SQL. Algorithms that genuinely
differ per backend (a recount aggregated in SQL, COPY, advisory locks) stay with their
feature and branch on `is_postgres`.
"""

from __future__ import annotations

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
