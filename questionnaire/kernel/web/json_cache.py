"""Built JSON bodies cached in Redis for one exact state (the dashboard's figures, the results).

The key names the state the body was built from (the tally state and whatever else the body
depends on), so a cached body is never served for newer data; the TTL only bounds memory. Many
viewers polling the same scope cost one build per state. Redis being down means no cache:
slower, never wrong.
"""

from __future__ import annotations

import logging

from flask import current_app

from questionnaire.extensions import redis_store

log = logging.getLogger(__name__)


def cached_json(key: str) -> str | None:
    """The body already built for this key, if any."""
    try:
        raw = redis_store.client(current_app).get(key)
    except Exception:  # noqa: BLE001 - no cache is slower, never wrong
        log.warning("json cache read failed key=%s", key, exc_info=True)
        return None
    return raw.decode() if isinstance(raw, bytes) else raw


def store_json(key: str, text: str, seconds: int) -> None:
    try:
        redis_store.client(current_app).set(key, text, ex=seconds)
    except Exception:  # noqa: BLE001
        log.warning("json cache write failed key=%s", key, exc_info=True)
