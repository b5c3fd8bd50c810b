"""Anti-fraud flagging of a claimed batch, inside the tally worker's transaction.

Per-row rules come from questionnaire.domain.flags. Burst rules need the other
rows of the same window: for every (IP hash, window) and (entry point, window)
the batch touches, the committed rows of that window are counted; a window over
its limit gets the flag on all its rows. Rows already counted move between
tally buckets (see `services.tallies`), so a late flag keeps the figures exact.
"""

from __future__ import annotations

from collections import Counter
from datetime import datetime, timezone
from typing import Callable, Iterable

from sqlalchemy import bindparam, select, update
from sqlalchemy.engine import Connection

from questionnaire.domain import flags as F
from questionnaire.models import Response

responses = Response.__table__

# Called for an already-counted row whose flags changed: (row, old_flags, new_flags).
MoveFn = Callable[[object, int, int], None]


def _window_bounds(policy: F.FlagPolicy, window: int) -> tuple[datetime, datetime]:
    w = policy.window_seconds
    return (datetime.fromtimestamp(window * w, timezone.utc), datetime.fromtimestamp((window + 1) * w, timezone.utc))


def flag_bursts(conn: Connection, campaign_id: int, policy: F.FlagPolicy, batch: Iterable,
                batch_flags: dict[int, int], move: MoveFn) -> int:
    """Set burst flags for the windows this batch touches; return how many rows got a new flag."""
    batch = list(batch)
    changed = 0
    for bit, column, limit in (
        (F.BURST_IP, responses.c.ip_hash, policy.max_per_ip_window),
        (F.BURST_ENTRY, responses.c.entry_point_id, policy.max_per_entry_window),
    ):
        if limit <= 0:
            continue
        attr = column.name
        touched = {(getattr(r, attr), policy.window_of(r.created_at.timestamp()))
                   for r in batch if getattr(r, attr) is not None}
        if not touched:
            continue
        lo = _window_bounds(policy, min(w for _, w in touched))[0]
        hi = _window_bounds(policy, max(w for _, w in touched))[1]
        counts: Counter = Counter()
        found = conn.execute(
            select(column, responses.c.created_at).where(
                responses.c.campaign_id == campaign_id,
                column.in_({k for k, _ in touched}),
                responses.c.created_at >= lo, responses.c.created_at < hi,
            )
        )
        for key, created_at in found:
            counts[(key, policy.window_of(created_at.timestamp()))] += 1
        for key, window in sorted(k for k in touched if counts[k] > limit):
            start, end = _window_bounds(policy, window)
            rows = conn.execute(
                update(responses)
                .where(responses.c.campaign_id == campaign_id, column == key,
                       responses.c.created_at >= start, responses.c.created_at < end,
                       responses.c.flags.op("&")(bit) == 0)
                .values(flags=responses.c.flags.op("|")(bit))
                .returning(responses.c.id, responses.c.tallied, responses.c.flags,
                           responses.c.entry_point_id, responses.c.created_at, responses.c.answers)
            ).all()
            for row in rows:
                changed += 1
                if row.id in batch_flags:
                    batch_flags[row.id] |= bit
                elif row.tallied:
                    move(row, row.flags & ~bit, row.flags)
    return changed


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
