"""Hotline work orders, the alias table of handling bodies, the draw, each sampled order's check
and the entities' appeals.

A caller's number is stored only as a Fernet token and a keyed HMAC, the caller's name only as a
token (kernel/personal_data.py, kernel/crypto.py), exactly as the phone channel's numbers. An
order whose 承办单位 has no alias yet has no entity (`org_unit_id` NULL): it waits in the
mapping queue and joins when the alias is added.
"""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from questionnaire.extensions import db
from questionnaire.kernel.sqltypes import BigIntPK, JSONDoc, UTCDateTime, utcnow

APPEAL_STATUSES = ("pending", "approved", "refused")


class HandlerAlias(db.Model):
    """承办单位 as the hotline platform spells it -> our county or city unit."""

    __tablename__ = "hotline_aliases"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(200), unique=True)
    org_unit_id: Mapped[int] = mapped_column(sa.ForeignKey("org_units.id"))
    created_by: Mapped[int | None] = mapped_column(sa.ForeignKey("office_users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class ColumnMapping(db.Model):
    """The column names of one source's export (our field -> its header), saved per source."""

    __tablename__ = "hotline_column_mappings"

    id: Mapped[int] = mapped_column(primary_key=True)
    source: Mapped[str] = mapped_column(sa.String(64), unique=True)
    columns: Mapped[dict] = mapped_column(JSONDoc)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class WorkOrder(db.Model):
    """One imported work order (工单) of a campaign."""

    __tablename__ = "hotline_orders"

    id: Mapped[int] = mapped_column(BigIntPK, primary_key=True)
    campaign_id: Mapped[int] = mapped_column(sa.ForeignKey("campaigns.id"))
    order_no: Mapped[str] = mapped_column(sa.String(64))
    row_no: Mapped[int]  # its row in the file it came from
    received_at: Mapped[datetime] = mapped_column(UTCDateTime())
    channel: Mapped[str] = mapped_column(sa.String(16), default="")  # 诉求渠道
    order_type: Mapped[str] = mapped_column(sa.String(16))  # 诉求类型
    summary: Mapped[str] = mapped_column(sa.Text)  # 诉求内容 (numbers in it masked on import)
    county: Mapped[str] = mapped_column(sa.String(64), default="")  # 事发县区
    township: Mapped[str] = mapped_column(sa.String(64), default="")
    handler_name: Mapped[str] = mapped_column(sa.String(200))  # 承办单位 as exported
    org_unit_id: Mapped[int | None] = mapped_column(sa.ForeignKey("org_units.id"))  # NULL: mapping queue
    deadline_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    extended_deadline_at: Mapped[datetime | None] = mapped_column(UTCDateTime())  # approved extension
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    status: Mapped[str] = mapped_column(sa.String(16))  # 已办结 / 办理中 / 已退回 / 延期 / 无效
    reply: Mapped[str] = mapped_column(sa.Text, default="")  # 办理结果 / 答复内容
    confidential: Mapped[bool] = mapped_column(default=False)  # 是否保密
    callback_allowed: Mapped[bool] = mapped_column(default=True)  # 是否同意回访
    phone_hmac: Mapped[str | None] = mapped_column(sa.String(64))
    phone_cipher: Mapped[str | None] = mapped_column(sa.Text)
    caller_name_cipher: Mapped[str | None] = mapped_column(sa.Text)
    imported_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    __table_args__ = (
        sa.UniqueConstraint("campaign_id", "order_no"),
        sa.Index("ix_hotline_orders_unmapped", "campaign_id", "handler_name"),
        sa.Index("ix_hotline_orders_entity", "campaign_id", "org_unit_id"),
    )


class HotlineDraw(db.Model):
    """The office's draw of orders to check: allocation per entity and the seed that reproduces it."""

    __tablename__ = "hotline_draws"

    id: Mapped[int] = mapped_column(primary_key=True)
    campaign_id: Mapped[int] = mapped_column(sa.ForeignKey("campaigns.id"), unique=True)
    seed: Mapped[str] = mapped_column(sa.String(64))
    allocation: Mapped[dict] = mapped_column(JSONDoc)  # {str(org_unit_id): allocated}
    drawn: Mapped[int] = mapped_column(default=0)
    drawn_by: Mapped[int | None] = mapped_column(sa.ForeignKey("office_users.id"))
    drawn_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class OrderCheck(db.Model):
    """A sampled order and the result of its check (callback in-house or the vendor's file).

    `reached` is None until the check is done; then the answers (Q1 on time as the caller saw it,
    Q2 resolution, Q3 satisfaction level, Q4 suggestion) and the response stored through the
    one intake on the entity's `hotline` collection point.
    """

    __tablename__ = "hotline_checks"

    id: Mapped[int] = mapped_column(BigIntPK, primary_key=True)
    campaign_id: Mapped[int] = mapped_column(sa.ForeignKey("campaigns.id"))
    order_id: Mapped[int] = mapped_column(sa.ForeignKey("hotline_orders.id"), unique=True)
    org_unit_id: Mapped[int] = mapped_column(sa.ForeignKey("org_units.id"))
    draw_order: Mapped[int]
    source: Mapped[str | None] = mapped_column(sa.String(16))  # callback / vendor
    contact: Mapped[str | None] = mapped_column(sa.String(16))  # 成功 / 未接通 / 拒访 / 号码错误 / 否认诉求
    reached: Mapped[bool | None]
    perceived_on_time: Mapped[str | None] = mapped_column(sa.String(8))  # 是 / 否 / 记不清
    resolution: Mapped[str | None] = mapped_column(sa.String(8))  # 已解决 / 部分解决 / 未解决
    satisfaction: Mapped[str | None] = mapped_column(sa.String(4))  # scale value 5..1 / dk
    suggestion: Mapped[str] = mapped_column(sa.String(500), default="")
    recording_no: Mapped[str] = mapped_column(sa.String(64), default="")
    called_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    response_id: Mapped[int | None] = mapped_column(sa.BigInteger)
    phone_case_id: Mapped[int | None] = mapped_column(sa.BigInteger)  # the callback case in the phone queue

    __table_args__ = (sa.Index("ix_hotline_checks_entity", "campaign_id", "org_unit_id"),)


class Appeal(db.Model):
    """An entity's appeal (申诉) of one checked order for one rate; the office decides."""

    __tablename__ = "hotline_appeals"

    id: Mapped[int] = mapped_column(primary_key=True)
    check_id: Mapped[int] = mapped_column(sa.ForeignKey("hotline_checks.id"))
    rate: Mapped[str] = mapped_column(sa.String(16))  # resolution / satisfaction
    category: Mapped[str] = mapped_column(sa.String(16))
    reason: Mapped[str] = mapped_column(sa.String(1000))
    status: Mapped[str] = mapped_column(sa.String(16), default="pending")
    decision_reason: Mapped[str] = mapped_column(sa.String(500), default="")
    filed_by: Mapped[int] = mapped_column(sa.ForeignKey("office_users.id"))
    filed_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    decided_by: Mapped[int | None] = mapped_column(sa.ForeignKey("office_users.id"))
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    __table_args__ = (
        sa.UniqueConstraint("check_id", "rate"),
        sa.CheckConstraint(f"status IN {APPEAL_STATUSES!r}", name="status"),
    )
