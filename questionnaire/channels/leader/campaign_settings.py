"""The `leader` section of a campaign file (pure: no Flask, no database).

    leader:
      questionnaire: leader        # key of the questionnaire every ratee is rated with
      rate_city_units: false       # also rate the city units (minus the rater's own)
      deadline: '2026-11-30T18:00:00+08:00'

The normalised section is kept in `campaign.settings["leader"]`, deadline as ISO 8601 UTC.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any

SETTINGS_KEY = "leader"
# Counties and units see a leader aggregate only from this many ratings on (channels-spec 2.4).
MIN_RATINGS = 5


@dataclass(frozen=True)
class LeaderSettings:
    questionnaire: str
    rate_city_units: bool
    deadline: datetime

    def is_past_deadline(self, now: datetime) -> bool:
        return now >= self.deadline


def validate_section(raw: Any, questionnaire_keys: set[str], problems: list[str]) -> dict | None:
    """The section as stored in campaign.settings, or None (with problems appended)."""
    if raw is None:
        return None
    if not isinstance(raw, Mapping):
        problems.append("leader: 必须是对象")
        return None
    unknown = set(raw) - {"questionnaire", "rate_city_units", "deadline"}
    if unknown:
        problems.append(f"leader: 未知字段 {', '.join(sorted(unknown))}")
    key = raw.get("questionnaire")
    if key not in questionnaire_keys:
        problems.append(f"leader.questionnaire: 未定义的问卷 {key!r}")
    rate_units = raw.get("rate_city_units", False)
    if not isinstance(rate_units, bool):
        problems.append("leader.rate_city_units: 必须是 true 或 false")
    deadline = raw.get("deadline")
    if isinstance(deadline, str):
        try:
            deadline = datetime.fromisoformat(deadline)
        except ValueError:
            deadline = None
    if not isinstance(deadline, datetime) or deadline.tzinfo is None:
        problems.append("leader.deadline: 必须是带时区的时间（例如 2026-11-30T18:00:00+08:00）")
        return None
    return {"questionnaire": key, "rate_city_units": rate_units is True,
            "deadline": deadline.astimezone(timezone.utc).isoformat()}


def from_campaign_settings(settings: Mapping | None) -> LeaderSettings | None:
    """The campaign's leader settings, or None when the campaign has no leader evaluation."""
    section = (settings or {}).get(SETTINGS_KEY)
    if not isinstance(section, Mapping):
        return None
    return LeaderSettings(section["questionnaire"], bool(section.get("rate_city_units")),
                          datetime.fromisoformat(section["deadline"]))
