"""Hotline fixtures: work-order exports built as CSV, an entity's 125 checked orders (H3-H6)."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from questionnaire.channels.hotline import draw, orders, vendor
from questionnaire.channels.phone.frames import PersonalKeys
from questionnaire.extensions import db, redis_store
from questionnaire.intake.submissions import SubmissionStore

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
        return orders.import_orders(db.session, keys, campaign.id, filename, csv_file(lines), source)

    return do


def utc(*args) -> datetime:  # noqa: D103
    return datetime(*args, tzinfo=timezone.utc)


LABELS = {"5": "非常满意", "4": "满意", "3": "一般", "2": "不满意", "1": "非常不满意", None: ""}


def plan() -> dict[str, dict]:
    """Entity E of H3-H5, order by order: timing, and the caller's answers (None: not reached)."""
    resolutions = ["已解决"] * 80 + ["部分解决"] * 12 + ["未解决"] * 8 + [None] * 10
    levels = ["5"] * 50 + ["4"] * 30 + ["3"] * 10 + ["2"] * 6 + ["1"] * 4 + [None] * 10
    out = {}
    for i in range(125):
        timing = {"closed_after": 10} if i < 116 else (
            {"closed_after": 20, "extended": RECEIVED + timedelta(days=25)} if i < 120 else {"closed_after": 20})
        answers = None if i >= 110 else {"resolution": resolutions[i], "satisfaction": levels[(i * 7) % 110]}
        out[f"H{i:03d}"] = {"timing": timing, "answers": answers}
    return out


@pytest.fixture
def sampled(campaign, import_file):
    orders.add_alias(db.session, "甲县人民政府", campaign.units["K1"].id, None)
    import_file([order_line(no, "甲县人民政府", mobile(i), **p["timing"]) for i, (no, p) in enumerate(plan().items())])
    draw.run_draw(db.session, campaign.id, 125, seed="H8")
    return plan()


@pytest.fixture
def store(clean_app):
    return SubmissionStore(engine=db.engine, redis=redis_store.client(clean_app),
                           hmac_key=clean_app.config["PARTICIPANT_HMAC_KEY"])


def vendor_file(planned) -> bytes:
    lines = ["工单编号,回访时间,回访结果,是否按时办结,解决情况,满意度,意见建议,录音编号"]
    for no, p in planned.items():
        a = p["answers"]
        if a is None:
            lines.append(f"{no},2023-10-08 10:00,拒访,,,,,R{no}")
        else:
            lines.append(f"{no},2023-10-08 10:00,成功,是,{a['resolution'] or ''},{LABELS[a['satisfaction']]},,R{no}")
    return ("\n".join(lines) + "\n").encode()


@pytest.fixture
def checked(campaign, sampled, store):
    """Entity E (county K1): its 125 orders checked by the vendor's file."""
    vendor.import_results(db.session, store, campaign.id, "结果.csv", vendor_file(sampled), None)
    return sampled
