"""Live tallies: the incremental worker step, the full recount and the check between them.

Exactness rests on one transaction doing three things together: claim a batch of
uncounted responses (delete their rows from the `tally_pending` queue, oldest ids
first, `FOR UPDATE SKIP LOCKED` on PostgreSQL), decide their flags, and add their
counts to the tally tables. A response is counted exactly when it has no queue row.
A row whose transaction commits late (out of id order) is simply still queued at
the next run; a crash rolls back claim and counts together; running a job twice
counts nothing twice. One applier per campaign at a time (a transaction
advisory lock on PostgreSQL; SQLite has a single writer anyway) so a late burst
flag can move already-counted rows between buckets without racing another applier.
"""

from __future__ import annotations

import logging
import time
from collections import Counter
from datetime import datetime, timedelta, timezone

from sqlalchemy import delete, select, text
from sqlalchemy.engine import Connection, Engine

from questionnaire.campaigns.models import Campaign
from questionnaire.campaigns.service import load_definitions, open_clause
from questionnaire.intake.channels import IDENTIFIED_PARTICIPANTS
from questionnaire.intake.models import CollectionPoint, Response
from questionnaire.kernel import dialect
from questionnaire.kernel.counters import add_counts
from questionnaire.tallies import flag_rules as F
from questionnaire.tallies.arithmetic import EntryInfo, TallyDelta, compare
from questionnaire.tallies.flags import flag_bursts, write_row_flags
from questionnaire.tallies.models import BurstWindow, TallyAnswer, TallyEntry, TallyHour, TallyState
from questionnaire.tallies.queue import COUNTED_SQL, campaigns_with_backlog, claim, counted_clause, queued

log = logging.getLogger(__name__)
responses = Response.__table__
LOCK_NAMESPACE = 7301  # advisory lock class id for "tally applier of campaign N"
# How often a run that finds nothing to count moves the dashboard's "as of" time forward.
AS_OF_REFRESH = timedelta(seconds=30)
HOUR_KEY = ("owner_unit_id", "channel", "flags", "hour")  # tally_hours' key columns, in arithmetic.HourKey order


def lock_campaign(conn: Connection, campaign_id: int, wait: bool = True) -> bool:
    """Take the campaign's applier lock for this transaction; False if busy and not waiting."""
    if not dialect.is_postgres(conn):
        return True
    fn = "pg_advisory_xact_lock" if wait else "pg_try_advisory_xact_lock"
    got = conn.execute(text(f"SELECT {fn}(:ns, :c)"), {"ns": LOCK_NAMESPACE, "c": campaign_id}).scalar()
    return wait or bool(got)


def load_entry_infos(conn: Connection, campaign_id: int) -> dict[int, EntryInfo]:
    """Per entry point: its owner scope, its channel and which questions get option counts."""
    countable = {qid: frozenset(q.id for q in defn.tallied_questions())
                 for qid, defn in load_definitions(conn, campaign_id).items()}
    infos = {}
    # The owner of an hour is the evaluated county or city unit: for a QR code that is the county
    # of its poster or the city unit itself, and a leader rating of K1 collected at a city unit
    # joins K1's series, as it joins K1's league-table row.
    for ep_id, q_id, channel, evaluated_id in conn.execute(
        select(CollectionPoint.id, CollectionPoint.questionnaire_id, CollectionPoint.channel,
               CollectionPoint.evaluated_unit_id)
        .where(CollectionPoint.campaign_id == campaign_id)
    ):
        infos[ep_id] = EntryInfo(evaluated_id, channel, countable.get(q_id, frozenset()))
    return infos


def _rating_ids(conn: Connection, campaign_id: int) -> frozenset[str]:
    return frozenset(q.id for defn in load_definitions(conn, campaign_id).values() for q in defn.rating_questions())


def _policy(conn: Connection, campaign_id: int) -> F.FlagPolicy:
    settings = conn.execute(select(Campaign.settings).where(Campaign.id == campaign_id)).scalar_one_or_none()
    return F.FlagPolicy.from_settings(settings)


def _upsert(conn: Connection, table, key_cols: tuple[str, ...], counter: Counter, campaign_id: int) -> None:
    # Sorted keys: concurrent writers lock tally rows in one order and cannot deadlock.
    rows = [(campaign_id, *key, n) for key, n in sorted(counter.items()) if n]
    add_counts(conn, table, ("campaign_id", *key_cols, "responses"), rows)


def write_delta(conn: Connection, campaign_id: int, delta: TallyDelta) -> None:
    _upsert(conn, TallyEntry.__table__, ("collection_point_id", "flags"), delta.entries, campaign_id)
    _upsert(conn, TallyAnswer.__table__, ("collection_point_id", "flags", "question_id", "value"), delta.answers,
            campaign_id)
    _upsert(conn, TallyHour.__table__, HOUR_KEY, delta.hours, campaign_id)


def touch_state(conn: Connection, campaign_id: int, rows: int, recounted: bool = False,
                 now: datetime | None = None) -> None:
    now = now or datetime.now(timezone.utc)
    table = TallyState.__table__
    values = {"campaign_id": campaign_id, "applied_at": now, "rows_counted": rows,
              "recounted_at": now if recounted else None}
    stmt = dialect.insert(conn, table).values(**values)
    set_ = {"applied_at": now,
            "rows_counted": rows if recounted else table.c.rows_counted + stmt.excluded.rows_counted}
    if recounted:
        set_["recounted_at"] = now
    conn.execute(stmt.on_conflict_do_update(index_elements=["campaign_id"], set_=set_))


def _apply_batch(conn: Connection, campaign_id: int, batch_size: int, ctx: dict) -> int:
    batch = claim(conn, campaign_id, batch_size)
    if not batch:
        return 0
    policy, infos, rating_ids = ctx["policy"], ctx["infos"], ctx["rating_ids"]
    delta = TallyDelta()
    flags_now = {r.id: r.flags for r in batch}
    new_bits = {}
    for r in batch:
        if r.channel in IDENTIFIED_PARTICIPANTS:
            continue  # the resident heuristics (speed, straight lines) mean nothing for invited raters
        bits = F.row_flags(policy, r.duration_seconds, r.answers, rating_ids) & ~r.flags
        new_bits[r.id] = bits
        flags_now[r.id] |= bits
    write_row_flags(conn, new_bits)

    def move(row, old: int, new: int) -> None:
        info = infos[row.collection_point_id]
        ts = row.created_at.timestamp()
        delta.add(info, row.collection_point_id, old, ts, row.answers, sign=-1)
        delta.add(info, row.collection_point_id, new, ts, row.answers, sign=1)

    flag_bursts(conn, campaign_id, policy, batch, flags_now, move)
    for r in batch:
        point_id = r.collection_point_id
        delta.add(infos[point_id], point_id, flags_now[r.id], r.created_at.timestamp(), r.answers)
    write_delta(conn, campaign_id, delta)
    touch_state(conn, campaign_id, len(batch))
    return len(batch)


def _context(conn: Connection, campaign_id: int) -> dict:
    return {"policy": _policy(conn, campaign_id), "infos": load_entry_infos(conn, campaign_id),
            "rating_ids": _rating_ids(conn, campaign_id)}


def _confirm_current(conn: Connection, campaign_id: int, now: datetime | None = None) -> None:
    """Nothing was waiting: the tallies are complete now. Move the "as of" time forward.

    Without this an idle campaign's dashboard says "数据截至" the time of the last answer,
    hours ago, and staff take the figures for stale. Only every AS_OF_REFRESH, because the
    dashboard's cached figures are keyed by this time.
    """
    now = now or datetime.now(timezone.utc)
    as_of = conn.execute(select(TallyState.applied_at).where(TallyState.campaign_id == campaign_id)).scalar()
    if as_of is not None and as_of.tzinfo is None:
        as_of = as_of.replace(tzinfo=timezone.utc)
    if as_of is None or now - as_of >= AS_OF_REFRESH:
        touch_state(conn, campaign_id, 0, now=now)


def apply_pending(engine: Engine, campaign_id: int, batch_size: int = 5000, max_batches: int | None = None,
                  wait: bool = True, now: datetime | None = None) -> int:
    """Count every response not yet counted, one transaction per batch; return rows counted.

    With wait=False a run that finds another applier (or a recount) busy with the
    campaign returns at once: the periodic job must not queue up behind a long recount.
    `now` is the clock of the "as of" confirmation when nothing is waiting (tests set it).
    """
    total = 0
    batches = 0
    while max_batches is None or batches < max_batches:
        with engine.begin() as conn:
            if not lock_campaign(conn, campaign_id, wait):
                break
            counted = _apply_batch(conn, campaign_id, batch_size, _context(conn, campaign_id))
            if counted == 0:
                _confirm_current(conn, campaign_id, now)
        total += counted
        batches += 1
        if counted < batch_size:
            break
    return total


def _full_tally(conn: Connection, campaign_id: int, infos: dict[int, EntryInfo]) -> TallyDelta:
    """Count every counted response from scratch (voided ones are in no bucket)."""
    if dialect.is_postgres(conn):
        return _full_tally_in_sql(conn, campaign_id, infos)
    return _full_tally_streamed(conn, campaign_id, infos)


def _full_tally_streamed(conn: Connection, campaign_id: int, infos: dict[int, EntryInfo]) -> TallyDelta:
    """The reference count: every row through TallyDelta.add, as the incremental job does
    (streamed: memory holds counts, not rows)."""
    delta = TallyDelta()
    result = conn.execute(
        select(responses.c.collection_point_id, responses.c.flags, responses.c.created_at, responses.c.answers)
        .where(responses.c.campaign_id == campaign_id, counted_clause())
        .execution_options(stream_results=True, yield_per=20000)
    )
    for ep_id, flags, created_at, answers in result:
        delta.add(infos[ep_id], ep_id, flags, created_at.timestamp(), answers)
    return delta


def _full_tally_in_sql(conn: Connection, campaign_id: int, infos: dict[int, EntryInfo]) -> TallyDelta:
    """The same counts aggregated by PostgreSQL (jsonb_each_text, GROUP BY): no row crosses
    the wire, so a 1.2 M-row recount is bound by the server's scan, not by Python. Being a
    second, independent implementation, it also makes `verify` a real cross-check of the
    incremental job's arithmetic."""
    delta = TallyDelta()
    where = f"r.campaign_id = :c AND {COUNTED_SQL} AND (r.flags & {F.VOID}) = 0"
    params = {"c": campaign_id}
    for ep_id, flags, n in conn.execute(text(
            f"SELECT collection_point_id, flags, count(*) FROM responses r WHERE {where} GROUP BY 1, 2"), params):
        delta.entries[(ep_id, flags)] += n
        delta.rows += n
    for ep_id, flags, hour, n in conn.execute(text(
            f"SELECT collection_point_id, flags, {dialect.epoch_bucket_sql(conn, 'created_at', '3600')}, count(*) "
            f"FROM responses r WHERE {where} GROUP BY 1, 2, 3"), params):
        info = infos[ep_id]
        delta.hours[(info.owner_unit_id, info.channel, flags, int(hour))] += n
    countable = sorted(set().union(*(info.countable_questions for info in infos.values()))) if infos else []
    for ep_id, flags, qid, value, n in conn.execute(text(
            f"SELECT r.collection_point_id, r.flags, a.key, a.value, count(*) "
            f"FROM responses r CROSS JOIN LATERAL jsonb_each_text(r.answers) AS a "
            f"WHERE {where} AND a.key = ANY(:keys) GROUP BY 1, 2, 3, 4"),
            {**params, "keys": countable}):
        if qid in infos[ep_id].countable_questions:  # a question id may be free text in another questionnaire
            delta.answers[(ep_id, flags, qid, value)] += n
    return delta


def _burst_window_sql(conn: Connection, kind: int) -> str:
    """SELECT of the burst window counters as counted rows make them (one kind)."""
    window = dialect.epoch_bucket_sql(conn, "created_at", ":w")
    key = "ip_hash" if kind == F.BURST_IP else "CAST(collection_point_id AS TEXT)"
    return (f"SELECT campaign_id, {kind}, {key}, :w, {window}, count(*) FROM responses r "
            f"WHERE r.campaign_id = :c AND {COUNTED_SQL} AND {key} IS NOT NULL GROUP BY 1, 3, 5")


def _rebuild_burst_windows(conn: Connection, campaign_id: int, policy: F.FlagPolicy) -> None:
    """Recompute the burst window counters from the counted rows (aggregated in SQL)."""
    conn.execute(delete(BurstWindow.__table__).where(BurstWindow.__table__.c.campaign_id == campaign_id))
    for kind in (F.BURST_IP, F.BURST_ENTRY):
        conn.execute(text(
            "INSERT INTO burst_windows (campaign_id, kind, key, window_seconds, window_index, responses) "
            + _burst_window_sql(conn, kind)
        ), {"w": policy.window_seconds, "c": campaign_id})


def _burst_window_problems(conn: Connection, campaign_id: int, policy: F.FlagPolicy) -> list[str]:
    t = BurstWindow.__table__
    stored = Counter({tuple(r[:3]): r[3] for r in conn.execute(
        select(t.c.kind, t.c.key, t.c.window_index, t.c.responses)
        .where(t.c.campaign_id == campaign_id, t.c.window_seconds == policy.window_seconds))})
    fresh: Counter = Counter()
    for kind in (F.BURST_IP, F.BURST_ENTRY):
        for row in conn.execute(text(_burst_window_sql(conn, kind)), {"w": policy.window_seconds, "c": campaign_id}):
            fresh[(row[1], row[2], int(row[4]))] = row[5]
    return [f"burst_windows{key}: recount={fresh.get(key, 0)} tallies={stored.get(key, 0)}"
            for key in sorted(set(fresh) | set(stored), key=repr) if fresh.get(key, 0) != stored.get(key, 0)][:50]


def recount(engine: Engine, campaign_id: int, batch_size: int = 20000) -> int:
    """Rebuild every tally table of the campaign from `responses`, in one transaction.

    Uncounted rows are first flagged and claimed exactly like the incremental job
    does (so flags are decided before counting), then everything is recounted.
    """
    with engine.begin() as conn:
        lock_campaign(conn, campaign_id)
        ctx = _context(conn, campaign_id)
        while _apply_batch(conn, campaign_id, batch_size, ctx) == batch_size:
            pass
        full = _full_tally(conn, campaign_id, ctx["infos"])
        _rebuild_burst_windows(conn, campaign_id, ctx["policy"])
        for model in (TallyEntry, TallyAnswer, TallyHour):
            conn.execute(delete(model.__table__).where(model.__table__.c.campaign_id == campaign_id))
        write_delta(conn, campaign_id, full)
        touch_state(conn, campaign_id, full.rows, recounted=True)
    return full.rows


def read_tables(conn: Connection, campaign_id: int) -> TallyDelta:
    stored = TallyDelta()
    for model, target, keys in (
        (TallyEntry, stored.entries, ("collection_point_id", "flags")),
        (TallyAnswer, stored.answers, ("collection_point_id", "flags", "question_id", "value")),
        (TallyHour, stored.hours, HOUR_KEY),
    ):
        t = model.__table__
        for row in conn.execute(select(*(t.c[k] for k in keys), t.c.responses).where(t.c.campaign_id == campaign_id)):
            target[tuple(row[:-1])] += row[-1]
    return stored


def verify(engine: Engine, campaign_id: int) -> list[str]:
    """Differences between the tally tables and a fresh recount (empty list = exact)."""
    with engine.connect() as conn:
        waiting = queued(conn, campaign_id)
        fresh = _full_tally(conn, campaign_id, load_entry_infos(conn, campaign_id))
        stored = read_tables(conn, campaign_id)
        windows = _burst_window_problems(conn, campaign_id, _policy(conn, campaign_id))
    problems = [f"{waiting} responses not yet tallied"] if waiting else []
    return problems + compare(fresh, stored) + windows


def open_campaign_ids(engine: Engine, now: datetime | None = None) -> list[int]:
    """Campaigns worth a periodic run: open ones, plus any with uncounted rows."""
    now = now or datetime.now(timezone.utc)
    with engine.connect() as conn:
        ids = set(conn.execute(select(Campaign.id).where(open_clause(now))).scalars())
        ids.update(campaigns_with_backlog(conn))
    return sorted(ids)


def timed(fn, *args, **kwargs):
    start = time.perf_counter()
    result = fn(*args, **kwargs)
    return result, time.perf_counter() - start
