"""Leader-evaluation fixtures: the small campaign with a leader questionnaire and a roster."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from types import SimpleNamespace

import pytest
from sqlalchemy import select

LEADER_QUESTIONNAIRE = {
    "key": "leader", "title": "领导评价问卷",
    "intro": "请根据您的了解，对以下单位本年度的工作作出评价。",
    "questions": [
        {"id": "development", "type": "rating", "title": "推动发展"},
        {"id": "delivery", "type": "rating", "title": "工作落实"},
        {"id": "livelihood", "type": "rating", "title": "民生改善"},
        {"id": "ecology", "type": "rating", "title": "生态保护"},
        {"id": "style", "type": "rating", "title": "作风转变"},
        {"id": "overall", "type": "rating", "title": "总体评价"},
        {"id": "comment", "type": "text", "title": "意见建议", "required": False, "max_length": 500},
    ],
}
ASPECTS = ("development", "delivery", "livelihood", "ecology", "style", "overall")


def leader_doc(deadline: datetime | None = None, rate_city_units: bool = False) -> dict:
    from tests.factories import small_campaign_doc

    doc = small_campaign_doc()
    doc["org"]["city_units"].append({"code": "U2", "name": "市财政局"})
    doc["questionnaires"].append(LEADER_QUESTIONNAIRE)
    deadline = deadline or datetime.now(timezone.utc).replace(microsecond=0) + timedelta(days=10)
    doc["leader"] = {"questionnaire": "leader", "rate_city_units": rate_city_units,
                     "deadline": deadline.isoformat()}
    return doc


ROSTER_HEADER = ("序号", "姓名", "所在单位", "职务", "评价人类别", "评价范围", "回避对象")


def roster_csv(*rows: tuple[str, ...], header=ROSTER_HEADER, encoding="utf-8") -> bytes:
    lines = [",".join(header)] + [",".join((str(i + 1), *row)) for i, row in enumerate(rows)]
    return ("\n".join(lines) + "\n").encode(encoding)


def ratings(level: str = "4", **overrides) -> dict:
    answers = {q: level for q in ASPECTS}
    answers.update(overrides)
    return answers


@pytest.fixture
def leader_campaign(clean_app):
    """Counties 甲县 (K1) and 乙区 (K2), units 市教育局 (U1) and 市财政局 (U2); three raters."""
    from questionnaire.campaign_file.importer import import_campaign
    from questionnaire.channels.leader.models import LeaderRater
    from questionnaire.channels.leader.roster_service import import_roster
    from questionnaire.extensions import db
    from questionnaire.org.models import OrgUnit

    summary = import_campaign(db.session, leader_doc(rate_city_units=True))
    result = import_roster(db.session, summary.campaign_id, roster_csv(
        ("王局长", "市教育局", "局长", "主要领导", "全部", ""),
        ("李局长", "市财政局", "局长", "主要领导", "县区", ""),
        ("赵主任", "一镇", "主任", "其他", "全部", "市财政局"),
    ), "roster.csv", clean_app.config["PARTICIPANT_HMAC_KEY"], clean_app.config["SECRET_KEY"])
    assert result.written, result.check.problems
    units = {u.code: u for u in db.session.scalars(select(OrgUnit))}
    raters = {r.name: r for r in db.session.scalars(select(LeaderRater))}
    return SimpleNamespace(id=summary.campaign_id, units=units, raters=raters)


def token_of(app, rater) -> str:
    from questionnaire.channels.leader.tokens import invitation_token

    return invitation_token(app.config["SECRET_KEY"], rater.invitation.nonce)
