"""One satisfaction index (满意度指数) on every surface: dashboard page, its JSON, XLSX and CSV (both backends)."""

from __future__ import annotations

import re

import pytest

from questionnaire.extensions import db
from questionnaire.tallies import counting as tallies
from tests.exports.conftest import as_dicts, read_csv, read_xlsx

# Three residents at 甲县's own code. gov 100, 100; security 100, 100; transport 100, 30, 0.
# Index = mean of the question rates = (100 + 100 + 43.33) / 3 = 81.11. Pooling the seven
# rated answers instead would give 530 / 7 = 75.71: the two old definitions disagreed here.
ANSWERS = [dict(gov="5", security="5", transport="5"), dict(gov="5", security="5", transport="2"),
           dict(gov="dk", security="dk", transport="1")]
INDEX = (100 + 100 + 130 / 3) / 3


def export(client, campaign, fmt):
    response = client.post("/office/exports", data={"campaign": str(campaign.id), "dataset": "tallies",
                                                    "fmt": fmt, "include_flagged": "1"})
    assert response.status_code == 200, response.get_data(as_text=True)
    return response.data


def test_dashboard_page_json_xlsx_and_csv_show_the_same_satisfaction_index(login_as, campaign, respond):
    for answers in ANSWERS:
        respond("K1", **answers)
    tallies.apply_pending(db.engine, campaign.id)
    client = login_as("k1")
    shown = f"{INDEX:.2f}"
    assert shown == "81.11"

    # The county's account lands on its own drill-down; the city table's K1 row is the admin's.
    html = client.get(f"/dashboard/campaigns/{campaign.id}", follow_redirects=True).get_data(as_text=True)
    assert re.search(r"<dt>满意度指数</dt><dd id=\"satisfaction-index\">([^<]*)</dd>", html).group(1) == shown + "%"
    admin_html = login_as("admin").get(f"/dashboard/campaigns/{campaign.id}").get_data(as_text=True)
    county_row = admin_html.split('data-name="K1"', 1)[1].split("</tr>", 1)[0]
    assert re.search(r'data-field="satisfaction_index"[^>]*>([^<]*)<', county_row).group(1) == shown + "%"
    client = login_as("k1")

    body = client.get(f"/dashboard/api/campaigns/{campaign.id}/figures").get_json()
    assert body["summary"]["satisfaction_index"] == pytest.approx(INDEX)
    assert [(r["code"], r["satisfaction_index"]) for r in body["counties"]] == [("K1", pytest.approx(INDEX))]

    sheets = read_xlsx(export(client, campaign, "xlsx"))
    assert "各评分题满意率的算术平均" in dict(row[:2] for row in sheets["说明"] if row)["满意度指数"]
    summary = as_dicts(sheets["单位汇总"])
    by_row = {(r["层级"], r["乡镇/单位"]): r["满意度指数（%）"] for r in summary}
    assert by_row[("县区本级", "甲县")] == by_row[("县区合计", "合计")] == by_row[("合计", "全部")] == 81.11

    rows = as_dicts(read_csv(export(client, campaign, "csv")))
    county = {r["满意度指数（%）"] for r in rows if r["层级"] in ("县区本级", "县区合计", "合计")}
    assert county == {shown}
