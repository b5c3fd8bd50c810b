"""The campaign chooser the office pages open on."""

from __future__ import annotations

from datetime import datetime, timezone

from questionnaire.campaigns.models import Campaign
from questionnaire.extensions import db


def test_with_one_campaign_the_office_pages_go_straight_to_it(campaign, login_as):
    client = login_as("admin")
    assert client.get("/office/").headers["Location"].endswith(f"/office/campaigns/{campaign.id}/entries")
    assert client.get("/dashboard/").headers["Location"].endswith(f"/dashboard/campaigns/{campaign.id}")


def test_with_several_campaigns_each_page_lists_them_linking_to_itself(campaign, login_as):
    other = Campaign(slug="mid-2026", title="2026年中期评议", year=2026, round="mid_year",
                     opens_at=datetime(2026, 5, 1, tzinfo=timezone.utc),
                     closes_at=datetime(2026, 7, 1, tzinfo=timezone.utc))
    db.session.add(other)
    db.session.commit()
    client = login_as("admin")
    office = client.get("/office/").get_data(as_text=True)
    dashboard = client.get("/dashboard/").get_data(as_text=True)
    assert "<h1>调查活动</h1>" in office and "<h1>实时看板</h1>" in dashboard
    for cid in (campaign.id, other.id):
        assert f'href="/office/campaigns/{cid}/entries"' in office
        assert f'href="/dashboard/campaigns/{cid}"' in dashboard
    assert "2026年中期评议" in office and "2026年中期评议" in dashboard
