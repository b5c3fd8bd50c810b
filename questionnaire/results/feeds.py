"""Figures that features above results feed into it (the rectification package's on-time rate).

Results sit below rectification in the layers, so they import none of it: a feature above
registers a callable in `app.extensions["results_feeds"]` under a feed name the scheme can cite
(`inputs.FEEDS`), like the dashboard's panels. A leaf `{external: KEY, feed: rectification}` then
reads the fed figure for every entity the feed has data for, and the figure the office entered
under KEY for the others (the fallback), so the one engine, page, JSON, publication and report
see one value per leaf. Fed figures are computed per read, from the feeding feature's own
records, in the stored form of an entered figure ({numerator, denominator}) with their source.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass

from flask import current_app, has_app_context

from questionnaire.campaigns.models import Campaign

FEEDS_EXTENSION = "results_feeds"


@dataclass(frozen=True)
class FedFigure:
    """Shaped like an entered figure (results.models.ExternalValue): its stored value and source."""

    value: dict
    source: str


Feed = Callable[[object, Campaign], Mapping[int, FedFigure]]  # (session, campaign) -> unit id -> figure


def fed_figures(session, campaign_id: int) -> dict[str, Mapping[int, FedFigure]]:
    """feed name -> unit id -> figure, from every registered feed (none outside an app)."""
    feeds: Mapping[str, Feed] = current_app.extensions.get(FEEDS_EXTENSION, {}) if has_app_context() else {}
    if not feeds:
        return {}
    campaign = session.get(Campaign, campaign_id)
    return {name: feed(session, campaign) for name, feed in feeds.items()}
