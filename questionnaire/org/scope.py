"""What an office account may see: everything (admin), one county, or one unit.

Scope comes only from the server-side user record (never from the request) and is
applied to every query as a where-clause, exports and aggregates included (OWASP A01).

County scope: entry points hung in the county or one of its townships
(poster unit's county_id == county), or evaluating the county itself.
Unit scope: entry points hung in, or evaluating, that unit.

The org layer knows no answer tables: callers pass the two unit columns of the rows
they filter (`scope.clause(CollectionPoint.collected_unit_id, CollectionPoint.evaluated_unit_id)`).
"""

from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.sql.elements import ColumnElement

from questionnaire.org.models import OrgUnit


@dataclass(frozen=True)
class Scope:
    role: str
    user_id: int | None = None
    county_id: int | None = None
    unit_id: int | None = None

    @property
    def is_admin(self) -> bool:
        return self.role == "admin"

    @classmethod
    def for_user(cls, user) -> Scope:
        """The scope of an OfficeUser; an inactive or mis-configured account sees nothing."""
        if user is None or not getattr(user, "is_active", False):
            return cls(role="none")
        if user.role == "admin":
            return cls(role="admin", user_id=user.id)
        if user.role == "county" and user.org_unit_id is not None:
            return cls(role="county", user_id=user.id, county_id=user.org_unit_id)
        if user.role == "unit" and user.org_unit_id is not None:
            return cls(role="unit", user_id=user.id, unit_id=user.org_unit_id)
        return cls(role="none", user_id=getattr(user, "id", None))

    def allows_unit(self, org_unit) -> bool:
        """May this account see the pages and data of `org_unit` (an OrgUnit)?"""
        if org_unit is None:
            return False
        if self.is_admin:
            return True
        if self.role == "county":
            return org_unit.county_id == self.county_id
        if self.role == "unit":
            return org_unit.id == self.unit_id
        return False

    def allows_county(self, county_id: int | None) -> bool:
        """May this account ask for a whole county (e.g. its batch of posters)?"""
        if self.is_admin:
            return True
        return self.role == "county" and county_id == self.county_id

    def clause(self, poster_col, evaluated_col) -> ColumnElement[bool]:
        """Where-clause restricting rows to this scope by their poster and evaluated unit columns."""
        if self.is_admin:
            return sa.true()
        if self.role == "county":
            in_county = sa.select(OrgUnit.id).where(OrgUnit.county_id == self.county_id)
            return sa.or_(poster_col.in_(in_county.scalar_subquery()), evaluated_col == self.county_id)
        if self.role == "unit":
            return sa.or_(poster_col == self.unit_id, evaluated_col == self.unit_id)
        return sa.false()

    def org_unit_clause(self) -> ColumnElement[bool]:
        """Where-clause on OrgUnit: the units this account may see."""
        if self.is_admin:
            return sa.true()
        if self.role == "county":
            return OrgUnit.county_id == self.county_id
        if self.role == "unit":
            return OrgUnit.id == self.unit_id
        return sa.false()
