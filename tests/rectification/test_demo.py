"""The `./dev run` demo: 2021 as seed 001 reports it, frozen, and this year's tasks of the demo county."""

from __future__ import annotations

from datetime import date

from questionnaire.extensions import db
from questionnaire.org.scope import Scope
from questionnaire.rectification import figures
from questionnaire.rectification.models import RectificationYear


def test_the_demo_shows_the_2021_rate_and_this_years_tasks_in_several_states(runner):
    for command in ("seed-demo", "create-demo-accounts", "seed-rectification-demo"):
        result = runner.invoke(args=[command])
        assert result.exit_code == 0, result.output
    frozen = db.session.get(RectificationYear, 2021)
    assert (frozen.figures["city"]["due"], frozen.figures["city"]["on_time"]) == (625, 541)
    assert figures.build(db.session, Scope(role="admin"), 2021, date(2022, 2, 1)).city.rate_text == "86.6%"
    assert "already present" in runner.invoke(args=["seed-rectification-demo"]).output  # idempotent
