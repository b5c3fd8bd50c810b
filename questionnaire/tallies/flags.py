"""Anti-fraud flagging of a claimed batch, inside the tally worker's transaction.

Per-row rules come from questionnaire.tallies.flag_rules. Burst rules need the other
rows of the same window: the tally worker keeps a counter per (IP hash, window)
and (entry point, window) in `burst_windows`, in the same transaction as the
tallies; a window over its limit gets the flag on all its rows. Rows already
counted move between tally buckets (see `services.tallies`), so a late flag
keeps the figures exact.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable
from datetime import datetime, timezone

from sqlalchemy import bindparam, update
from sqlalchemy.engine import Connection

from questionnaire.intake.models import Response
from questionnaire.kernel.counters import add_counts
from questionnaire.tallies import flag_rules as F
from questionnaire.tallies.models import BurstWindow
from questionnaire.tallies.queue import counted_clause

responses = Response.__table__

# Called for an already-counted row whose flags changed: (row, old_flags, new_flags).
MoveFn = Callable[[object, int, int], None]


def _window_bounds(policy: F.FlagPolicy, window: int) -> tuple[datetime, datetime]:
    w = policy.window_seconds
    return (datetime.fromtimestamp(window * w, timezone.utc), datetime.fromtimestamp((window + 1) * w, timezone.utc))


BURST_RULES = (  # flag bit, responses column, policy limit attribute
    (F.BURST_IP, responses.c.ip_hash, "max_per_ip_window"),
    (F.BURST_ENTRY, responses.c.collection_point_id, "max_per_entry_window"),
)


def _add_window_counts(conn: Connection, campaign_id: int, policy: F.FlagPolicy,
                       counts: Counter) -> dict[tuple[int, str, int], int]:
    """Add this batch's rows to the per-window counters; return the new totals."""
    rows = [(campaign_id, kind, key, policy.window_seconds, window, n)
            for (kind, key, window), n in sorted(counts.items())]  # sorted: one lock order, no deadlocks
    totals = add_counts(conn, BurstWindow.__table__,
                        ("campaign_id", "kind", "key", "window_seconds", "window_index", "responses"), rows,
                        returning=("kind", "key", "window_index", "responses"))
    return {(kind, key, window): total for kind, key, window, total in totals}


def flag_bursts(conn: Connection, campaign_id: int, policy: F.FlagPolicy, batch: Iterable,
                batch_flags: dict[int, int], move: MoveFn) -> int:
    """Count the batch into its windows and flag windows over their limit; return rows newly flagged.

    Window counters (`burst_windows`) are kept in the same transaction as the tallies, so
    each batch costs one upsert instead of re-counting its windows' rows. A window that
    crosses its limit now gets the flag on every row it holds (rows counted earlier move
    between tally buckets through `move`); a window already over it flags the batch's rows,
    and rows committed later find it over the limit when their own batch comes.
    """
    batch = list(batch)
    counts: Counter = Counter()
    for r in batch:
        window = policy.window_of(r.created_at.timestamp())
        for bit, column, _ in BURST_RULES:
            key = getattr(r, column.name)
            if key is not None:
                counts[(bit, str(key), window)] += 1
    if not counts:
        return 0
    totals = _add_window_counts(conn, campaign_id, policy, counts)
    changed = 0
    late_bits: dict[int, int] = {}
    for bit, column, limit_name in BURST_RULES:
        limit = getattr(policy, limit_name)
        if limit <= 0:
            continue
        for (kind, key, window), total in sorted(totals.items()):
            if kind != bit or total <= limit:
                continue
            if total - counts[(kind, key, window)] > limit:
                # Already a burst before this batch: only this batch's rows need the flag.
                for r in batch:
                    if str(getattr(r, column.name)) == key and policy.window_of(r.created_at.timestamp()) == window:
                        if not batch_flags[r.id] & bit:
                            batch_flags[r.id] |= bit
                            late_bits[r.id] = late_bits.get(r.id, 0) | bit
                            changed += 1
                continue
            changed += _flag_window(conn, campaign_id, policy, bit, column, key, window, batch_flags, move)
    write_row_flags(conn, late_bits)
    return changed


def _flag_window(conn: Connection, campaign_id: int, policy: F.FlagPolicy, bit: int, column, key: str,
                 window: int, batch_flags: dict[int, int], move: MoveFn) -> int:
    """Flag every committed row of a window that has just become a burst.

    Rows of this batch are off the queue already (claimed in this transaction) and are
    counted with their new flags by the caller; other rows off the queue were counted by
    an earlier batch and move buckets; rows still queued are counted later, flag and all.
    """

    start, end = _window_bounds(policy, window)
    value = int(key) if column is responses.c.collection_point_id else key
    rows = conn.execute(
        update(responses)
        .where(responses.c.campaign_id == campaign_id, column == value,
               responses.c.created_at >= start, responses.c.created_at < end,
               responses.c.flags.op("&")(bit) == 0)
        .values(flags=responses.c.flags.op("|")(bit))
        .returning(responses.c.id, counted_clause().label("tallied"), responses.c.flags,
                   responses.c.collection_point_id, responses.c.created_at, responses.c.answers)
    ).all()
    for row in rows:
        if row.id in batch_flags:
            batch_flags[row.id] |= bit
        elif row.tallied:
            move(row, row.flags & ~bit, row.flags)
    return len(rows)


def write_row_flags(conn: Connection, new_bits: dict[int, int]) -> None:
    """OR the per-row flags into the claimed rows (before bursts, which OR their own bits)."""
    params = [{"rid": rid, "bits": bits} for rid, bits in new_bits.items() if bits]
    if params:
        conn.execute(
            update(responses).where(responses.c.id == bindparam("rid"))
            .values(flags=responses.c.flags.op("|")(bindparam("bits"))),
            params,
        )


__all__ = ["flag_bursts", "write_row_flags"]
