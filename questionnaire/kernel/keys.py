"""Every Redis key comes from here, namespaced by campaign.

Redis only holds what PostgreSQL can rebuild (dedup markers, counters, queues). A key name
never holds a raw client identity (device id, IP address, user name): those parts are a keyed
HMAC (`client_digest`), so a Redis dump or `MONITOR` reveals no resident or office address.
"""

from __future__ import annotations

import functools
import hmac

PREFIX = "sq"
DIGEST_HEX_CHARS = 32  # 128 bits: collisions between clients are not a concern


@functools.lru_cache(maxsize=8)
def _key_name_secret(participant_hmac_key: str) -> bytes:
    # Derived rather than the participant key itself, so no key name equals a stored participant hash.
    return hmac.digest(participant_hmac_key.encode(), b"redis-key-names", "sha256")


def client_digest(participant_hmac_key: str, identity: str) -> str:
    """The keyed HMAC that stands for a client identity inside key names (one C call, ~1 us)."""
    return hmac.digest(_key_name_secret(participant_hmac_key), identity.encode(), "sha256").hex()[:DIGEST_HEX_CHARS]


IN_FLIGHT, DONE = "p:", "d:"


def participant(campaign_id: int, participant_hash: str) -> str:
    """Dedup marker key; its value is `in_flight_marker` or `done_marker` of a submission."""
    return f"{PREFIX}:{campaign_id}:participant:{participant_hash}"


def in_flight_marker(submission_id: str) -> str:
    """The participant's marker while the submission's insert is in flight ('p:<submission_id>')."""
    return IN_FLIGHT + submission_id


def done_marker(submission_id: str) -> str:
    """The participant's marker once the submission is committed ('d:<submission_id>')."""
    return DONE + submission_id


def done_submission(marker: str | None) -> str | None:
    """The committed submission id a marker names, None for an in-flight (or no) marker."""
    return marker[len(DONE):] if marker is not None and marker.startswith(DONE) else None


def scans(campaign_id: int) -> str:
    """Hash collection_point_id -> page views."""
    return f"{PREFIX}:{campaign_id}:scans"


def wechat_access_token(appid: str) -> str:
    """The official account's server access_token (client_credential), kept until shortly before it expires."""
    return f"{PREFIX}:wx:{appid}:access_token"


def wechat_jsapi_ticket(appid: str) -> str:
    """The JS-SDK jsapi_ticket that signs share-card configs, kept until shortly before it expires."""
    return f"{PREFIX}:wx:{appid}:jsapi_ticket"


def lock(name: str) -> str:
    return f"{PREFIX}:lock:{name}"


def dashboard_figures(campaign_id: int, scope_key: str, include_flagged: bool, as_of: str) -> str:
    """Cached JSON figures of one scope at one tally state (new tallies = a new key)."""
    return f"{PREFIX}:{campaign_id}:dashboard:{scope_key}:{int(include_flagged)}:{as_of}"


def results_json(campaign_id: int, scope_key: str, state: str) -> str:
    """Cached results JSON of one account scope at one state (tallies, schemes, figures, publications)."""
    return f"{PREFIX}:{campaign_id}:results:{scope_key}:{state}"


def rate_window(scope: str, client: str, seconds: int) -> str:
    """Fixed-window counter of one client on the submit path; `client` is a `client_digest`."""
    return f"{PREFIX}:rl:{scope}:{seconds}:{client}"


def limiter_client(participant_hmac_key: str, address: str) -> str:
    """Flask-Limiter's key for a client address (it prefixes RATELIMIT_KEY_PREFIX itself)."""
    return "ip:" + client_digest(participant_hmac_key, address)


def login_throttle(participant_hmac_key: str, address: str, username: str) -> str:
    """Failed office logins of one user name from one address: count and wait (a hash)."""
    client = client_digest(participant_hmac_key, f"login\x1f{address}\x1f{username}")
    return f"{PREFIX}:office:login-throttle:{client}"
