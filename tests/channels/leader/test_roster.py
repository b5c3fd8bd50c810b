"""Roster import (spec L1, L2): a per-row Chinese report, nothing written unless the whole file is clean,
and the rater x ratee matrix without self-rating."""

from __future__ import annotations

import io

import pytest
from openpyxl import Workbook, load_workbook
from sqlalchemy import func, select

from questionnaire.channels.leader import matrix
from questionnaire.channels.leader.models import LeaderInvitation, LeaderRater
from questionnaire.channels.leader.roster import RosterFileError, check_rows, read_table, template_xlsx
from questionnaire.channels.leader.roster_service import import_roster
from questionnaire.extensions import db
from tests.channels.leader.conftest import leader_doc, roster_csv

COUNTIES = [matrix.Ratee(i, f"县{i}", "county") for i in range(1, 12)]
CITY_UNITS = [matrix.Ratee(100 + i, f"市直单位{i}", "city_unit") for i in range(1, 84)]
UNITS_BY_NAME = {r.name: r.id for r in COUNTIES + CITY_UNITS}


def _roster_312() -> bytes:
    """309 distinct heads of city units, two rows repeating an earlier (姓名, 单位), one unknown unit."""
    rows = [(f"评价人{i:03d}", CITY_UNITS[i % 83].name, "局长", "主要领导", "县区", "") for i in range(309)]
    rows.insert(100, rows[5])                        # file row 102 repeats file row 7
    rows.insert(200, rows[150])                      # file row 202 repeats row 152 (itself after the first insert)
    rows.insert(250, ("评价人X", "市不存在局", "局长", "主要领导", "县区", ""))  # file row 252
    return roster_csv(*rows)


def test_a_312_row_roster_with_two_duplicates_and_an_unknown_unit_accepts_309_and_reports_3_rows():
    check = check_rows(read_table(_roster_312(), "roster.csv"), UNITS_BY_NAME)
    assert check.rows_read == 312 and len(check.accepted) == 309
    assert check.rejected_rows == [102, 202, 252]
    reasons = {p.row: (p.column, p.reason) for p in check.problems}
    assert reasons[102] == ("姓名", "与第 7 行重复（同一单位的同名评价人）")
    assert reasons[202] == ("姓名", "与第 152 行重复（同一单位的同名评价人）")
    assert reasons[252] == ("所在单位", "单位“市不存在局”不在单位名单中")


def test_309_heads_of_city_units_get_3399_county_assignments_and_never_their_own_unit():
    check = check_rows(read_table(_roster_312(), "roster.csv"), UNITS_BY_NAME)
    seats = [matrix.RaterSeat(r.unit_id, None, r.scope) for r in check.accepted]
    assert matrix.matrix_size(seats, COUNTIES, CITY_UNITS, rate_city_units=False) == 3_399
    everyone = [matrix.RaterSeat(s.unit_id, None, matrix.SCOPE_ALL) for s in seats]
    for seat in everyone:
        ratees = matrix.assignments(seat, COUNTIES, CITY_UNITS, rate_city_units=True)
        assert seat.unit_id not in {r.id for r in ratees}
        assert len([r for r in ratees if r.kind == "city_unit"]) == 82


def test_a_county_level_rater_never_rates_their_county_nor_their_avoided_units():
    township_rater = matrix.RaterSeat(unit_id=999, unit_county_id=3, scope=matrix.SCOPE_ALL,
                                      avoid_unit_ids=frozenset({101}))
    ids = {r.id for r in matrix.assignments(township_rater, COUNTIES, CITY_UNITS, rate_city_units=True)}
    assert 3 not in ids and 101 not in ids and len(ids) == 10 + 82


def test_headers_have_synonyms_and_gbk_csv_and_xlsx_read_the_same():
    gbk = roster_csv(("张三", "县1", "书记", "", "", ""), header=("序号", "评价人姓名", "工作单位", "职位", "类别",
                                                            "范围", "回避单位"), encoding="gbk")
    book = Workbook()
    book.active.append(("姓名", "单位"))
    book.active.append(("张三", "县1"))
    xlsx = io.BytesIO()
    book.save(xlsx)
    for data, name in ((gbk, "名单.csv"), (xlsx.getvalue(), "名单.xlsx")):
        [row] = check_rows(read_table(data, name), UNITS_BY_NAME).accepted
        assert (row.name, row.unit_id, row.category, row.scope) == ("张三", 1, "主要领导", matrix.SCOPE_COUNTIES)


@pytest.mark.parametrize("data, name, message", [
    (b"\xff\xfe\x00garbage", "x.xlsx", "无法读取该 Excel 文件"),
    (b"a,b\n1,2\n", "x.csv", "缺少必填列：姓名、所在单位"),
    (b"name", "x.txt", "只支持 .xlsx 或 .csv 文件"),
])
def test_an_unreadable_file_is_refused_as_a_whole(data, name, message):
    with pytest.raises(RosterFileError, match=message):
        read_table(data, name)


def test_the_template_has_the_roster_columns():
    header = next(load_workbook(io.BytesIO(template_xlsx())).active.iter_rows(values_only=True))
    assert header == ("序号", "姓名", "所在单位", "职务", "评价人类别", "评价范围", "回避对象")
    assert check_rows(read_table(template_xlsx(), "t.xlsx"), {"市教育局": 1}).is_clean


def _count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def test_a_roster_with_one_bad_row_writes_nothing_and_a_clean_one_is_idempotent(clean_app):
    from questionnaire.campaign_file.importer import import_campaign

    campaign_id = import_campaign(db.session, leader_doc()).campaign_id
    keys = clean_app.config["PARTICIPANT_HMAC_KEY"], clean_app.config["SECRET_KEY"]
    bad = roster_csv(("王局长", "市教育局", "局长", "主要领导", "县区", ""),
                     ("李局长", "市教育局", "副局长", "领导", "县区", ""))
    result = import_roster(db.session, campaign_id, bad, "r.csv", *keys)
    assert not result.written and [p.row for p in result.check.problems] == [3]
    assert _count(LeaderRater) == 0 and _count(LeaderInvitation) == 0

    good = roster_csv(("王局长", "市教育局", "局长", "主要领导", "县区", ""),
                      ("李局长", "市财政局", "局长", "主要领导", "全部", "甲县"))
    first = import_roster(db.session, campaign_id, good, "r.csv", *keys)
    digests = set(db.session.scalars(select(LeaderInvitation.token_digest)))
    again = import_roster(db.session, campaign_id, good, "r.csv", *keys)
    assert (first.created, again.created, again.updated) == (2, 0, 2)
    assert _count(LeaderRater) == 2 and set(db.session.scalars(select(LeaderInvitation.token_digest))) == digests


def test_the_campaign_file_declares_the_leader_evaluation_and_refuses_a_bad_section(clean_app):
    from questionnaire.campaign_file.importer import CampaignFileError, import_campaign
    from questionnaire.campaigns.models import Campaign

    campaign_id = import_campaign(db.session, leader_doc(rate_city_units=True)).campaign_id
    section = db.session.get(Campaign, campaign_id).settings["leader"]
    assert section["questionnaire"] == "leader" and section["rate_city_units"] is True
    doc = leader_doc()
    doc["leader"] = {"questionnaire": "nope", "deadline": "soon"}
    with pytest.raises(CampaignFileError) as error:
        import_campaign(db.session, doc)
    assert "leader.questionnaire: 未定义的问卷 'nope'" in error.value.problems
    assert any(p.startswith("leader.deadline:") for p in error.value.problems)
