"""Every Redis key comes from here, namespaced by campaign.

Redis only holds what PostgreSQL can rebuild (dedup markers, counters, queues).
"""

from __future__ import annotations

PREFIX = "sq"


def participant(campaign_id: int, participant_hash: str) -> str:
    """Dedup marker: 'p:<submission_id>' while in flight, 'd:<submission_id>' once committed."""
    return f"{PREFIX}:{campaign_id}:participant:{participant_hash}"


def scans(campaign_id: int) -> str:
    """Hash collection_point_id -> page views."""
    return f"{PREFIX}:{campaign_id}:scans"


def accepted(campaign_id: int) -> str:
    """Counter of accepted responses (a fast hint; the tally tables are the figures)."""
    return f"{PREFIX}:{campaign_id}:accepted"


def lock(name: str) -> str:
    return f"{PREFIX}:lock:{name}"


def dashboard_figures(campaign_id: int, scope_key: str, include_flagged: bool, as_of: str) -> str:
    """Cached JSON figures of one scope at one tally state (new tallies = a new key)."""
    return f"{PREFIX}:{campaign_id}:dashboard:{scope_key}:{int(include_flagged)}:{as_of}"


def rate_window(scope: str, identity: str, seconds: int) -> str:
    """Fixed-window counter of one client (participant or address) on the submit path."""
    return f"{PREFIX}:rl:{scope}:{seconds}:{identity}"
