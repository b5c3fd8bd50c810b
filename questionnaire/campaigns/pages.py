"""The campaign chooser that the office pages open on (the entry list, the dashboard, ...)."""

from __future__ import annotations

from flask import redirect, render_template, url_for

from questionnaire.campaigns import service
from questionnaire.extensions import db


def choose_campaign(endpoint: str, title: str):
    """Campaigns, newest first, each linking to `endpoint`; with only one, go straight there."""
    items = service.campaigns(db.session)
    if len(items) == 1:
        return redirect(url_for(endpoint, campaign_id=items[0].id))
    return render_template("campaigns/choose.html", campaigns=items, endpoint=endpoint, title=title)
