"""Slow down password guessing per (client address, user name), never lock out an address.

Many offices sit behind one NAT address: a per-address lock (the earlier backstop: 30
failures locked everyone there for 15 minutes) let one person's typos shut out a whole
county office. Here each (address, user name) pair may fail FREE_FAILURES times, then must
wait before the next one, the wait doubling with each further failure up to
MAX_WAIT_SECONDS; a colleague at the same address, using another name, is not slowed at all.
The pair is keyed by a keyed HMAC (kernel.keys.login_throttle), and applies the same way to
names that exist and names that do not, so it reveals nothing about accounts. The account's
own lockout (5 failures, 15 minutes) is in accounts.service.

Redis errors fail open: an outage must not block office logins (the account lockout still holds).
"""

from __future__ import annotations

import logging
import time

import redis

log = logging.getLogger(__name__)

FREE_FAILURES = 5
FIRST_WAIT_SECONDS = 2
MAX_WAIT_SECONDS = 300
WINDOW_SECONDS = 15 * 60


def wait_after(failures: int) -> int:
    """Seconds a pair must wait after its n-th failure: none for the first four, then 2, 4, 8, ... up
    to MAX_WAIT_SECONDS (the fifth failure also locks a real account, see accounts.service)."""
    if failures < FREE_FAILURES:
        return 0
    return min(MAX_WAIT_SECONDS, FIRST_WAIT_SECONDS * 2 ** (failures - FREE_FAILURES))


class LoginThrottle:
    """One (address, user name) pair's failures and the time before its next attempt (a Redis hash)."""

    def __init__(self, client: redis.Redis, key: str):
        self.client, self.key = client, key

    def retry_after(self, now: float | None = None) -> int:
        """Seconds until this pair may try again (0: now)."""
        try:
            until = self.client.hget(self.key, "until")
        except redis.RedisError:
            log.warning("login throttle check failed", exc_info=True)
            return 0
        remaining = float(until) - (time.time() if now is None else now) if until else 0
        return max(0, int(remaining + 0.999))

    def note_failure(self, now: float | None = None) -> int:
        """Count a failure; returns the wait it imposes."""
        now = time.time() if now is None else now
        try:
            failures = self.client.hincrby(self.key, "failures", 1)
            wait = wait_after(failures)
            pipe = self.client.pipeline()
            if wait:
                pipe.hset(self.key, "until", now + wait)
            pipe.expire(self.key, WINDOW_SECONDS + wait)
            pipe.execute()
        except redis.RedisError:
            log.warning("login throttle update failed", exc_info=True)
            return 0
        return wait

    def clear(self) -> None:
        try:
            self.client.delete(self.key)
        except redis.RedisError:
            log.warning("login throttle reset failed", exc_info=True)
