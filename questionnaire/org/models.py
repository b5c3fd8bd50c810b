"""The organisation tree: city -> counties -> townships, plus city units."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from questionnaire.extensions import db
from questionnaire.org.kinds import ORG_KINDS, kind_label


class OrgUnit(db.Model):
    __tablename__ = "org_units"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(sa.String(32), unique=True)
    name: Mapped[str] = mapped_column(sa.String(120))
    kind: Mapped[str] = mapped_column(sa.String(16))
    parent_id: Mapped[int | None] = mapped_column(sa.ForeignKey("org_units.id"), index=True)
    # The county a unit belongs to (itself for a county); None for the city and city units.
    # Denormalised so scope checks and per-county tallies need no recursive query.
    county_id: Mapped[int | None] = mapped_column(sa.ForeignKey("org_units.id"), index=True)
    sort_order: Mapped[int] = mapped_column(default=0)

    parent = relationship("OrgUnit", remote_side=[id], foreign_keys=[parent_id])

    __table_args__ = (sa.CheckConstraint(f"kind IN {ORG_KINDS!r}", name="kind"),)

    @property
    def kind_label(self) -> str:
        return kind_label(self.kind)

    def __repr__(self) -> str:
        return f"<OrgUnit {self.code} {self.name}>"
