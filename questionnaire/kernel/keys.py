"""Every Redis key comes from here, namespaced by campaign.

Redis only holds what PostgreSQL can rebuild (dedup markers, counters, queues).
"""

from __future__ import annotations

PREFIX = "sq"


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


def rate_window(scope: str, identity: str, seconds: int) -> str:
    """Fixed-window counter of one client (participant or address) on the submit path."""
    return f"{PREFIX}:rl:{scope}:{seconds}:{identity}"
