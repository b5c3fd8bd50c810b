"""How often a resident may answer within a campaign (the campaign's one-answer rule; pure).

The seeds' practice asks residents about their county and, separately, about a city unit
whose service they used; both questionnaires run in one campaign. So the rule is a campaign
setting, folded into the participant key (intake.identity.participant_hash): the database's
UNIQUE (campaign_id, participant_hash) and the Redis dedup marker follow it with no new
constraint and no extra round trip.
"""

from __future__ import annotations

CAMPAIGN = "campaign"            # one answer per person in the whole campaign (before 0009: every campaign)
QUESTIONNAIRE = "questionnaire"  # one per questionnaire: the county's and a city unit's, separately
EVALUATED_UNIT = "evaluated_unit"  # one per evaluated county or unit

SCOPES = (CAMPAIGN, QUESTIONNAIRE, EVALUATED_UNIT)
DEFAULT = QUESTIONNAIRE  # what a campaign file gets when it does not say
LABELS = {CAMPAIGN: "每人每次评议限答一次", QUESTIONNAIRE: "每份问卷每人限答一次",
          EVALUATED_UNIT: "每个评价对象每人限答一次"}


def scope_key(scope: str, questionnaire_id: int, evaluated_unit_id: int) -> str:
    """The part of the participant key that names what one answer is about."""
    if scope == QUESTIONNAIRE:
        return f"q{questionnaire_id}"
    if scope == EVALUATED_UNIT:
        return f"u{evaluated_unit_id}"
    if scope == CAMPAIGN:
        return ""
    raise ValueError(f"unknown answer scope {scope!r}")
