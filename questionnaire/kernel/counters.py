"""Add counts to counter tables (tallies, burst windows): INSERT ... ON CONFLICT DO UPDATE.

PostgreSQL gets one statement per table and batch, the rows passed as one array per
column and expanded with unnest(): a batch touches ~20,000 tally keys, and sending
them as 20,000 pipelined statements was most of the tally worker's time. SQLite (the
embedded default, small data) uses a plain executemany.

Rows must come sorted by key so concurrent writers lock counter rows in one order
and cannot deadlock.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from sqlalchemy import text
from sqlalchemy.dialects import sqlite
from sqlalchemy.engine import Connection

from questionnaire.kernel.dialect import is_postgres


def _pg_array_type(column: sa.Column) -> str:
    if isinstance(column.type, sa.BigInteger):
        return "bigint[]"
    if isinstance(column.type, sa.Integer):
        return "integer[]"
    return "text[]"


def add_counts(conn: Connection, table: sa.Table, columns: Sequence[str], rows: Sequence[tuple],
               count_column: str = "responses", returning: Sequence[str] = ()) -> list[tuple]:
    """Add each row's last value to `count_column` of the row keyed by the other values.

    `columns` names every column of a row, primary key columns first, the count last.
    Returns the `returning` columns of every upserted row (new totals), if asked.
    """
    if not rows:
        return []
    keys = [c for c in columns if c != count_column]
    if is_postgres(conn):
        arrays = ", ".join(f"CAST(:a{i} AS {_pg_array_type(table.c[c])})" for i, c in enumerate(columns))
        sql = (f"INSERT INTO {table.name} ({', '.join(columns)}) SELECT * FROM unnest({arrays}) "
               f"ON CONFLICT ({', '.join(keys)}) DO UPDATE "
               f"SET {count_column} = {table.name}.{count_column} + EXCLUDED.{count_column}")
        if returning:
            sql += f" RETURNING {', '.join(returning)}"
        params = {f"a{i}": [row[i] for row in rows] for i in range(len(columns))}
        result = conn.execute(text(sql), params)
        return [tuple(r) for r in result] if returning else []
    stmt = sqlite.insert(table)
    stmt = stmt.on_conflict_do_update(
        index_elements=keys, set_={count_column: table.c[count_column] + stmt.excluded[count_column]})
    dicts = [dict(zip(columns, row, strict=True)) for row in rows]
    if not returning:
        conn.execute(stmt, dicts)
        return []
    stmt = stmt.returning(*(table.c[c] for c in returning))
    out: list[tuple] = []
    for start in range(0, len(dicts), 500):
        out.extend(tuple(r) for r in conn.execute(stmt, dicts[start:start + 500]))
    return out
