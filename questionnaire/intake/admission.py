"""Admit a submission in one Redis round trip: its rate-limit windows and its dedup claim.

The submit path is the one route residents hit by the hundred thousand. Flask-Limiter
(which guards every other route) costs one Redis script per limit plus a window read
for its headers: five round trips for the submit path's three limits, measured at about
a third of the request's CPU. Here the same fixed windows (amounts parsed by `limits`,
the library under Flask-Limiter, so settings read the same) and the participant's
`SET NX` marker go out as one pipeline.

One Lua script (EVALSHA) does it all atomically; the embedded mode runs the same
script in fakeredis (with lupa). Semantics match a fixed-window limiter that runs
before the view: every submit request counts, valid or not; a request over any window
is refused (429) whatever else it would have been, and makes no dedup claim. A valid
submission counts inside `SubmissionStore.submit` with its claim; anything refused earlier
(bad token, bad answers, unknown code) is counted by the web layer afterwards through
`count`. When Redis is down both fail open: residents
are not refused because the limit store is unreachable, and PostgreSQL still refuses
duplicates.

The committed marker of an accepted submission rides on the next admission script of the
same process (`DoneMarks`) instead of costing a second round trip after the insert
(measured ~0.1 ms of client CPU plus Redis' own per submission). Until then the
participant's marker says "in flight", which never refuses anyone: a duplicate in that
short window goes to PostgreSQL, whose unique key refuses it exactly.
"""

from __future__ import annotations

import logging
import threading
from collections import deque
from dataclasses import dataclass, field

import redis
from limits import parse_many
from redis.commands.core import Script

from questionnaire.kernel import keys
from questionnaire.kernel.errors import RateLimited

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Window:
    amount: int
    seconds: int

    @classmethod
    def parse(cls, text: str) -> tuple[Window, ...]:
        """'10 per minute;30 per hour' -> windows (the notation of Flask-Limiter's settings)."""
        return tuple(cls(item.amount, item.get_expiry()) for item in parse_many(text)) if text else ()


@dataclass(frozen=True)
class Bucket:
    """One client's counter in one window."""

    key: str
    window: Window

    @classmethod
    def for_client(cls, scope: str, identity: str, windows: tuple[Window, ...], *, hmac_key: str) -> list[Bucket]:
        """The client's counters, keyed by a keyed HMAC of its identity (never the raw id or IP)."""
        client = keys.client_digest(hmac_key, identity)
        return [cls(keys.rate_window(scope, client, w.seconds), w) for w in windows]


@dataclass(frozen=True)
class Claim:
    """The dedup marker to SET NX: `keys.in_flight_marker` while the insert is in flight."""

    key: str
    value: str
    ttl_seconds: int


# KEYS: the buckets' counters, then the deferred committed markers, then (optionally) the
# participant's dedup marker.
# ARGV: bucket count n, marker count m, then seconds and amount per bucket, then value and TTL
# per deferred marker, then the claim's value and TTL.
# Returns {index of the first full bucket or 0, its TTL, 1 if the marker was set, the holder}.
# The deferred markers are set first (they belong to earlier, committed submissions); a full
# window refuses before the claim, so a refused request leaves no marker behind.
_ADMIT = b"""
local n, m = tonumber(ARGV[1]), tonumber(ARGV[2])
for j = 1, m do
  redis.call('SET', KEYS[n + j], ARGV[2 * n + 2 * j + 1], 'EX', ARGV[2 * n + 2 * j + 2])
end
for i = 1, n do
  local count = redis.call('INCR', KEYS[i])
  if count == 1 then redis.call('EXPIRE', KEYS[i], ARGV[2 * i + 1]) end
  if count > tonumber(ARGV[2 * i + 2]) then
    for j = i + 1, n do
      if redis.call('INCR', KEYS[j]) == 1 then redis.call('EXPIRE', KEYS[j], ARGV[2 * j + 1]) end
    end
    return {i, redis.call('TTL', KEYS[i]), 0, ''}
  end
end
if #KEYS > n + m then
  local marker = KEYS[n + m + 1]
  local base = 2 * n + 2 * m + 2
  if redis.call('SET', marker, ARGV[base + 1], 'NX', 'EX', ARGV[base + 2]) then
    return {0, 0, 1, ''}
  end
  return {0, 0, 0, redis.call('GET', marker) or ''}
end
return {0, 0, 0, ''}
"""
_SCRIPT = Script(None, _ADMIT)  # bytes: no client needed to hash it; EVALSHA, loaded on first miss


class ThreadClients:
    """A Redis client of its own connection per thread, for the admission script.

    A pooled client checks a connection out and back in around every command, and before
    handing it out polls it for stray data (a non-blocking read and two socket-mode calls):
    measured as the largest Python-side cost of the script's round trip under gunicorn. A
    connection kept by the thread needs neither; it shares the app client's pool and
    settings (and so whatever builds that pool, a Sentinel one included). The embedded
    stand-in, or a server that cannot be reached right now, is used as the shared client.
    """

    def __init__(self, client: redis.Redis):
        self.shared = client
        self._local = threading.local()
        self._own = "fakeredis" not in type(client).__module__ and hasattr(client, "client")

    def get(self) -> redis.Redis:
        """This thread's client; raises RedisError when it cannot connect (tried again next time)."""
        kept = getattr(self._local, "client", None)
        if kept is None:
            kept = self.shared
            if self._own:
                kept = self._local.client = self.shared.client()  # single_connection_client over the pool
        return kept


class DoneMarks:
    """Committed markers (`keys.done_marker`) waiting to ride on the next admission script.

    One queue per SubmissionStore (one per app and process), shared by its threads: deque's
    append and popleft are atomic. Bounded: while Redis is down the oldest are dropped, and
    a lost marker costs only a trip to PostgreSQL for that participant's next attempt.
    """

    def __init__(self, limit: int = 1024, per_script: int = 64):
        self._items: deque[tuple[str, str, int]] = deque(maxlen=limit)
        self.per_script = per_script

    def add(self, key: str, value: str, ttl_seconds: int) -> None:
        self._items.append((key, value, max(int(ttl_seconds), 60)))

    def take(self) -> list[tuple[str, str, int]]:
        taken = []
        try:
            while len(taken) < self.per_script:
                taken.append(self._items.popleft())
        except IndexError:
            pass
        return taken

    def __len__(self) -> int:
        return len(self._items)


@dataclass
class Admission:
    """The rate-limit buckets of one request; counted exactly once, by `admit` or `count`."""

    buckets: list[Bucket] = field(default_factory=list)
    counted: bool = False

    def admit(self, client: redis.Redis | ThreadClients, claim: Claim, done: DoneMarks | None = None) -> str | None:
        """Count the request and SET NX the claim, in one round trip that also sets the
        committed markers waiting in `done`.

        Returns the marker already held by the participant (None when ours was set, or
        Redis is unreachable). Raises RateLimited when a window is full (no claim is made).
        """
        reply = self._run(client, claim, done.take() if done is not None else ())
        if reply is None:
            return None
        _, _, claimed, holder = reply
        if claimed:
            return None
        holder = holder.decode() if isinstance(holder, bytes) else holder
        return holder or None

    def count(self, client: redis.Redis) -> None:
        """Count a request that never reached `admit` (refused earlier); RateLimited if full."""
        if self.counted or not self.buckets:
            self.counted = True
            return
        self._run(client, None, ())

    def _run(self, client: redis.Redis | ThreadClients, claim: Claim | None, marks):
        self.counted = True
        keys_ = [b.key for b in self.buckets]
        args: list = [len(self.buckets), len(marks)]
        for b in self.buckets:
            args += [b.window.seconds, b.window.amount]
        for key, value, ttl in marks:
            keys_.append(key)
            args += [value, ttl]
        if claim is not None:
            keys_.append(claim.key)
            args += [claim.value, max(claim.ttl_seconds, 60)]
        try:
            if isinstance(client, ThreadClients):
                client = client.get()
            reply = _SCRIPT(keys=keys_, args=args, client=client)
        except redis.RedisError as exc:
            log.warning("admission skipped: redis unavailable error=%s", exc)
            return None
        over, ttl = int(reply[0]), int(reply[1])
        if over:
            window = self.buckets[over - 1].window
            raise RateLimited(ttl if ttl > 0 else window.seconds)
        return reply
