"""Dashboard pages and JSON: login, scope, the flagged toggle, sorting, escaping."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from questionnaire.extensions import db
from questionnaire.tallies import counting as tallies

SCRIPT = "<script>alert('x')</script>"


@pytest.fixture
def answered(campaign, submit):
    submit("K1", gov="5", security="4", transport="dk", suggestion="村口路灯不亮")
    submit("K1T1", gov="4", security="4", transport="5", suggestion=SCRIPT)
    submit("K2", gov="1", security="5", transport="3", suggestion="乙区的建议")
    submit("U1", gov="5")
    submit("K1", duration=5, gov="1", security="1", transport="1", suggestion="标记答卷的建议")
    tallies.apply_pending(db.engine, campaign.id)
    return campaign


def api(campaign, **params):
    query = "&".join(f"{k}={v}" for k, v in params.items())
    return f"/dashboard/api/campaigns/{campaign.id}/figures" + (f"?{query}" if query else "")


def league_order(html: str, table_id: str) -> list[str]:
    body = html.split(f'id="{table_id}"', 1)[1].split("</table>", 1)[0]
    return re.findall(r'data-name="([^"]+)"', body)


def test_anonymous_visitors_are_sent_to_the_login_page(client, campaign):
    response = client.get(f"/dashboard/campaigns/{campaign.id}")
    assert response.status_code == 302 and "/office/login" in response.headers["Location"]
    response = client.get(api(campaign))
    assert response.status_code == 401 and response.get_json()["error"]["message"] == "请先登录"


def test_the_overview_shows_total_target_leagues_and_as_of(login_as, answered):
    html = login_as("admin").get(f"/dashboard/campaigns/{answered.id}").get_data(as_text=True)
    assert 'id="total" data-value="4"' in html  # the speeder is counted apart by default
    assert "有效答卷（不含标记答卷）" in html and "/ 目标 <span id=\"target\">1,000</span> 份" in html
    assert re.search(r"数据截至 \d\d:\d\d:\d\d", html)
    assert '<progress id="progress" max="1000" value="4">' in html
    assert "甲县" in html and "乙区" in html and "市教育局" in html
    assert "县区排行" in html and "市直单位排行" in html and "分题满意度" in html


def test_the_index_goes_straight_to_the_only_campaign(login_as, answered):
    response = login_as("admin").get("/dashboard/")
    assert response.status_code == 302 and response.headers["Location"].endswith(f"/dashboard/campaigns/{answered.id}")


def test_the_flagged_toggle_adds_flagged_responses(login_as, answered):
    client = login_as("admin")
    assert client.get(api(answered)).get_json()["summary"]["total"] == 4
    body = client.get(api(answered, flagged=1)).get_json()
    assert (body["summary"]["total"], body["summary"]["flagged"]) == (5, 1)
    html = client.get(f"/dashboard/campaigns/{answered.id}?flagged=1").get_data(as_text=True)
    assert 'id="total" data-value="5"' in html and "答卷总数（含标记答卷）" in html
    assert "标记答卷的建议" in html
    assert "标记答卷的建议" not in client.get(f"/dashboard/campaigns/{answered.id}").get_data(as_text=True)


def test_tables_sort_without_javascript(login_as, answered):
    client = login_as("admin")
    by_responses = client.get(f"/dashboard/campaigns/{answered.id}?sort=responses&order=desc").get_data(as_text=True)
    assert league_order(by_responses, "counties") == ["K1", "K2"]  # 2 responses vs 1
    by_satisfaction = client.get(f"/dashboard/campaigns/{answered.id}?sort=satisfaction_index&order=asc")
    assert league_order(by_satisfaction.get_data(as_text=True), "counties") == ["K2", "K1"]
    assert client.get(f"/dashboard/campaigns/{answered.id}?sort=drop+table").status_code == 400
    assert client.get(f"/dashboard/campaigns/{answered.id}?flagged=yes").status_code == 400
    assert client.get(api(answered, flagged="yes")).status_code == 400
    assert client.get(api(answered, county="abc")).status_code == 400


def test_unknown_campaign_is_a_404_on_page_and_json(login_as, answered):
    client = login_as("admin")
    assert client.get("/dashboard/campaigns/999").status_code == 404
    response = client.get("/dashboard/api/campaigns/999/figures")
    assert response.status_code == 404 and response.get_json()["error"]["code"] == "not_found"


def test_county_drill_down_lists_its_townships_and_entries(login_as, answered):
    k1 = answered.units["K1"].id
    html = login_as("admin").get(f"/dashboard/campaigns/{answered.id}/counties/{k1}").get_data(as_text=True)
    assert "乡镇排行" in html and "一镇" in html and "二乡" in html and "三镇" not in html
    assert answered.codes["K1T1"] in html and answered.codes["K2"] not in html
    assert 'id="total" data-value="2"' in html


def test_a_county_account_sees_only_its_county(login_as, answered):
    client = login_as("k2")
    body = client.get(api(answered, flagged=1)).get_json()
    assert body["summary"]["total"] == 1
    assert [c["code"] for c in body["counties"]] == ["K2"] and body["units"] == []
    assert {s["text"] for s in body["suggestions"]} == {"乙区的建议"}
    landing = client.get(f"/dashboard/campaigns/{answered.id}")
    assert landing.status_code == 302  # a county lands on its own drill-down (its townships)
    assert landing.headers["Location"].endswith(f"/counties/{answered.units['K2'].id}?flagged=0") or \
        f"/counties/{answered.units['K2'].id}" in landing.headers["Location"]
    html = client.get(landing.headers["Location"]).get_data(as_text=True)
    assert "乙区" in html and "三镇" in html and "甲县" not in html
    assert "市教育局" not in html and "村口路灯不亮" not in html
    assert 'id="units"' not in html  # no city units in a county's scope
    assert client.get(f"/dashboard/campaigns/{answered.id}/counties/{answered.units['K2'].id}").status_code == 200


def test_every_dashboard_route_is_covered_by_these_scope_tests(clean_app):
    endpoints = {r.endpoint for r in clean_app.url_map.iter_rules() if r.endpoint.startswith("dashboard.")}
    # index lists campaigns only; overview and api_figures are scoped by the account (tested
    # above and below); county and api_figures?county= are refused outside the account's county.
    assert endpoints == {"dashboard.index", "dashboard.overview", "dashboard.county", "dashboard.api_figures"}, \
        "a new dashboard route needs a scope test"


@pytest.mark.parametrize("username", ["k2", "u1", "k1t1"])
def test_other_accounts_cannot_open_another_countys_figures(login_as, answered, username):
    client = login_as(username)
    k1 = answered.units["K1"].id
    assert client.get(f"/dashboard/campaigns/{answered.id}/counties/{k1}").status_code == 404
    response = client.get(api(answered, county=k1))
    assert response.status_code == 404 and "fields" not in response.get_json()["error"]


def test_a_township_account_sees_its_township_only(login_as, answered):
    body = login_as("k1t1").get(api(answered, flagged=1)).get_json()
    assert body["summary"]["total"] == 1 and body["counties"] == []
    assert body["series"]["available"] is False  # hours are kept per county, not per township
    assert [t["code"] for t in body["townships"]] == ["K1T1"]
    html = login_as("k1t1").get(f"/dashboard/campaigns/{answered.id}").get_data(as_text=True)
    assert 'id="townships"' in html and 'id="counties"' not in html and 'id="units"' not in html


def test_suggestions_are_escaped_on_the_page_and_plain_text_in_json(login_as, answered):
    client = login_as("admin")
    html = client.get(f"/dashboard/campaigns/{answered.id}").get_data(as_text=True)
    assert SCRIPT not in html
    assert "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;" in html
    response = client.get(api(answered))
    assert response.mimetype == "application/json" and response.headers["Cache-Control"] == "no-store"
    texts = [s["text"] for s in response.get_json()["suggestions"]]
    assert texts[0] == "乙区的建议" and SCRIPT in texts  # newest first; JSON carries the text as data
    js = (Path(__file__).parents[2] / "questionnaire" / "static" / "js" / "dashboard.js").read_text()
    assert "innerHTML" not in js and "insertAdjacentHTML" not in js and "textContent = s.text" in js


def test_the_page_loads_its_script_and_chart_library_from_our_origin(login_as, answered):
    response = login_as("admin").get(f"/dashboard/campaigns/{answered.id}")
    html = response.get_data(as_text=True)
    assert "script-src 'self'" in response.headers["Content-Security-Policy"]
    scripts = re.findall(r'<script src="([^"]+)"', html)
    assert [s.split("?")[0] for s in scripts] == ["/static/vendor/echarts/echarts.common.min.js",
                                                  "/static/js/dashboard.js"]
    assert "<script>" not in html  # no inline script (CSP)
    assert 'style="' not in html
    for src in scripts:
        assert login_as("admin").get(src).status_code == 200


def test_office_navigation_links_to_the_dashboard(login_as, answered):
    html = login_as("admin").get(f"/office/campaigns/{answered.id}/entries").get_data(as_text=True)
    assert '<a href="/dashboard/">实时看板</a>' in html


def test_polls_share_figures_built_for_the_same_tally_state(login_as, answered, submit, clean_app):
    from questionnaire.extensions import redis_store

    client = login_as("admin")
    first = client.get(api(answered)).get_data(as_text=True)
    cached = [k for k in redis_store.client(clean_app).scan_iter(match="sq:*:dashboard:*")]
    assert len(cached) == 1
    assert client.get(api(answered)).get_data(as_text=True) == first  # served from the cache
    submit("K2")  # new tallies, new key: the next poll sees the new response
    tallies.apply_pending(db.engine, answered.id)
    assert client.get(api(answered)).get_json()["summary"]["total"] == 5
