"""Rectification test data: items for the small campaign's entities (甲县 K1, 乙区 K2, 市教育局 U1)."""

from __future__ import annotations

from datetime import date

import pytest

from questionnaire.extensions import db
from questionnaire.org.scope import Scope
from questionnaire.rectification.item_specs import ItemSpec
from questionnaire.rectification.items import add_item
from questionnaire.rectification.workflow import Actor

ASSIGNED_ON = date(2021, 5, 10)


def spec(*leads, assists=(), deadline=date(2021, 10, 31), year=2021, text="村道路灯不亮", **kw) -> ItemSpec:
    return ItemSpec(year=year, text=text, category="交通", deadline=deadline, lead_ids=tuple(leads),
                    assist_ids=tuple(assists), source=kw.pop("source", "regional"), **kw)


@pytest.fixture
def office(accounts):
    return Actor(accounts.admin, Scope(role="admin", user_id=accounts.admin))


@pytest.fixture
def k1_clerk(accounts, campaign):
    return Actor(accounts.k1, Scope(role="county", user_id=accounts.k1, county_id=campaign.units["K1"].id))


@pytest.fixture
def make_item(campaign, accounts):
    """make_item("K1", "U1", assists=("K2",), deadline=...) -> the item, committed."""
    def make(*lead_codes, assists=(), **kw):
        units = campaign.units
        item = add_item(db.session, spec(*(units[c].id for c in lead_codes),
                                         assists=tuple(units[c].id for c in assists), **kw),
                        accounts.admin, kw.pop("today", ASSIGNED_ON))
        db.session.commit()
        return item

    return make


@pytest.fixture
def on_day(clean_app):
    """Fix the pages' today (China date) for the test; restored afterwards."""
    def set_day(day: date) -> None:
        clean_app.config["RECTIFICATION_TODAY"] = day

    yield set_day
    clean_app.config.pop("RECTIFICATION_TODAY", None)


MB = 1024 * 1024


def pdf_bytes(size: int) -> bytes:
    head = b"%PDF-1.7\n"
    return head + b"0" * (size - len(head))
