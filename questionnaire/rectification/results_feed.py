"""The rectification on-time rate as a results feed (results/feeds.py): per entity, items closed on
time / items due in the campaign's year, from the ledger (figures.entity_rates, frozen once the
year is closed). Entities with no item due get nothing, so the results fall back to the figure the
office entered for them."""

from __future__ import annotations

from sqlalchemy.orm import Session

from questionnaire.campaigns.models import Campaign
from questionnaire.rectification import figures
from questionnaire.rectification.web import today
from questionnaire.results.feeds import FedFigure

SOURCE = "意见建议整改台账（系统按销号记录计算：按时整改 ÷ 应整改）"


def on_time_figures(session: Session, campaign: Campaign) -> dict[int, FedFigure]:
    return {unit_id: FedFigure({"numerator": str(f.on_time), "denominator": str(f.due)}, SOURCE)
            for unit_id, f in figures.entity_rates(session, campaign.year, today()).items() if f.due}
