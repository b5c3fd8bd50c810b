"""The rectification on-time rate as a results input (results/feeds.py): a leaf
`{external: KEY, feed: rectification}` reads the ledger's items closed on time / items due per
entity, and the figure the office entered where the ledger has no item for the entity; the
report's 整改落实 table shows the same figure with its source."""

from __future__ import annotations

import copy
from datetime import date

import pytest

from questionnaire.campaign_file.importer import import_campaign
from questionnaire.extensions import db
from questionnaire.rectification import rules
from questionnaire.reports.service import CampaignReports
from questionnaire.results.scheme import SchemeError, parse_scheme
from tests.rectification.conftest import make_item, on_day  # noqa: F401 - fixtures
from tests.results.conftest import COUNTY_SCHEME, scored_doc

YEAR = 2026  # the test campaign file's year
FED = copy.deepcopy(COUNTY_SCHEME)
FED["tree"][1]["children"][0]["input"] = {"external": "rectification", "label": "意见建议按时整改率",
                                          "feed": "rectification"}


@pytest.fixture
def fed(campaign, make_item, on_day):
    """K1 has four items due in the campaign's year, three closed on time; K2 none."""
    import_campaign(db.session, scored_doc(county=FED))
    for n in range(4):
        task = make_item("K1", year=YEAR, deadline=date(YEAR, 10, 31), seq=n + 1).tasks[0]
        if n < 3:
            task.status, task.completed_on = rules.CLOSED, date(YEAR, 10, 20)
    db.session.commit()
    on_day(date(YEAR, 12, 1))
    return campaign


def _leaf(client, campaign, code):
    body = client.get(f"/results/api/campaigns/{campaign.id}").get_json()
    entity = next(e for e in body["kinds"]["county"]["entities"] if e["code"] == code)
    return next(i for i in entity["indicators"] if i["name"] == "意见建议按时整改率")


def test_a_fed_leaf_scores_the_ledgers_on_time_rate_and_falls_back_to_the_entered_figure(fed, login_as):
    admin = login_as("admin")
    k1 = _leaf(admin, fed, "K1")
    assert k1["value"] == "75.00%" and k1["awarded"] == "7.89"  # 75 / 95 x 10
    assert _leaf(admin, fed, "K2")["note"] == "暂无数据"
    entered = admin.post(f"/results/campaigns/{fed.id}/entities/{fed.units['K2'].id}/figures/rectification",
                         data={"numerator": "9", "denominator": "10", "source": "县区自报整改台账"})
    assert entered.status_code == 302
    assert _leaf(admin, fed, "K2")["value"] == "90.00%"
    page = admin.get(f"/results/campaigns/{fed.id}/entities/{fed.units['K1'].id}").get_data(as_text=True)
    assert "3 / 4" in page and "意见建议整改台账（系统按销号记录计算" in page


def test_the_report_shows_the_ledgers_figure_with_its_source(fed, login_as):
    report = CampaignReports(db.session, fed.id).entity_report(fed.units["K1"].id)
    [row] = report.table("绩效办录入数据").rows
    assert row[:3] == ("意见建议按时整改率", "3 / 4", "75.00%") and row[3].startswith("意见建议整改台账")


def test_only_known_feeds_of_rate_leaves_are_accepted():
    broken = copy.deepcopy(FED)
    broken["tree"][1]["children"][0]["input"]["feed"] = "hotline"
    with pytest.raises(SchemeError) as refused:
        parse_scheme("county", broken)
    assert any(".feed: 指标「意见建议按时整改率」的数据来源只能是 rectification" in p for p in refused.value.problems)
