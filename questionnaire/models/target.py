"""Per-unit response targets of a campaign (set in the campaign file, shown as 目标完成率)."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from questionnaire.extensions import db


class UnitTarget(db.Model):
    __tablename__ = "unit_targets"

    campaign_id: Mapped[int] = mapped_column(sa.ForeignKey("campaigns.id"), primary_key=True)
    unit_id: Mapped[int] = mapped_column(sa.ForeignKey("org_units.id"), primary_key=True)
    target: Mapped[int]

    __table_args__ = (sa.CheckConstraint("target > 0", name="positive"),)
