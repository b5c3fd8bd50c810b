"""Rectification items (意见建议), their tasks per responsible entity, the status history,
monthly reports, evidence files, imports and the frozen year figures."""

from __future__ import annotations

from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from questionnaire.accounts.models import OfficeUser
from questionnaire.extensions import db
from questionnaire.kernel.sqltypes import BigIntPK, JSONDoc, UTCDateTime, utcnow
from questionnaire.org.models import OrgUnit
from questionnaire.rectification.rules import STATUSES, TASK_ROLES


class RectificationImport(db.Model):
    """One accepted item file; its digest makes re-importing the same file a no-op."""

    __tablename__ = "rectification_imports"

    id: Mapped[int] = mapped_column(primary_key=True)
    digest: Mapped[str] = mapped_column(sa.String(64), unique=True)
    filename: Mapped[str] = mapped_column(sa.String(160))
    year: Mapped[int]
    items: Mapped[int]
    tasks: Mapped[int]
    imported_by: Mapped[int | None] = mapped_column(sa.ForeignKey("office_users.id"))
    imported_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class RectificationItem(db.Model):
    """One feedback item; the completion rate counts these, not tasks."""

    __tablename__ = "rectification_items"

    id: Mapped[int] = mapped_column(primary_key=True)
    year: Mapped[int] = mapped_column(index=True)  # the year it is due in: its rate year
    seq: Mapped[int | None]  # 序号 in the source list
    source: Mapped[str] = mapped_column(sa.String(16))  # rules.SOURCES
    batch: Mapped[str] = mapped_column(sa.String(64), default="")  # 来源批次, e.g. 自治区反馈·2020年度
    text: Mapped[str] = mapped_column(sa.Text)  # 意见建议原文
    subject: Mapped[str] = mapped_column(sa.String(120), default="")  # 涉及县区/单位, as given
    category: Mapped[str] = mapped_column(sa.String(32))
    deadline: Mapped[date] = mapped_column(sa.Date)
    note: Mapped[str] = mapped_column(sa.String(500), default="")
    # Where it came from, for items another feature makes (response:<id>, hotline:<order>):
    # unique, so turning the same suggestion into an item twice is refused.
    source_ref: Mapped[str | None] = mapped_column(sa.String(64), unique=True)
    import_id: Mapped[int | None] = mapped_column(sa.ForeignKey("rectification_imports.id"), index=True)
    # The latest year an open item was carried into (year-end carry-over keeps year and deadline).
    carried_into: Mapped[int | None] = mapped_column(index=True)
    created_by: Mapped[int | None] = mapped_column(sa.ForeignKey("office_users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    tasks = relationship("RectificationTask", back_populates="item", order_by="RectificationTask.id")


class RectificationTask(db.Model):
    """One responsible entity's share of an item (牵头 or 配合)."""

    __tablename__ = "rectification_tasks"

    id: Mapped[int] = mapped_column(primary_key=True)
    item_id: Mapped[int] = mapped_column(sa.ForeignKey("rectification_items.id"))
    entity_id: Mapped[int] = mapped_column(sa.ForeignKey("org_units.id"), index=True)
    role: Mapped[str] = mapped_column(sa.String(8), default="lead")
    status: Mapped[str] = mapped_column(sa.String(24), default="assigned")
    deadline: Mapped[date] = mapped_column(sa.Date)
    assigned_on: Mapped[date] = mapped_column(sa.Date)  # China date
    measures: Mapped[str] = mapped_column(sa.Text, default="")  # 整改措施
    claimed_on: Mapped[date | None] = mapped_column(sa.Date)  # completion date the entity claims
    completed_on: Mapped[date | None] = mapped_column(sa.Date)  # the approved completion date
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())  # the office's approval, kept apart
    long_term_reason: Mapped[str | None] = mapped_column(sa.String(16))  # rules.LONG_TERM_REASONS
    planned_on: Mapped[date | None] = mapped_column(sa.Date)  # 预计完成时间 of a long-term task
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    item = relationship(RectificationItem, back_populates="tasks")
    entity = relationship(OrgUnit)
    events = relationship("RectificationEvent", order_by="RectificationEvent.id")
    reports = relationship("RectificationReport", order_by="RectificationReport.id")
    evidence = relationship("RectificationEvidence", order_by="RectificationEvidence.id")

    __table_args__ = (
        sa.UniqueConstraint("item_id", "entity_id"),
        sa.CheckConstraint(f"status IN {STATUSES!r}", name="status"),
        sa.CheckConstraint(f"role IN {tuple(TASK_ROLES)!r}", name="role"),
    )


class RectificationEvent(db.Model):
    """The history of a task: every status change, edit and carry-over, with who, when and why."""

    __tablename__ = "rectification_events"

    id: Mapped[int] = mapped_column(BigIntPK, primary_key=True)
    task_id: Mapped[int] = mapped_column(sa.ForeignKey("rectification_tasks.id"), index=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    user_id: Mapped[int | None] = mapped_column(sa.ForeignKey("office_users.id"))
    action: Mapped[str] = mapped_column(sa.String(32))
    from_status: Mapped[str | None] = mapped_column(sa.String(24))
    to_status: Mapped[str | None] = mapped_column(sa.String(24))
    note: Mapped[str] = mapped_column(sa.String(1000), default="")
    detail: Mapped[dict] = mapped_column(JSONDoc, default=dict)  # previous values of what changed

    user = relationship(OfficeUser)


class RectificationReport(db.Model):
    """A monthly progress report (due by the 25th)."""

    __tablename__ = "rectification_reports"

    id: Mapped[int] = mapped_column(primary_key=True)
    task_id: Mapped[int] = mapped_column(sa.ForeignKey("rectification_tasks.id"), index=True)
    year: Mapped[int]
    month: Mapped[int]
    progress: Mapped[str] = mapped_column(sa.Text)  # 本月进展, at most 1,000 characters
    reported_by: Mapped[int | None] = mapped_column(sa.ForeignKey("office_users.id"))
    reported_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    user = relationship(OfficeUser)


class RectificationEvidence(db.Model):
    """An evidence file, stored outside the web root under a generated name."""

    __tablename__ = "rectification_evidence"

    id: Mapped[int] = mapped_column(primary_key=True)
    task_id: Mapped[int] = mapped_column(sa.ForeignKey("rectification_tasks.id"), index=True)
    report_id: Mapped[int | None] = mapped_column(sa.ForeignKey("rectification_reports.id"))
    stored_name: Mapped[str] = mapped_column(sa.String(64), unique=True)
    original_name: Mapped[str] = mapped_column(sa.String(160))  # metadata only, never a path
    kind: Mapped[str] = mapped_column(sa.String(8))
    size: Mapped[int] = mapped_column(sa.BigInteger)
    sha256: Mapped[str] = mapped_column(sa.String(64))
    uploaded_by: Mapped[int | None] = mapped_column(sa.ForeignKey("office_users.id"))
    uploaded_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class RectificationYear(db.Model):
    """A closed year: its figures frozen at year end (city-wide and per entity)."""

    __tablename__ = "rectification_years"

    year: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    frozen_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    frozen_by: Mapped[int | None] = mapped_column(sa.ForeignKey("office_users.id"))
    figures: Mapped[dict] = mapped_column(JSONDoc)  # {"city": {...}, "entities": {"<id>": {...}}}
    carried: Mapped[int] = mapped_column(default=0)  # items carried into the next year
