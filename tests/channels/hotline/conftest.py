"""Hotline fixtures: work-order exports built as CSV, an entity's 125 checked orders (H3-H6)."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from questionnaire.channels.hotline import orders
from questionnaire.channels.phone.frames import PersonalKeys

HEADER = ("工单编号,受理时间,诉求渠道,诉求人姓名,联系电话,诉求类型,诉求内容,事发县区,承办单位,办理时限,办结时间,"
          "工单状态,新截止时间,是否保密,是否同意回访")
RECEIVED = datetime(2023, 3, 1, 9, 0)


def order_line(no: str, handler: str, phone: str = "", *, received: datetime = RECEIVED, days: int = 15,
               closed_after: float | None = 10, status: str = "已办结", extended: datetime | None = None,
               confidential: str = "否", callback: str = "是", name: str = "张三", kind: str = "投诉",
               summary: str = "小区路灯不亮") -> str:
    closed = "" if closed_after is None else f"{received + timedelta(days=closed_after):%Y-%m-%d %H:%M}"
    ext = "" if extended is None else f"{extended:%Y-%m-%d %H:%M}"
    return (f"{no},{received:%Y-%m-%d %H:%M},电话,{name},{phone},{kind},{summary},,{handler},{days},{closed},"
            f"{status},{ext},{confidential},{callback}")


def csv_file(lines) -> bytes:
    return ("\n".join([HEADER, *lines]) + "\n").encode("utf-8")


def mobile(i: int) -> str:
    return f"138{i:08d}"


@pytest.fixture
def keys(clean_app):
    return PersonalKeys.from_config(clean_app.config)


@pytest.fixture
def import_file(keys, campaign):
    def do(lines, filename="orders.csv", source=""):
        from questionnaire.extensions import db
        return orders.import_orders(db.session, keys, campaign.id, filename, csv_file(lines), source)

    return do


def utc(*args) -> datetime:
    return datetime(*args, tzinfo=timezone.utc)
