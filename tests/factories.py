"""Small, readable test data built through the real import service."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from types import SimpleNamespace

from sqlalchemy import select

RATING_IDS = ("gov", "security", "transport")


def small_campaign_doc(opens_at=None, closes_at=None) -> dict:
    now = datetime.now(timezone.utc).replace(microsecond=0)
    return {
        "campaign": {
            "slug": "test-2026", "title": "2026年度测试市社会评价", "year": 2026,
            "target_responses": 1000,
            "opens_at": (opens_at or now - timedelta(days=1)).isoformat(),
            "closes_at": (closes_at or now + timedelta(days=30)).isoformat(),
            "settings": {"min_seconds": 20},
        },
        "org": {
            "city": {"code": "C", "name": "测试市"},
            "counties": [
                {"code": "K1", "name": "甲县",
                 "townships": [{"code": "K1T1", "name": "一镇"}, {"code": "K1T2", "name": "二乡"}]},
                {"code": "K2", "name": "乙区", "townships": [{"code": "K2T1", "name": "三镇"}]},
            ],
            "city_units": [{"code": "U1", "name": "市教育局"}],
        },
        "questionnaires": [
            {"key": "county", "title": "县区满意度问卷", "questions": [
                {"id": "gov", "type": "rating", "title": "您对当地政府工作的总体评价"},
                {"id": "security", "type": "rating", "title": "您对当地社会治安的满意程度"},
                {"id": "transport", "type": "rating", "title": "您对当地交通出行的满意程度"},
                {"id": "suggestion", "type": "text", "title": "意见建议", "required": False, "max_length": 50},
                {"id": "age", "type": "choice", "title": "您的年龄", "required": False,
                 "options": [{"value": "u30", "label": "30岁以下"}, {"value": "30p", "label": "30岁及以上"}]},
            ]},
            {"key": "unit", "title": "市直单位满意度问卷", "questions": [
                {"id": "overall", "type": "rating", "title": "您对该单位工作的总体评价"},
            ]},
        ],
        "entry_points": [
            {"for": "counties", "questionnaire": "county"},
            {"for": "townships", "questionnaire": "county"},
            {"for": "city_units", "questionnaire": "unit"},
        ],
    }


def import_small_campaign(**kwargs) -> SimpleNamespace:
    from questionnaire.campaign_file.importer import import_campaign
    from questionnaire.extensions import db
    from questionnaire.intake.models import CollectionPoint
    from questionnaire.org.models import OrgUnit

    summary = import_campaign(db.session, small_campaign_doc(**kwargs))
    units = {u.code: u for u in db.session.scalars(select(OrgUnit))}
    codes = {
        db.session.get(OrgUnit, ep.collected_unit_id).code: ep.code
        for ep in db.session.scalars(select(CollectionPoint))
    }
    return SimpleNamespace(id=summary.campaign_id, units=units, codes=codes)


def good_answers(**overrides) -> dict:
    answers = {"gov": "5", "security": "4", "transport": "dk", "suggestion": "路灯需要修", "age": "u30"}
    answers.update(overrides)
    return {k: v for k, v in answers.items() if v is not None}
