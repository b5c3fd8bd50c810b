"""A scored small campaign: the test campaign file with a `scoring` section for both kinds."""

from __future__ import annotations

import copy

import pytest

from tests.factories import small_campaign_doc

COUNTY_SCHEME = {
    "channel_weights": {"qr": 70, "leader": 30},
    "tree": [
        {"name": "群众满意度", "points": 90, "children": [
            {"name": "渠道加权满意率", "points": 70, "rule": {"type": "ratio_capped", "target": 95},
             "input": "weighted_channels"},
            {"name": "社会治安满意率", "points": 20, "rule": {"type": "ratio_capped", "target": 90},
             "input": {"channel": "qr", "question": "security"}},
        ]},
        {"name": "整改落实", "points": 10, "children": [
            {"name": "意见建议按时整改率", "points": 10, "rule": {"type": "ratio_capped", "target": 95},
             "input": {"external": "rectification", "label": "意见建议按时整改率"}},
        ]},
    ],
}
UNIT_SCHEME = {
    "channel_weights": {"qr": 100},
    "tree": [{"name": "服务对象满意度", "points": 100, "rule": {"type": "ratio_capped", "target": 92},
              "input": {"channel": "qr"}}],
}


def scored_doc(county=None, unit=None) -> dict:
    doc = small_campaign_doc()
    doc["scoring"] = {"county": copy.deepcopy(county or COUNTY_SCHEME), "city_unit": copy.deepcopy(unit or UNIT_SCHEME)}
    return doc


@pytest.fixture
def scored(campaign):
    """The small campaign re-imported with its scoring schemes (version 1 of each kind)."""
    from questionnaire.campaign_file.importer import import_campaign
    from questionnaire.extensions import db

    import_campaign(db.session, scored_doc())
    return campaign
