"""The tally worker's queue: responses stored but not counted yet (models.tally.TallyPending).

The submit path queues a response in the statement that stores it; the tally worker
takes queued rows off in the transaction that counts them. "Counted" therefore means
"no longer queued", and every query that needs counted rows uses `counted_clause`.
The table only ever holds the backlog; the worker vacuums it now and then because it
churns (every response passes through it once) and autovacuum may be off or behind.
"""

from __future__ import annotations

import logging
import time

from sqlalchemy import delete, exists, func, select, text
from sqlalchemy.engine import Connection, Engine

from questionnaire.intake.models import Response, TallyPending
from questionnaire.kernel.dialect import is_postgres

log = logging.getLogger(__name__)
responses = Response.__table__
pending = TallyPending.__table__

# The same condition as SQL text for the aggregate queries (alias `r` for responses).
COUNTED_SQL = ("NOT EXISTS (SELECT 1 FROM tally_pending p "
               "WHERE p.campaign_id = r.campaign_id AND p.response_id = r.id)")
VACUUM_EVERY_SECONDS = 60
_last_vacuum = 0.0


def counted_clause(table=responses):
    """Responses already counted: the ones no longer waiting in the queue."""
    return ~exists().where(pending.c.campaign_id == table.c.campaign_id, pending.c.response_id == table.c.id)


def claim(conn: Connection, campaign_id: int, batch_size: int) -> list:
    """Take up to batch_size queued responses off the queue (oldest first) and return them."""
    oldest = (
        select(pending.c.response_id).where(pending.c.campaign_id == campaign_id)
        .order_by(pending.c.response_id).limit(batch_size)
    )
    if is_postgres(conn):
        oldest = oldest.with_for_update(skip_locked=True)
    ids = sorted(conn.execute(
        delete(pending).where(pending.c.campaign_id == campaign_id, pending.c.response_id.in_(oldest.scalar_subquery()))
        .returning(pending.c.response_id)
    ).scalars())
    if not ids:
        return []
    return conn.execute(
        select(responses.c.id, responses.c.collection_point_id, responses.c.created_at, responses.c.duration_seconds,
               responses.c.answers, responses.c.ip_hash, responses.c.flags, responses.c.channel)
        .where(responses.c.id.in_(ids)).order_by(responses.c.id)
    ).all()


def queued(conn: Connection, campaign_id: int) -> int:
    return conn.execute(select(func.count()).select_from(pending)
                        .where(pending.c.campaign_id == campaign_id)).scalar_one()


def campaigns_with_backlog(conn: Connection) -> set[int]:
    return set(conn.execute(select(pending.c.campaign_id).distinct()).scalars())


def enqueue_where(conn: Connection, condition) -> int:
    """Queue stored responses matching `condition` (bulk writers: synthetic rows, imports)."""
    result = conn.execute(pending.insert().from_select(
        ["campaign_id", "response_id"], select(responses.c.campaign_id, responses.c.id).where(condition)))
    return result.rowcount


def tidy(engine: Engine, now: float | None = None) -> bool:
    """VACUUM the queue at most once a minute per process (PostgreSQL); True if it ran.

    Dead rows of counted responses would otherwise pile up in its heap and index until
    autovacuum comes, and the claim would step over them every batch.
    """
    global _last_vacuum
    now = time.monotonic() if now is None else now
    if not is_postgres(engine) or now - _last_vacuum < VACUUM_EVERY_SECONDS:
        return False
    _last_vacuum = now
    with engine.connect() as conn:
        conn.execution_options(isolation_level="AUTOCOMMIT").execute(text("VACUUM (ANALYZE) tally_pending"))
    return True
