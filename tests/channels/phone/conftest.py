"""Phone channel fixtures: the personal-data keys, frames built as CSV files, phone staff accounts."""

from __future__ import annotations

import io
from types import SimpleNamespace

import pytest
from openpyxl import Workbook

from questionnaire.accounts.service import NewAccount, create_user
from questionnaire.channels.phone import draw, frames
from questionnaire.extensions import db
from tests.fixtures.accounts import PASSWORD


def csv_bytes(numbers, sample_type: str = "") -> bytes:
    lines = ["序号,电话号码,样本类型"] + [f"{i},{n},{sample_type}" for i, n in enumerate(numbers, start=1)]
    return ("\n".join(lines) + "\n").encode("utf-8")


def xlsx_bytes(rows) -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.append(["序号", "手机号码", "样本类型", "乡镇"])
    for row in rows:
        sheet.append(list(row))
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def mobiles(start: int, count: int) -> list[str]:
    return [f"139{start + i:08d}" for i in range(count)]


@pytest.fixture
def keys(clean_app):
    return frames.PersonalKeys.from_config(clean_app.config)


@pytest.fixture
def upload(keys, campaign):
    def do(unit_code: str, numbers, filename="frame.csv", lock=True, data=None):
        unit = campaign.units[unit_code]
        frame, report = frames.upload(db.session, keys, campaign.id, unit, filename,
                                      data if data is not None else csv_bytes(numbers), None)
        if lock:
            frames.set_locked(db.session, frame.id, True)
        return frame, report

    return do


@pytest.fixture
def drawn(upload, campaign):
    """K1 and U1 frames of 40 numbers each, 20 drawn from each."""
    upload("K1", mobiles(0, 40))
    upload("U1", mobiles(1000, 40))
    return draw.run_draw(db.session, campaign.id, 40, seed="fixed-seed")


@pytest.fixture
def phone_staff(accounts):
    def make(username, role):
        return create_user(db.session, NewAccount(username, PASSWORD, role, None, username)).id

    return SimpleNamespace(i1=make("i1", "interviewer"), i2=make("i2", "interviewer"), s1=make("s1", "supervisor"))
