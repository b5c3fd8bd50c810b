"""The hotline rates feed the results: a scheme's leaf `{external: hotline_on_time}` (and
_resolution, _satisfaction) reads the check's figures from their counts, no typing (H3's 9.70)."""

from __future__ import annotations

from fractions import Fraction

import pytest

from questionnaire.campaign_file.importer import import_campaign
from questionnaire.extensions import db
from questionnaire.kernel.numbers import shown
from questionnaire.results import service as results_service
from questionnaire.results import standings
from tests.results.conftest import scored_doc

HOTLINE_SCHEME = {
    "channel_weights": {"qr": 100},
    "tree": [{"name": "12345热线", "points": 100, "children": [
        {"name": "按时办结率", "points": 10, "rule": {"type": "ratio_capped", "target": 99},
         "input": {"external": "hotline_on_time", "label": "按时办结率"}},
        {"name": "诉求解决率", "points": 15, "rule": {"type": "ratio_capped", "target": 80},
         "input": {"external": "hotline_resolution", "label": "诉求解决率"}},
        {"name": "处理满意率", "points": 75, "rule": {"type": "ratio_capped", "target": 90},
         "input": {"external": "hotline_satisfaction", "label": "处理满意率"}},
    ]}],
}


@pytest.fixture
def hotline_scheme(campaign):
    import_campaign(db.session, scored_doc(county=HOTLINE_SCHEME))
    return campaign


def test_the_scheme_reads_the_hotline_rates_as_external_figures(hotline_scheme, checked):
    k1 = hotline_scheme.units["K1"].id
    figures = results_service.external_values(db.session, hotline_scheme.id)[k1]
    assert figures == {"hotline_on_time": Fraction(96), "hotline_resolution": Fraction(80),
                       "hotline_satisfaction": Fraction(818, 10)}
    row = next(r for r in standings.build(db.session, hotline_scheme.id, "county").rows if r.entity.id == k1)
    points = {leaf.node.name: str(shown(leaf.awarded)) for leaf in row.score.leaves()}
    assert points == {"按时办结率": "9.70", "诉求解决率": "15.00", "处理满意率": "68.17"}
