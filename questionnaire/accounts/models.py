"""Office accounts (performance office, county offices, unit staff) and the audit log."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from flask_login import UserMixin
from sqlalchemy.orm import Mapped, mapped_column, relationship

from questionnaire.extensions import db
from questionnaire.kernel.sqltypes import BigIntPK, JSONDoc, UTCDateTime, utcnow
from questionnaire.org.models import OrgUnit

ROLES = ("admin", "county", "unit", "interviewer", "supervisor")
ROLE_LABELS = {"admin": "绩效办管理员", "county": "县区管理员", "unit": "单位管理员",
               "interviewer": "话务员", "supervisor": "督导"}
# Office staff of the phone interviews: bound to no unit, they see only the phone work
# (an interviewer only the case being worked); the org Scope gives them no unit data.
PHONE_STAFF_ROLES = ("interviewer", "supervisor")


class OfficeUser(UserMixin, db.Model):
    # UserMixin gives Flask-Login get_id(); the is_active column overrides its property.
    __tablename__ = "office_users"

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(sa.String(64), unique=True)
    password_hash: Mapped[str] = mapped_column(sa.String(256))
    display_name: Mapped[str] = mapped_column(sa.String(120), default="")
    role: Mapped[str] = mapped_column(sa.String(16))
    # The scope: a county (with its townships) or a unit. None only for admins.
    org_unit_id: Mapped[int | None] = mapped_column(sa.ForeignKey("org_units.id"))
    is_active: Mapped[bool] = mapped_column(default=True)
    failed_logins: Mapped[int] = mapped_column(default=0)
    locked_until: Mapped[datetime | None] = mapped_column(UTCDateTime())
    last_login_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    org_unit = relationship(OrgUnit)

    __table_args__ = (sa.CheckConstraint(f"role IN {ROLES!r}", name="role"),)


class AuditEvent(db.Model):
    """Who viewed or exported what (MLPS level 3 asks for >= 180 days of this)."""

    __tablename__ = "audit_events"

    id: Mapped[int] = mapped_column(BigIntPK, primary_key=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, index=True)
    user_id: Mapped[int | None] = mapped_column(sa.ForeignKey("office_users.id"))
    action: Mapped[str] = mapped_column(sa.String(64))
    target: Mapped[str] = mapped_column(sa.String(200), default="")
    detail: Mapped[dict] = mapped_column(JSONDoc, default=dict)
    ip_hash: Mapped[str | None] = mapped_column(sa.String(32))
