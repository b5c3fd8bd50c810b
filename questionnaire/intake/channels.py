"""The evaluation channels an answer can arrive through (pure data, no I/O).

A channel adds its own intake (how its collection points are made and how participants are
identified); tallies, dashboard, exports and scope read the channel off the collection point
and need no code of their own for it. Adding a channel here needs a migration for the check
constraint on collection_points.channel.
"""

from __future__ import annotations

QR = "qr"
LEADER = "leader"
PHONE = "phone"
HOTLINE = "hotline"

CHANNELS = (QR, LEADER, PHONE, HOTLINE)
CHANNEL_LABELS = {QR: "微信扫码问卷", LEADER: "领导评价", PHONE: "电话访问", HOTLINE: "12345工单回访"}
