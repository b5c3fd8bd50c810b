"""The evaluation channels an answer can arrive through (pure data, no I/O).

A channel adds its own intake (how its collection points are made and how participants are
identified); tallies, dashboard, exports and scope read the channel off the collection point
and need no code of their own for it. Adding a channel here needs a migration for the check
constraint on collection_points.channel.
"""

from __future__ import annotations

QR = "qr"
LEADER = "leader"
LEADER_PAPER = "leader_paper"  # paper leader forms keyed in twice by office staff
PHONE = "phone"
HOTLINE = "hotline"

CHANNELS = (QR, LEADER, PHONE, HOTLINE, LEADER_PAPER)
CHANNEL_LABELS = {QR: "微信扫码问卷", LEADER: "领导评价", PHONE: "电话访问", HOTLINE: "12345工单回访",
                  LEADER_PAPER: "领导评价（纸质）"}

# A channel whose answers are scored, and held to a minimum, as another's: paper leader forms are
# the leader evaluation entered another way (and share its participant keys, so a rater counts once).
SCORED_AS = {LEADER_PAPER: LEADER}


def scored_channel(channel: str) -> str:
    """The channel an answer counts for in results and minimum sample sizes."""
    return SCORED_AS.get(channel, channel)


# Confidentiality per channel (channels-spec 2.4), kept here in one place so tallies, dashboard and
# exports apply it without knowing any channel. The performance office (admin) always sees everything.
# Fewest answers per (channel, evaluated unit) from which a county or unit account sees rates.
MIN_ANSWERS_FOR_UNITS = {LEADER: 5, LEADER_PAPER: 5}
# Channels whose individual answers no county or unit ever reads (no raw rows, no comments, no
# exports), and where the collecting unit grants no scope: a unit must not see its own head's
# ratings of others. They see the aggregate of the points that evaluate them.
AGGREGATE_ONLY = frozenset({LEADER, LEADER_PAPER})
# Channels whose participants are known people (personal invitations): the per-row anti-fraud
# heuristics for anonymous residents (answered fast, every rating the same) do not apply to them.
IDENTIFIED_PARTICIPANTS = frozenset({LEADER, LEADER_PAPER})
